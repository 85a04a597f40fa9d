#ifndef PONDER_IQ_GROUPS_H
#define PONDER_IQ_GROUPS_H
// The IQ1/IQ2/IQ3 block layouts, read in this one place: each type's 32-value group
// (pk_iq_group) as every IQ kernel consumes it: the reference and SIMD dots
// (dot_ref_iq.c, dot_avx2_iq.c, dot_avx512_iq.c) and the dequantizer (dequant_iq.c).
// The kernels take t as a constant, so the switches fold away.
//
// Fields (ggml's layouts; every bit pattern of every field but d is valid):
//   IQ2_XXS  per 32 values two u32: 4 grid index bytes (8 values each); 4 7-bit
//            ksigns indices (bits 0-27) and the scale (bits 28-31)
//   IQ2_XS   u16 per 8 values: grid index (bits 0-8), ksigns index (bits 9-15); a
//            scale nibble per 16 values
//   IQ2_S    grid index qs[k] | 2 bits of qh[k / 4] << 8; a sign byte per 8 values;
//            scales as IQ2_XS
//   IQ3_XXS  64 grid index bytes (4 values each), then per 32 values a u32 of 4 ksigns
//            indices and the scale
//   IQ3_S    grid index qs[k] | bit k % 8 of qh[k / 8] << 8 (4 values each); a sign bit
//            per value; a scale nibble per 32 values
//   IQ1_S    per 32 values a u16 qh: 3 index bits per grid point (bits 0-11), scale
//            (bits 12-14), delta sign (bit 15)
//   IQ1_M    a nibble of qh per grid point (3 index bits, bit 3 its delta's sign); a
//            3-bit scale per 16 values; d over the scale words' top nibbles
//
// Values, with the scale factor f = 2 sc + 1 of their 16 (pk_iq_scale gives the
// dequantizers' float product, the dots divide by pk_iq_factor at the end):
//   IQ2_*:   x = ±(d f / 8) g     IQ3_XXS: x = ±(d f / 4) g     IQ3_S: x = ±(d f) g
//   IQ1_*:   x = d f (g + delta), delta = ±PK_IQ1_DELTA
#include "kernels_internal.h"
#pragma STDC FP_CONTRACT OFF

/// 32 values of an IQ block.
typedef struct {
    uint64_t g[4];   // IQ1/IQ2 grid points: value 8 l + j is byte j of g[l] (IQ2: unsigned
                     // magnitudes; IQ1: int8 -1, 0, 1)
    uint32_t g4[8];  // IQ3 grid points: value 4 l + j is byte j of g4[l] (unsigned)
    uint32_t neg;   // bit v set: value v is negative (IQ2/IQ3), its delta is (IQ1)
    uint8_t sc[2];  // the scale fields of values 0-15 and 16-31
} pk_iq32;

#define PK_IQ_INLINE static inline __attribute__((always_inline))

PK_IQ_INLINE int pk_iq_is_iq1(int t) { return t == PK_IQ1_S || t == PK_IQ1_M; }

/// The block's d.
PK_IQ_INLINE float pk_iq_d(int t, const void *blk) {
    if (t == PK_IQ1_M) return pk_h2f(pk_iq1m_d(blk));
    uint16_t d;
    memcpy(&d, blk, 2);
    return pk_h2f(d);
}

/// A dot's sum after super-block i: its d, the activations' d, the exact integer sums
/// of the grid term and (IQ1) the delta term; the reference's float steps, every tier's.
PK_IQ_INLINE float pk_iq_step(int t, float sum, float d, float yd, int32_t sumi, int32_t sumd) {
    float dd = d * yd;
    return pk_iq_is_iq1(t) ? sum + dd * ((float)sumi + PK_IQ1_DELTA * (float)sumd) : sum + dd * (float)sumi;
}

/// The dots' final factor: the 1/8 or 1/4 of the IQ2/IQ3_XXS scales.
PK_IQ_INLINE float pk_iq_factor(int t) {
    return t == PK_IQ3_XXS ? 0.25f : (t == PK_IQ2_XXS || t == PK_IQ2_XS || t == PK_IQ2_S) ? 0.125f : 1.0f;
}

/// The dequantizers' value scale of a scale field, in gguf-py's float operations.
PK_IQ_INLINE float pk_iq_scale(int t, float d, int sc) {
    switch (t) {
    case PK_IQ2_XXS: case PK_IQ2_XS: case PK_IQ2_S: return d * (0.5f + (float)sc) * 0.25f;
    case PK_IQ3_XXS: return d * (0.5f + (float)sc) * 0.5f;
    default: return d * (float)(2 * sc + 1);
    }
}

/// The 32 sign bits of 4 7-bit ksigns indices packed in bits 0-27 of `aux`.
PK_IQ_INLINE uint32_t pk_ksigns4(uint32_t aux) {
    return (uint32_t)ksigns_iq2xs[aux & 127] | (uint32_t)ksigns_iq2xs[(aux >> 7) & 127] << 8 |
           (uint32_t)ksigns_iq2xs[(aux >> 14) & 127] << 16 | (uint32_t)ksigns_iq2xs[(aux >> 21) & 127] << 24;
}

