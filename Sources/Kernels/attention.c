// One query's attention over cached rows (the decode step): scores, softmax, weighted
// sum of values, in one call per head, for an F16 or F32 KV cache. Scalar reference and
// AVX2 / AVX-512 versions (F16C conversions, FMA): they differ from the reference in
// summation order only.
//
//   q        hdk floats
//   keys     npos rows, row j at keys + j * key_stride bytes, hdk elements of `type`
//   values   npos rows, row j at values + j * value_stride bytes, hdv elements
//   scores   npos floats of scratch (left holding the probabilities)
//   out      hdv floats, overwritten: sum_j softmax(scale * q.k_j)_j * v_j
#include "kernels_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline float elem(int type, const uint8_t *row, size_t i) {
    if (type == PK_F16) { uint16_t h; memcpy(&h, row + 2 * i, 2); return pk_fp16_to_fp32(h); }
    float f; memcpy(&f, row + 4 * i, 4); return f;
}

static void attend_ref(int type, const float *q, const uint8_t *keys, size_t ks, const uint8_t *values,
                       size_t vs, size_t npos, size_t hdk, size_t hdv, float scale, float *scores, float *out) {
    for (size_t j = 0; j < npos; ++j) {
        float s = 0;
        for (size_t i = 0; i < hdk; ++i) s += q[i] * elem(type, keys + j * ks, i);
        scores[j] = s * scale;
    }
    pk_softmax_tier(0, scores, npos);
    for (size_t i = 0; i < hdv; ++i) out[i] = 0;
    for (size_t j = 0; j < npos; ++j)
        for (size_t i = 0; i < hdv; ++i) out[i] += scores[j] * elem(type, values + j * vs, i);
}

#if defined(__x86_64__)
// 16 values of a row as floats (F16 via F16C, or F32).
__attribute__((target("avx512f,f16c,fma")))
static inline __m512 load16(int type, const uint8_t *row, size_t i) {
    return type == PK_F16 ? _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(row + 2 * i)))
                          : _mm512_loadu_ps((const float *)(row + 4 * i));
}

__attribute__((target("avx512f,f16c,fma")))
static void attend_avx512(int type, const float *q, const uint8_t *keys, size_t ks, const uint8_t *values,
                          size_t vs, size_t npos, size_t hdk, size_t hdv, float scale, float *scores, float *out) {
    if (hdk % 16 || hdv % 16 || hdv > 512) { attend_ref(type, q, keys, ks, values, vs, npos, hdk, hdv, scale, scores, out); return; }
    for (size_t j = 0; j < npos; ++j) {
        const uint8_t *k = keys + j * ks;
        __m512 acc = _mm512_setzero_ps();
        for (size_t i = 0; i < hdk; i += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), load16(type, k, i), acc);
        scores[j] = _mm512_reduce_add_ps(acc) * scale;
    }
    pk_softmax_tier(2, scores, npos);
    for (size_t i = 0; i < hdv; i += 16) _mm512_storeu_ps(out + i, _mm512_setzero_ps());
    for (size_t j = 0; j < npos; ++j) {
        const uint8_t *v = values + j * vs;
        __m512 p = _mm512_set1_ps(scores[j]);
        for (size_t i = 0; i < hdv; i += 16)
            _mm512_storeu_ps(out + i, _mm512_fmadd_ps(p, load16(type, v, i), _mm512_loadu_ps(out + i)));
    }
}

__attribute__((target("avx2,f16c,fma")))
static inline __m256 load8(int type, const uint8_t *row, size_t i) {
    return type == PK_F16 ? _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + 2 * i)))
                          : _mm256_loadu_ps((const float *)(row + 4 * i));
}

__attribute__((target("avx2,f16c,fma")))
static void attend_avx2(int type, const float *q, const uint8_t *keys, size_t ks, const uint8_t *values,
                        size_t vs, size_t npos, size_t hdk, size_t hdv, float scale, float *scores, float *out) {
    if (hdk % 8 || hdv % 8) { attend_ref(type, q, keys, ks, values, vs, npos, hdk, hdv, scale, scores, out); return; }
    for (size_t j = 0; j < npos; ++j) {
        const uint8_t *k = keys + j * ks;
        __m256 acc = _mm256_setzero_ps();
        for (size_t i = 0; i < hdk; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), load8(type, k, i), acc);
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        s = _mm_add_ss(s, _mm_movehdup_ps(s));
        scores[j] = _mm_cvtss_f32(s) * scale;
    }
    pk_softmax_tier(1, scores, npos);
    for (size_t i = 0; i < hdv; i += 8) _mm256_storeu_ps(out + i, _mm256_setzero_ps());
    for (size_t j = 0; j < npos; ++j) {
        const uint8_t *v = values + j * vs;
        __m256 p = _mm256_set1_ps(scores[j]);
        for (size_t i = 0; i < hdv; i += 8)
            _mm256_storeu_ps(out + i, _mm256_fmadd_ps(p, load8(type, v, i), _mm256_loadu_ps(out + i)));
    }
}
#endif