/// Group ib (0..7) of an IQ block of type t.
PK_IQ_INLINE pk_iq32 pk_iq_group(int t, const void *blk, int ib) {
    pk_iq32 r;
    switch (t) {
    case PK_IQ2_XXS: {
        const pk_block_iq2_xxs *a = blk;
        uint32_t aux[2];
        memcpy(aux, a->qs + 4 * ib, 8);
        for (int l = 0; l < 4; ++l) r.g[l] = iq2xxs_grid[(aux[0] >> 8 * l) & 0xFF];
        r.neg = pk_ksigns4(aux[1]);
        r.sc[0] = r.sc[1] = (uint8_t)(aux[1] >> 28);
        break;
    }
    case PK_IQ2_XS: {
        const pk_block_iq2_xs *a = blk;
        const uint16_t *q = a->qs + 4 * ib;
        r.neg = 0;
        for (int l = 0; l < 4; ++l) {
            r.g[l] = iq2xs_grid[q[l] & 511];
            r.neg |= (uint32_t)ksigns_iq2xs[q[l] >> 9] << 8 * l;
        }
        r.sc[0] = a->scales[ib] & 15, r.sc[1] = a->scales[ib] >> 4;
        break;
    }
    case PK_IQ2_S: {
        const pk_block_iq2_s *a = blk;
        const uint8_t *q = a->qs + 4 * ib;
        for (int l = 0; l < 4; ++l) r.g[l] = iq2s_grid[q[l] | ((a->qh[ib] >> 2 * l) & 3) << 8];
        r.neg = pk_load_u32(a->qs + QKK / 8 + 4 * ib);
        r.sc[0] = a->scales[ib] & 15, r.sc[1] = a->scales[ib] >> 4;
        break;
    }
    case PK_IQ3_XXS: {
        const pk_block_iq3_xxs *a = blk;
        const uint8_t *q = a->qs + 8 * ib;
        uint32_t aux = pk_load_u32(a->qs + QKK / 4 + 4 * ib);
        for (int l = 0; l < 8; ++l) r.g4[l] = iq3xxs_grid[q[l]];
        r.neg = pk_ksigns4(aux);
        r.sc[0] = r.sc[1] = (uint8_t)(aux >> 28);
        break;
    }
    case PK_IQ3_S: {
        const pk_block_iq3_s *a = blk;
        const uint8_t *q = a->qs + 8 * ib;
        int qh = a->qh[ib];
        for (int l = 0; l < 8; ++l) r.g4[l] = iq3s_grid[q[l] | (qh >> l & 1) << 8];
        r.neg = pk_load_u32(a->signs + 4 * ib);
        r.sc[0] = r.sc[1] = (a->scales[ib / 2] >> 4 * (ib & 1)) & 15;
        break;
    }
    case PK_IQ1_S: {
        const pk_block_iq1_s *a = blk;
        int qh = a->qh[ib];
        for (int l = 0; l < 4; ++l) r.g[l] = iq1s_grid[a->qs[4 * ib + l] | ((qh >> 3 * l) & 7) << 8];
        r.neg = qh & 0x8000 ? 0xFFFFFFFFu : 0;
        r.sc[0] = r.sc[1] = (qh >> 12) & 7;
        break;
    }
    default: {  // PK_IQ1_M
        const pk_block_iq1_m *a = blk;
        uint16_t sc[4];
        memcpy(sc, a->scales, 8);
        r.neg = 0;
        for (int l = 0; l < 4; ++l) {
            int k = 4 * ib + l, h = a->qh[k / 2] >> 4 * (k & 1);
            r.g[l] = iq1s_grid[a->qs[k] | (h & 7) << 8];
            r.neg |= h & 8 ? 0xFFu << 8 * l : 0;
        }
        for (int s = 0; s < 2; ++s) r.sc[s] = (sc[ib / 2] >> 3 * (2 * (ib & 1) + s)) & 7;
        break;
    }
    }
    return r;
}

PK_IQ_INLINE int pk_iq_is_iq3(int t) { return t == PK_IQ3_XXS || t == PK_IQ3_S; }

/// Byte v (0..31) of a group's grid values.
PK_IQ_INLINE int pk_iq_byte(int t, const pk_iq32 *q, int v) {
    return (int)(pk_iq_is_iq3(t) ? q->g4[v / 4] >> 8 * (v % 4) & 0xFF : q->g[v / 8] >> 8 * (v % 8) & 0xFF);
}

#ifdef PONDER_SIMD_COMMON_H
/// A group's grid bytes in one 256-bit vector, value v in byte v (the SIMD tiers).
static inline PK_AVX2 __m256i pk_iq_points256(int t, const pk_iq32 *q) {
    if (pk_iq_is_iq3(t))
        return _mm256_set_epi32((int)q->g4[7], (int)q->g4[6], (int)q->g4[5], (int)q->g4[4], (int)q->g4[3],
                                (int)q->g4[2], (int)q->g4[1], (int)q->g4[0]);
    return _mm256_set_epi64x((long long)q->g[3], (long long)q->g[2], (long long)q->g[1], (long long)q->g[0]);
}

/// pk_iq_d with F16C (exact, as pk_h2f), inline: the SIMD dots' out-of-line conversion
/// made them spill every vector register around its call.
static inline PK_AVX2 float pk_iq_d_f16c(int t, const void *blk) {
    uint16_t h;
    if (t == PK_IQ1_M) h = pk_iq1m_d(blk);
    else memcpy(&h, blk, 2);
    return _mm_cvtss_f32(pk_cvtph_u32(h));
}

/// An IQ super-block spread for the AVX2 group loops (pk_iq_decode_sb2): what
/// vector ops can split once per super-block, kept where a group reads it cheapest
/// (each choice measured on Zen 3 against the alternatives). The IQ1 and IQ2 types' grid
/// indices are read from the block by each group with scalar shifts (a reload of
/// indices stored by vector ops was slower), as are IQ3_XXS's bytes; IQ3_S's eight per
/// group, each with a bit elsewhere, are assembled with vector ops and stored. The
/// ksigns bytes (IQ2_XXS, IQ2_XS, IQ3_XXS) are computed, not looked up: the 7 stored
/// bits and, as bit 7, their parity (a 16-entry vpshufb table of nibble parities, on
/// the xor of the byte's two nibbles). IQ3_S's stored sign bytes are broadcast from the
/// block by each group (its grid assembly already fills the shuffle ports).
typedef struct {
    const void *blk;
    __m256i sc;      // the int16 factors 2 s + 1: lane ib of the low half group ib's
                     // values 0-15, of the high half its values 16-31
    __m256i sg[2];   // but IQ3_S: the 32 sign bytes (4 per group in group order; IQ1:
                     // 0xFF where a grid point's delta is negative), groups 0-3 in both
                     // halves of sg[0], 4-7 of sg[1]
    uint16_t ix[64]; // IQ3_S: grid index k (values 4 k .. 4 k + 3)
    __m256i dsc;     // IQ1_S: int16 lane j the factor times the delta sign (+-1) of values
                     // 16 j .. 16 j + 15, as the Q8_K bsums' lanes: its delta sum is one
                     // vpmaddwd with a column's bsums
} pk_iq_sb2;

/// The scale nibbles of the low bytes of b in order, one per byte: byte j's low nibble,
/// then its high nibble (IQ3_S's scales, and IQ2_XS's for the AVX-512 tier).
static inline PK_AVX2 __m128i pk_iq_nibbles(__m128i b) {
    const __m128i nib = _mm_set1_epi8(15);
    return _mm_unpacklo_epi8(_mm_and_si128(b, nib), _mm_and_si128(_mm_srli_epi16(b, 4), nib));
}

/// The factors 2 s + 1 of int16 scale fields s.
static inline PK_AVX2 __m256i pk_iq_factors(__m256i s) {
    return _mm256_add_epi16(_mm256_add_epi16(s, s), _mm256_set1_epi16(1));
}

/// Bytes of 7 sign bits (bit 7 clear) with their parity set as bit 7: ksigns_iq2xs.
static inline PK_AVX2 __m256i pk_iq_ksigns_bytes(__m256i s) {
    const __m256i parity = _mm256_setr_epi8(0, -128, -128, 0, -128, 0, 0, -128, -128, 0, 0, -128, 0, -128, -128, 0,
                                            0, -128, -128, 0, -128, 0, 0, -128, -128, 0, 0, -128, 0, -128, -128, 0);
    __m256i fold = _mm256_xor_si256(s, _mm256_and_si256(_mm256_srli_epi16(s, 4), _mm256_set1_epi8(15)));
    return _mm256_or_si256(s, _mm256_shuffle_epi8(parity, fold));
}

/// 8 u32 words of 4 7-bit ksigns indices (bits 0-27) and a scale (bits 28-31), word ib
/// group ib's (IQ2_XXS, IQ3_XXS): the sign bytes into r->sg, the scales into r->sc.
static inline PK_AVX2 void pk_iq_sb2_words(__m256i a, pk_iq_sb2 *r) {
    const __m256i m7 = _mm256_set1_epi32(127);
    __m256i b = _mm256_or_si256(_mm256_and_si256(a, m7), _mm256_and_si256(_mm256_slli_epi32(a, 1), _mm256_slli_epi32(m7, 8)));
    b = _mm256_or_si256(b, _mm256_and_si256(_mm256_slli_epi32(a, 2), _mm256_slli_epi32(m7, 16)));
    b = _mm256_or_si256(b, _mm256_and_si256(_mm256_slli_epi32(a, 3), _mm256_slli_epi32(m7, 24)));
    b = pk_iq_ksigns_bytes(b);
    r->sg[0] = _mm256_permute2x128_si256(b, b, 0x00);
    r->sg[1] = _mm256_permute2x128_si256(b, b, 0x11);
    __m256i f = _mm256_srli_epi32(a, 28);
    r->sc = pk_iq_factors(_mm256_permute4x64_epi64(_mm256_packus_epi32(f, f), 0x88));  // f0..f7 in both halves
}