int pk_attend_tier(int tier, int type, const float *q, const void *keys, size_t key_stride,
                   const void *values, size_t value_stride, size_t npos, size_t hdk, size_t hdv,
                   float scale, float *scores, float *out) {
    if (type != PK_F16 && type != PK_F32) return PK_EBADTYPE;
    if (!q || !scores || !out || (npos && (!keys || !values))) return PK_EBADARG;
    if (npos == 0) { for (size_t i = 0; i < hdv; ++i) out[i] = 0; return PK_OK; }
    tier = pk_kernels_tier(pk_kernels_for_tier(tier));  // clamped to the CPU
#if defined(__x86_64__)
    if (tier >= 2) { attend_avx512(type, q, keys, key_stride, values, value_stride, npos, hdk, hdv, scale, scores, out); return PK_OK; }
    if (tier == 1) { attend_avx2(type, q, keys, key_stride, values, value_stride, npos, hdk, hdv, scale, scores, out); return PK_OK; }
#endif
    attend_ref(type, q, keys, key_stride, values, value_stride, npos, hdk, hdv, scale, scores, out);
    return PK_OK;
}

// ---- All heads of causal queries, split over the pool -----------------------------------

struct heads_job {
    int tier, type;
    const float *q;
    size_t queries, heads, group;
    const uint8_t *keys, *values;
    size_t key_stride, value_stride, npos, hdk, hdv, elem;
    float scale;
    float *scores, *out;
    size_t *next, chunk;  // the pairs' counter (pk_take_chunk) and chunk size
};

// The threads take chunks of (query, head) pairs as they go: query i sees npos + i rows,
// so an even split by count would leave the thread with the last queries most of the work.
static void heads_worker(void *p, int ith, int nth) {
    (void)nth;
    const struct heads_job *j = p;
    const size_t pairs = j->queries * j->heads, span = j->npos + j->queries - 1;
    for (size_t t0, t1; pk_take_chunk(j->next, j->chunk, pairs, &t0, &t1);) {
        for (size_t t = t0; t < t1; ++t) {
            size_t i = t / j->heads, h = t % j->heads, kvh = h / j->group;
            pk_attend_tier(j->tier, j->type, j->q + (i * j->heads + h) * j->hdk, j->keys + kvh * j->hdk * j->elem,
                           j->key_stride, j->values + kvh * j->hdv * j->elem, j->value_stride, j->npos + i, j->hdk,
                           j->hdv, j->scale, j->scores + (size_t)ith * span, j->out + (i * j->heads + h) * j->hdv);
        }
    }
}

int pk_attend_queries_tier(int tier, pk_pool *pool, int type, const float *q, size_t queries, size_t heads,
                           size_t group, const void *keys, size_t key_stride, const void *values,
                           size_t value_stride, size_t npos, size_t hdk, size_t hdv, float scale,
                           float *scores, float *out) {
    if (type != PK_F16 && type != PK_F32) return PK_EBADTYPE;
    if (!q || !scores || !out || ((npos || queries > 1) && (!keys || !values))) return PK_EBADARG;
    if (group == 0 || heads % group != 0) return PK_EBADSHAPE;
    if (heads == 0 || queries == 0) return PK_OK;
    struct heads_job job = {
        .tier = tier, .type = type, .q = q, .queries = queries, .heads = heads, .group = group, .keys = keys,
        .values = values, .key_stride = key_stride, .value_stride = value_stride, .npos = npos, .hdk = hdk,
        .hdv = hdv, .elem = type == PK_F16 ? 2 : 4, .scale = scale, .scores = scores, .out = out,
    };
    size_t next = 0;
    job.next = &next;
    job.chunk = pk_chunk_size(queries * heads, pk_pool_size(pool), 1, 1);
    pk_pool_run(pool, heads_worker, &job);
    return PK_OK;
}

int pk_attend_heads_tier(int tier, pk_pool *pool, int type, const float *q, size_t heads, size_t group,
                         const void *keys, size_t key_stride, const void *values, size_t value_stride,
                         size_t npos, size_t hdk, size_t hdv, float scale, float *scores, float *out) {
    return pk_attend_queries_tier(tier, pool, type, q, 1, heads, group, keys, key_stride, values, value_stride,
                                  npos, hdk, hdv, scale, scores, out);
}