/// A scale nibble per 16 values (IQ2_XS, IQ2_S): byte ib's low nibble values 0-15 of
/// group ib, its high nibble 16-31.
static inline PK_AVX2 __m256i pk_iq_sb2_scales16(const uint8_t *scales) {
    const __m128i nib = _mm_set1_epi8(15);
    __m128i b = _mm_loadl_epi64((const __m128i *)scales);
    return pk_iq_factors(_mm256_set_m128i(_mm_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(b, 4), nib)),
                                          _mm_cvtepu8_epi16(_mm_and_si128(b, nib))));
}

/// Spreads an IQ super-block `blk` of type t (the fields as pk_iq_group reads them).
static inline PK_AVX2 void pk_iq_decode_sb2(int t, const void *blk, pk_iq_sb2 *r) {
    r->blk = blk;
    switch (t) {
    case PK_IQ2_XXS: {
        const pk_block_iq2_xxs *a = blk;
        __m256i v0 = _mm256_loadu_si256((const __m256i *)a->qs), v1 = _mm256_loadu_si256((const __m256i *)(a->qs + 16));
        __m256 w = _mm256_shuffle_ps(_mm256_castsi256_ps(v0), _mm256_castsi256_ps(v1), 0xDD);  // odd words, 0 1 4 5 | 2 3 6 7
        pk_iq_sb2_words(_mm256_permute4x64_epi64(_mm256_castps_si256(w), 0xD8), r);
        break;
    }
    case PK_IQ3_XXS: {
        const pk_block_iq3_xxs *a = blk;
        pk_iq_sb2_words(_mm256_loadu_si256((const __m256i *)(a->qs + QKK / 4)), r);
        break;
    }
    case PK_IQ2_XS: {
        const pk_block_iq2_xs *a = blk;
        __m256i s2[2];
        for (int h = 0; h < 2; ++h)  // 16 u16: grid index bits 0-8, ksigns index 9-15
            s2[h] = _mm256_srli_epi16(_mm256_loadu_si256((const __m256i *)(a->qs + 16 * h)), 9);
        __m256i b = pk_iq_ksigns_bytes(_mm256_permute4x64_epi64(_mm256_packus_epi16(s2[0], s2[1]), 0xD8));
        r->sg[0] = _mm256_permute2x128_si256(b, b, 0x00);
        r->sg[1] = _mm256_permute2x128_si256(b, b, 0x11);
        r->sc = pk_iq_sb2_scales16(a->scales);
        break;
    }
    case PK_IQ2_S: {
        const pk_block_iq2_s *a = blk;
        r->sg[0] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(a->qs + QKK / 8)));
        r->sg[1] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(a->qs + QKK / 8 + 16)));
        r->sc = pk_iq_sb2_scales16(a->scales);
        break;
    }
    case PK_IQ1_S: {  // one delta sign per group (qh bit 15), a scale per group (bits 12-14)
        const pk_block_iq1_s *a = blk;
        __m128i qh = _mm_loadu_si128((const __m128i *)a->qh);
        __m128i neg = _mm_packs_epi16(_mm_srai_epi16(qh, 15), _mm_srai_epi16(qh, 15));  // group ib: byte ib
        const __m128i rep4 = _mm_setr_epi8(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
        r->sg[0] = _mm256_broadcastsi128_si256(_mm_shuffle_epi8(neg, rep4));
        r->sg[1] = _mm256_broadcastsi128_si256(_mm_shuffle_epi8(neg, _mm_add_epi8(rep4, _mm_set1_epi8(4))));
        __m128i f = _mm_and_si128(_mm_srli_epi16(qh, 12), _mm_set1_epi16(7));
        r->sc = pk_iq_factors(_mm256_set_m128i(f, f));
        f = _mm256_castsi256_si128(r->sc);
        __m128i neg16 = _mm_srai_epi16(qh, 15), fs = _mm_sub_epi16(_mm_xor_si128(f, neg16), neg16);
        r->dsc = _mm256_set_m128i(_mm_unpackhi_epi16(fs, fs), _mm_unpacklo_epi16(fs, fs));
        break;
    }
    case PK_IQ1_M: {  // a delta sign per grid point (bit 3 of its qh nibble), scales as pk_iq_group
        const pk_block_iq1_m *a = blk;
        const __m128i zero = _mm_setzero_si128();
        __m128i q = _mm_loadu_si128((const __m128i *)a->qh);  // byte j: point 2 j low, 2 j + 1 high
        __m128i lo = _mm_cmpgt_epi8(zero, _mm_slli_epi16(q, 4)), hi = _mm_cmpgt_epi8(zero, q);
        r->sg[0] = _mm256_broadcastsi128_si256(_mm_unpacklo_epi8(lo, hi));
        r->sg[1] = _mm256_broadcastsi128_si256(_mm_unpackhi_epi8(lo, hi));
        __m128i w = _mm_loadl_epi64((const __m128i *)a->scales);  // 4 u16, word j: groups 2 j, 2 j + 1
        __m256i w32 = _mm256_cvtepu16_epi32(_mm_unpacklo_epi16(w, w));
        const __m256i m7 = _mm256_set1_epi32(7);
        __m256i s0 = _mm256_and_si256(_mm256_srlv_epi32(w32, _mm256_setr_epi32(0, 6, 0, 6, 0, 6, 0, 6)), m7);
        __m256i s1 = _mm256_and_si256(_mm256_srlv_epi32(w32, _mm256_setr_epi32(3, 9, 3, 9, 3, 9, 3, 9)), m7);
        r->sc = pk_iq_factors(_mm256_permute4x64_epi64(_mm256_packus_epi32(s0, s1), 0xD8));
        break;
    }
    default: {  // PK_IQ3_S
        const pk_block_iq3_s *a = blk;
        const __m256i bit = _mm256_setr_epi16(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, -32768);
        for (int c = 0; c < 4; ++c) {
            __m256i lo = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(a->qs + 16 * c)));
            uint16_t hb;  // bit k: index 16 c + k's bit 8
            memcpy(&hb, a->qh + 2 * c, 2);
            __m256i h = _mm256_and_si256(_mm256_set1_epi16((short)hb), bit);
            h = _mm256_and_si256(_mm256_cmpeq_epi16(h, bit), _mm256_set1_epi16(256));
            _mm256_storeu_si256((__m256i *)(r->ix + 16 * c), _mm256_or_si256(lo, h));
        }
        __m128i f = _mm_cvtepu8_epi16(pk_iq_nibbles(_mm_cvtsi32_si128((int)pk_load_u32(a->scales))));
        r->sc = pk_iq_factors(_mm256_set_m128i(f, f));
        break;
    }
    }
}

/// Group ib's grid bytes from a spread super-block, value v in byte v.
static inline PK_AVX2 __m256i pk_iq_sb2_points(int t, const pk_iq_sb2 *r, int ib) {
#define PK_G64(g, i0, i1, i2, i3) _mm256_set_epi64x((long long)g[i3], (long long)g[i2], (long long)g[i1], (long long)g[i0])
#define PK_G32(g, k) _mm256_set_epi32((int)g[k[7]], (int)g[k[6]], (int)g[k[5]], (int)g[k[4]], (int)g[k[3]], (int)g[k[2]], (int)g[k[1]], (int)g[k[0]])
    switch (t) {
    case PK_IQ2_XXS: {
        const uint8_t *k = (const uint8_t *)((const pk_block_iq2_xxs *)r->blk)->qs + 8 * ib;
        return PK_G64(iq2xxs_grid, k[0], k[1], k[2], k[3]);
    }
    case PK_IQ2_XS: {
        uint64_t q;
        memcpy(&q, ((const pk_block_iq2_xs *)r->blk)->qs + 4 * ib, 8);
        return PK_G64(iq2xs_grid, q & 511, q >> 16 & 511, q >> 32 & 511, q >> 48 & 511);
    }
    case PK_IQ2_S: {  // index k: qs[k], bits 8-9 from bits 2 (k % 4) of qh[k / 4]
        const pk_block_iq2_s *a = r->blk;
        uint32_t q = pk_load_u32(a->qs + 4 * ib), h = a->qh[ib];
        return PK_G64(iq2s_grid, (q & 255) | (h << 8 & 0x300), (q >> 8 & 255) | (h << 6 & 0x300),
                      (q >> 16 & 255) | (h << 4 & 0x300), (q >> 24) | (h << 2 & 0x300));
    }
    case PK_IQ1_S: {  // index l: qs[4 ib + l], bits 8-10 from bits 3 l of qh[ib]
        const pk_block_iq1_s *a = r->blk;
        uint32_t q = pk_load_u32(a->qs + 4 * ib), h = a->qh[ib];
        return PK_G64(iq1s_grid, (q & 255) | (h << 8 & 0x700), (q >> 8 & 255) | (h << 5 & 0x700),
                      (q >> 16 & 255) | (h << 2 & 0x700), (q >> 24) | (h >> 1 & 0x700));
    }
    case PK_IQ1_M: {  // index l: qs[4 ib + l], bits 8-10 from nibble l of the u16 at qh + 2 ib
        const pk_block_iq1_m *a = r->blk;
        uint32_t q = pk_load_u32(a->qs + 4 * ib), h = a->qh[2 * ib] | (uint32_t)a->qh[2 * ib + 1] << 8;
        return PK_G64(iq1s_grid, (q & 255) | (h << 8 & 0x700), (q >> 8 & 255) | (h << 4 & 0x700),
                      (q >> 16 & 255) | (h & 0x700), (q >> 24) | (h >> 4 & 0x700));
    }
    case PK_IQ3_XXS: {
        const uint8_t *k = ((const pk_block_iq3_xxs *)r->blk)->qs + 8 * ib;
        return PK_G32(iq3xxs_grid, k);
    }
    default: {  // PK_IQ3_S
        const uint16_t *k = r->ix + 8 * ib;
        return PK_G32(iq3s_grid, k);
    }
    }
#undef PK_G64
#undef PK_G32
}

/// Group ib's sign bytes, spread: byte v holds value v's sign in bit v % 8.
static inline PK_AVX2 __m256i pk_iq_sb2_signbytes(int t, const pk_iq_sb2 *r, int ib) {
    const long long rep = 0x0101010101010101LL;
    if (t == PK_IQ3_S)  // as stored, from the block (vpbroadcastd: a load, not a shuffle)
        return _mm256_shuffle_epi8(_mm256_set1_epi32((int)pk_load_u32(((const pk_block_iq3_s *)r->blk)->signs + 4 * ib)),
                                   _mm256_set_epi64x(rep * 3, rep * 2, rep, 0));
    const int b = 4 * (ib & 3);
    return _mm256_shuffle_epi8(r->sg[ib >> 2], _mm256_set_epi64x(rep * (b + 3), rep * (b + 2), rep * (b + 1), rep * b));
}

/// Group ib's int16 scale factors: lanes 0-7 its values 0-15's, lanes 8-15 16-31's.
static inline PK_AVX2 __m256i pk_iq_sb2_scales(const pk_iq_sb2 *r, int ib) {
    return _mm256_shuffle_epi8(r->sc, _mm256_set1_epi16((short)(0x0100 + 0x0202 * ib)));
}

#define PK_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c"), always_inline))

/// A whole IQ2/IQ3 super-block for the AVX-512 tier's many-column dots and GEMM unpack
/// (pk_iq_decode_sb: IQ2_XS and IQ3_S decoded with vector ops by pk_iq_decode512, the
/// others group by group; IQ1 runs the AVX2 tier's kernels): chunk j holds values
/// 64 j .. 64 j + 63 (groups 2 j, 2 j + 1).
typedef struct {
    __m512i g[4];      // the grid bytes, value v of the chunk in byte v (unsigned)
    __m512i sc[4];     // the int16 factor 2 sc + 1 of each int16 pair sum (vpmaddubsw's lanes)
    __mmask64 neg[4];  // bit v set: value v is negative
} pk_iq256;

/// Whether pk_iq_decode512 reads type t.
PK_IQ_INLINE int pk_iq_has_decode512(int t) { return t == PK_IQ2_XS || t == PK_IQ3_S; }

/// The int16 factors 2 s + 1 of 16 scale bytes s, spread so that int16 lane L of chunk j
/// takes factor j * per + L / (32 / per) (per: the scales per chunk, 4 or 2).
static inline PK_AVX512 void pk_iq_spread_scales(__m128i s, int per, __m512i out[4]) {
    __m512i f = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(_mm_add_epi8(_mm_add_epi8(s, s), _mm_set1_epi8(1))));
    const int lanes = 32 / per;
    for (int j = 0; j < 4; ++j) {
        uint16_t idx[32];
        for (int l = 0; l < 32; ++l) idx[l] = (uint16_t)(j * per + l / lanes);
        out[j] = _mm512_permutexvar_epi16(_mm512_loadu_si512((const void *)idx), f);
    }
}

/// An IQ2_XS or IQ3_S super-block `blk` (the fields as pk_iq_group reads them). IQ2_XS:
/// grid indices and sign indices split with vector ops, the grid points loaded by the
/// stored indices (a vpgatherqq measured slower), signs as bit masks (IQ2_XS's ksigns
/// byte is its 7-bit index with the index's parity as bit 7, computed here), scale
/// nibbles in order. IQ3_S: each chunk's 16 9-bit indices (qs bytes, the qh bit under
/// a mask) and one vpgatherdd of their grid points; the sign bits are the masks as
/// stored; scale nibbles in order, one per 32 values.
static inline PK_AVX512 pk_iq256 pk_iq_decode512(int t, const void *blk) {
    pk_iq256 r;
    if (t == PK_IQ3_S) {
        const pk_block_iq3_s *a = blk;
        for (int j = 0; j < 4; ++j) {
            __m512i ix = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(a->qs + 16 * j)));
            uint16_t hi;
            memcpy(&hi, a->qh + 2 * j, 2);  // bit k: index 16 j + k's bit 8
            ix = _mm512_mask_or_epi32(ix, (__mmask16)hi, ix, _mm512_set1_epi32(256));
            r.g[j] = _mm512_i32gather_epi32(ix, (const void *)iq3s_grid, 4);
            uint64_t neg;
            memcpy(&neg, a->signs + 8 * j, 8);
            r.neg[j] = (__mmask64)neg;
        }
        __m128i b = _mm_cvtsi32_si128((int)pk_load_u32(a->scales));
        pk_iq_spread_scales(pk_iq_nibbles(b), 2, r.sc);
    } else if (t == PK_IQ2_XS) {
        const pk_block_iq2_xs *a = blk;
        __m512i q = _mm512_loadu_si512((const void *)a->qs);  // 32 u16
        __m512i s = _mm512_srli_epi16(q, 9), p = _mm512_xor_si512(s, _mm512_srli_epi16(s, 4));
        p = _mm512_xor_si512(p, _mm512_srli_epi16(p, 2));
        p = _mm512_xor_si512(p, _mm512_srli_epi16(p, 1));
        s = _mm512_or_si512(s, _mm512_slli_epi16(_mm512_and_si512(p, _mm512_set1_epi16(1)), 7));
        uint64_t bits[4];
        _mm256_storeu_si256((__m256i *)bits, _mm512_cvtepi16_epi8(s));
        uint16_t ix[32];
        _mm512_storeu_si512((void *)ix, _mm512_and_si512(q, _mm512_set1_epi16(511)));
        for (int j = 0; j < 4; ++j) {
            const uint16_t *k = ix + 8 * j;
            r.g[j] = _mm512_set_epi64((long long)iq2xs_grid[k[7]], (long long)iq2xs_grid[k[6]], (long long)iq2xs_grid[k[5]],
                                      (long long)iq2xs_grid[k[4]], (long long)iq2xs_grid[k[3]], (long long)iq2xs_grid[k[2]],
                                      (long long)iq2xs_grid[k[1]], (long long)iq2xs_grid[k[0]]);
            r.neg[j] = (__mmask64)bits[j];
        }
        __m128i b = _mm_loadl_epi64((const __m128i *)a->scales);
        pk_iq_spread_scales(pk_iq_nibbles(b), 4, r.sc);
    }
    return r;
}

/// The int16 factor 2 sc + 1 of each 16 values of two groups, 8 lanes each.
static inline PK_AVX512 __m512i pk_iq_scales64(const pk_iq32 *q0, const pk_iq32 *q1) {
    const long long one = 0x0001000100010001LL;
    long long s0 = one * (2 * q0->sc[0] + 1), s1 = one * (2 * q0->sc[1] + 1);
    long long s2 = one * (2 * q1->sc[0] + 1), s3 = one * (2 * q1->sc[1] + 1);
    return _mm512_set_epi64(s3, s3, s2, s2, s1, s1, s0, s0);
}

/// Chunk j (groups 2 j, 2 j + 1: values 64 j .. 64 j + 63) of a super-block, group by
/// group (pk_iq_group): its grid bytes, sign mask and scales.
static inline PK_AVX512 void pk_iq_decode_chunk(int t, const void *blk, int j, __m512i *g, __mmask64 *neg, __m512i *sc) {
    pk_iq32 q0 = pk_iq_group(t, blk, 2 * j), q1 = pk_iq_group(t, blk, 2 * j + 1);
    *g = _mm512_inserti64x4(_mm512_castsi256_si512(pk_iq_points256(t, &q0)), pk_iq_points256(t, &q1), 1);
    *neg = (__mmask64)q0.neg | (__mmask64)q1.neg << 32;
    *sc = pk_iq_scales64(&q0, &q1);
}

/// A whole super-block of IQ2/IQ3 type t: IQ2_XS and IQ3_S with vector ops
/// (pk_iq_decode512), the others chunk by chunk (pk_iq_decode_chunk).
static inline PK_AVX512 pk_iq256 pk_iq_decode_sb(int t, const void *blk) {
    if (pk_iq_has_decode512(t)) return pk_iq_decode512(t, blk);
    pk_iq256 r;
    for (int j = 0; j < 4; ++j) pk_iq_decode_chunk(t, blk, j, &r.g[j], &r.neg[j], &r.sc[j]);
    return r;
}
#endif

/// Activation column c of a multi-column dot: columns `xs` bytes apart.
PK_IQ_INLINE const pk_block_q8_K *pk_iq_column(const void *x, size_t xs, int c) {
    return (const pk_block_q8_K *)((const uint8_t *)x + (size_t)c * xs);
}

// A tier's seven IQ dots, one-, four- and many-column, from its generic
// `impl(t, nc, n, w, x, xs, out)` (nc columns of activations `xs` bytes apart, at most
// PK_DOTN_MAX; each column's result bitwise the one-column dot's): PK_IQ_DOTS inside the
// tier's target region, its table fill PK_IQ_FILL outside it (init runs the fill on every
// CPU). A tier whose narrow and wide calls want different loops passes a second `wide`
// implementation to PK_IQ_DOTS2 (same results).
#define PK_IQ_DOT1(impl, wide, sfx, T)                                                  \
    static float impl##sfx(size_t n, const void *w, const void *x) {                    \
        float r;                                                                        \
        impl(T, 1, n, w, x, 0, &r);                                                     \
        return r;                                                                       \
    }                                                                                   \
    static void impl##4##sfx(size_t n, const void *w, const void *x, size_t xs, float *out) { \
        impl(T, 4, n, w, x, xs, out);                                                   \
    }                                                                                   \
    static void impl##n##sfx(size_t n, const void *w, const void *x, size_t xs, int nc, float *out) { \
        wide(T, nc, n, w, x, xs, out);                                                  \
    }
#define PK_IQ_DOTS2(impl, wide)                     \
    PK_IQ_DOT1(impl, wide, _iq2_xxs, PK_IQ2_XXS)    \
    PK_IQ_DOT1(impl, wide, _iq2_xs, PK_IQ2_XS)      \
    PK_IQ_DOT1(impl, wide, _iq2_s, PK_IQ2_S)        \
    PK_IQ_DOT1(impl, wide, _iq3_xxs, PK_IQ3_XXS)    \
    PK_IQ_DOT1(impl, wide, _iq3_s, PK_IQ3_S)        \
    PK_IQ_DOT1(impl, wide, _iq1_s, PK_IQ1_S)        \
    PK_IQ_DOT1(impl, wide, _iq1_m, PK_IQ1_M)
#define PK_IQ_DOTS(impl) PK_IQ_DOTS2(impl, impl)
// A tier's many-row, many-column dots on offset activations (pk_dotu_fn) for the IQ types,
// from its `impl(t, n, w, ws, nr, xu, xs, nc, out, ldo)`: PK_IQ_DOTSU inside the tier's
// target region, PK_IQ_FILLU in its fill.
#define PK_IQ_DOTU1(impl, sfx, T)                                                                   \
    static void impl##sfx(size_t n, const void *w, size_t ws, int nr, const void *xu, size_t xs, int nc, \
                          float *out, size_t ldo) {                                                 \
        impl(T, n, w, ws, nr, xu, xs, nc, out, ldo);                                                \
    }
#define PK_IQ_DOTSU(impl)                  \
    PK_IQ_DOTU1(impl, _iq2_xxs, PK_IQ2_XXS) \
    PK_IQ_DOTU1(impl, _iq2_xs, PK_IQ2_XS)   \
    PK_IQ_DOTU1(impl, _iq2_s, PK_IQ2_S)     \
    PK_IQ_DOTU1(impl, _iq3_xxs, PK_IQ3_XXS) \
    PK_IQ_DOTU1(impl, _iq3_s, PK_IQ3_S)     \
    PK_IQ_DOTU1(impl, _iq1_s, PK_IQ1_S)     \
    PK_IQ_DOTU1(impl, _iq1_m, PK_IQ1_M)
#define PK_IQ_FILLU(k, impl)                                                              \
    ((k)->dotu[PK_SLOT_IQ2_XXS] = impl##_iq2_xxs, (k)->dotu[PK_SLOT_IQ2_XS] = impl##_iq2_xs, \
     (k)->dotu[PK_SLOT_IQ2_S] = impl##_iq2_s, (k)->dotu[PK_SLOT_IQ3_XXS] = impl##_iq3_xxs,  \
     (k)->dotu[PK_SLOT_IQ3_S] = impl##_iq3_s, (k)->dotu[PK_SLOT_IQ1_S] = impl##_iq1_s,      \
     (k)->dotu[PK_SLOT_IQ1_M] = impl##_iq1_m)

#define PK_IQ_FILL1(k, impl, S, sfx) \
    (k)->dot[S] = impl##sfx, (k)->dot4[S] = impl##4##sfx, (k)->dotn[S] = impl##n##sfx
#define PK_IQ_FILL(fill, impl)                                    \
    void fill(struct pk_kernels *k) {                             \
        PK_IQ_FILL1(k, impl, PK_SLOT_IQ2_XXS, _iq2_xxs);          \
        PK_IQ_FILL1(k, impl, PK_SLOT_IQ2_XS, _iq2_xs);            \
        PK_IQ_FILL1(k, impl, PK_SLOT_IQ2_S, _iq2_s);              \
        PK_IQ_FILL1(k, impl, PK_SLOT_IQ3_XXS, _iq3_xxs);          \
        PK_IQ_FILL1(k, impl, PK_SLOT_IQ3_S, _iq3_s);              \
        PK_IQ_FILL1(k, impl, PK_SLOT_IQ1_S, _iq1_s);              \
        PK_IQ_FILL1(k, impl, PK_SLOT_IQ1_M, _iq1_m);              \
    }

#endif
