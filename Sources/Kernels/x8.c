// Row-interleaved ("x8") weights for decode: 8 rows' super-blocks (or blocks) side by side,
// so a SIMD kernel puts one row in each 32-bit lane. A one-column dot over the plain
// layout spends most of its instructions on per-row work that cannot be shared: the
// scale and min decode, a horizontal sum per super-block, the float tail. Over x8 weights
// that work is done once for 8 rows in vector lanes, and every activation load is a
// 4-byte broadcast used by 8 rows. Q4_K and Q5_K bytes are the plain layout's in another
// order; Q6_K's quants are also re-encoded (below). Packing is lossless, pk_x8_unpack its
// exact inverse.
//
// Layout, per group of 8 rows (rows 8G .. 8G+7) and super-block i, at
// P + (G * nb + i) * X8_BYTES(t), nb = cols / 256; byte 4r .. 4r+3 of every 32-byte
// chunk belongs to row 8G + r:
//
// Q4_K (1152 bytes = 8 x 144):
//   [0, 16)      d[8]      f16, row r's d
//   [16, 32)     dmin[8]   f16
//   [32, 128)    u32 s0[8], s1[8], s2[8]: row r's scales[0..3], [4..7], [8..11]
//   [128, 1152)  chunk (g, k) (g < 4, k < 8) at 128 + 32 (8g + k): row r's
//                qs[32g + 4k .. 32g + 4k + 3] (low nibbles: values 64g + 4k .., sub-block
//                2g; high nibbles: values 64g + 32 + 4k .., sub-block 2g + 1)
// Q5_K (1408 bytes = 8 x 176): as Q4_K, with the qh bytes inserted before the qs:
//   [0, 128)     d, dmin, scales as Q4_K
//   [128, 384)   chunk k (k < 8) at 128 + 32k: row r's qh[4k .. 4k + 3] (bits 2g and
//                2g + 1 are the fifth bits of the values of qs chunk (g, k))
//   [384, 1408)  the qs chunks as Q4_K's, at 384 + 32 (8g + k)
// Q6_K (1680 bytes = 8 x 210):
//   [0, 16)      d[8]      f16
//   [16, 144)    pair t (t < 8) at 16 + 16t: row r's scales[2t], scales[2t+1] at 2r, 2r+1
//   [144, 1680)  for h < 2, k < 8, at 144 + 96 (8h + k), three chunks s0, s1, s2: byte
//                e of row r's 4 in s_m holds q_m = the unsigned 6-bit value 128h + 32m
//                + 4k + e (its ql nibble and qh bits) in bits 0-5, and bits 2m, 2m + 1
//                of q_3 in bits 6-7. The kernel gets q_0 .. q_2 with one AND each and
//                q_3 with three shifts, three ANDs and two ORs: 11 operations per 96
//                bytes where the plain ql/qh split takes 17 (measured on one Zen 1
//                thread: 17.5 -> 15.0 ns per 8-row super-block from cache, 2 threads from
//                DRAM 23 -> 26.5 GB/s). The chunks are in the order the kernel reads
//                them: a plain forward stream, which the hardware prefetcher follows
//                (the first layout tried, ql and qh in separate runs, streamed at half
//                the speed).
//
// The 32-block types (x8 kernels: Q4_0 and Q4_1 on AVX2 where 256-bit operations are not
// split and on AVX-512 VNNI, Q8_0 on AVX-512 VNNI only), per group of 8 rows and
// block b (32 values), at P + (G * nb + b) * X8_BYTES(t), nb = cols / 32:
// Q4_0 (144 bytes = 8 x 18): [0, 16) d[8]; [16, 144) chunk k (k < 4) at 16 + 32k: row r's
//   qs[4k .. 4k + 3] (low nibbles: values 4k .., high: 16 + 4k ..)
// Q4_1 (160 bytes = 8 x 20): [0, 16) d[8]; [16, 32) m[8]; [32, 160) the chunks as Q4_0's
// Q8_0 (272 bytes = 8 x 34): [0, 16) d[8]; [16, 272) chunk k (k < 8) at 16 + 32k: row r's
//   qs[4k .. 4k + 3] XOR 0x80 (biased to unsigned, as vpdpbusd multiplies them; the
//   activations' ncorr array takes the bias back exactly)
// Their kernels and the tier's one-row dots share one float order (gemv_x8_q32_template.h).
//
// pk_matmul_x8_tier: calls of at most 8 columns (any call for the 32-block types) run the
// tier's x8 kernel (gemv8[slot]) when it has one; prefill-sized calls the tier's K-quant GEMM (gemm.c), whose workers
// unpack a tile of rows at a time into their own buffer; the rest (the scalar tier, 5 to 7
// columns) unpack a few MiB of rows at a time into the calling thread's buffer and run
// pk_matmul_tier on them. The x8
// kernels are bitwise the tier's one-row dot (the canonical K-quant sequence in
// dot_avx2_kquants.c), and the unpacked path is pk_matmul itself, so a packed matrix
// gives the same bits as the plain one on every path.
#include "kernels_internal.h"

size_t pk_x8_group_block_bytes(int t) {
    switch (t) {
    case PK_Q4_K: return 8 * sizeof(pk_block_q4_K);
    case PK_Q5_K: return 8 * sizeof(pk_block_q5_K);
    case PK_Q6_K: return 8 * sizeof(pk_block_q6_K);
    case PK_Q4_0: return 8 * sizeof(pk_block_q4_0);
    case PK_Q4_1: return 8 * sizeof(pk_block_q4_1);
    case PK_Q8_0: return 8 * sizeof(pk_block_q8_0);
    default: return 0;
    }
}

int pk_x8_supports(int tier, int t) {
    int s = pk_slot_of(t);
    if (s < 0 || pk_x8_group_block_bytes(t) == 0) return 0;
    return pk_kernels_for_tier(tier)->gemv8[s] != NULL;
}

// One super-block of 8 rows: plain blocks src[r] (stride ss bytes) <-> x8 bytes x.
// Q4_K (five = 0) and Q5_K (five = 1; its qh chunks sit between the scales and the qs).
static void k45_move(uint8_t *x, uint8_t *plain, size_t ss, int five, int pack) {
    const size_t xq = five ? 384 : 128, pq = five ? 48 : 16;  // the qs chunks, in x and plain
    for (int r = 0; r < 8; ++r) {
        uint8_t *b = plain + (size_t)r * ss;
        // (offset in x, offset in the plain block, bytes)
        const size_t moves[5][3] = {
            {2 * r, 0, 2}, {16 + 2 * r, 2, 2},
            {32 + 4 * r, 4, 4}, {64 + 4 * r, 8, 4}, {96 + 4 * r, 12, 4},
        };
        for (int m = 0; m < 5; ++m) {
            if (pack) memcpy(x + moves[m][0], b + moves[m][1], moves[m][2]);
            else memcpy(b + moves[m][1], x + moves[m][0], moves[m][2]);
        }
        for (int k = 0; five && k < 8; ++k) {
            uint8_t *xc = x + 128 + 32 * k + 4 * r, *pc = b + 16 + 4 * k;
            if (pack) memcpy(xc, pc, 4); else memcpy(pc, xc, 4);
        }
        for (int g = 0; g < 4; ++g)
            for (int k = 0; k < 8; ++k) {
                uint8_t *xc = x + xq + 32 * (8 * g + k) + 4 * r, *pc = b + pq + 32 * g + 4 * k;
                if (pack) memcpy(xc, pc, 4); else memcpy(pc, xc, 4);
            }
    }
}

// Q6_K's three chunks of (h, k): bytes e < 4 of row r hold its four 6-bit values
// q_m = value 128h + 32m + 4k + e (m < 4, unsigned: low 4 bits from ql, top 2 from qh) as
// s_m = q_m | (bits 2m, 2m + 1 of q3) << 6 for m < 3.
static void q6k_move(uint8_t *x, uint8_t *plain, size_t ss, int pack) {
    for (int r = 0; r < 8; ++r) {
        uint8_t *b = plain + (size_t)r * ss;
        pk_block_q6_K *q = (pk_block_q6_K *)b;
        uint8_t *sc = (uint8_t *)q->scales;
        if (pack) memcpy(x + 2 * r, &q->d, 2); else memcpy(&q->d, x + 2 * r, 2);
        for (int t = 0; t < 8; ++t) {
            if (pack) memcpy(x + 16 + 16 * t + 2 * r, sc + 2 * t, 2);
            else memcpy(sc + 2 * t, x + 16 + 16 * t + 2 * r, 2);
        }
        for (int h = 0; h < 2; ++h)
            for (int k = 0; k < 8; ++k) {
                // Row r's 4 bytes of each, as words: every operation below is per byte
                // (right shifts are masked after, left shifts before), so any byte order works.
                uint8_t *s = x + 144 + 96 * (8 * h + k) + 4 * r;  // s_m at s + 32m
                uint8_t *l1 = q->ql + 64 * h + 4 * k, *l2 = l1 + 32, *hh = q->qh + 32 * h + 4 * k;
                const uint32_t b2 = 0x03030303u, b4 = 0x0F0F0F0Fu, b6 = 0x3F3F3F3Fu;
                uint32_t L1, L2, H, S0, S1, S2;
                if (pack) {
                    memcpy(&L1, l1, 4), memcpy(&L2, l2, 4), memcpy(&H, hh, 4);
                    uint32_t q3 = (L2 >> 4 & b4) | (H >> 6 & b2) << 4;
                    S0 = (L1 & b4) | (H & b2) << 4 | (q3 & b2) << 6;
                    S1 = (L2 & b4) | (H >> 2 & b2) << 4 | (q3 >> 2 & b2) << 6;
                    S2 = (L1 >> 4 & b4) | (H >> 4 & b2) << 4 | (q3 >> 4 & b2) << 6;
                    memcpy(s, &S0, 4), memcpy(s + 32, &S1, 4), memcpy(s + 64, &S2, 4);
                } else {
                    memcpy(&S0, s, 4), memcpy(&S1, s + 32, 4), memcpy(&S2, s + 64, 4);
                    uint32_t q0 = S0 & b6, q1 = S1 & b6, q2 = S2 & b6;
                    uint32_t q3 = (S0 >> 6 & b2) | (S1 >> 6 & b2) << 2 | (S2 >> 6 & b2) << 4;
                    L1 = (q0 & b4) | (q2 & b4) << 4;
                    L2 = (q1 & b4) | (q3 & b4) << 4;
                    H = (q0 >> 4 & b2) | (q1 >> 4 & b2) << 2 | (q2 >> 4 & b2) << 4 | (q3 >> 4 & b2) << 6;
                    memcpy(l1, &L1, 4), memcpy(l2, &L2, 4), memcpy(hh, &H, 4);
                }
            }
    }
}

// One block of 8 rows of a 32-block type (layout above).
static void q32_move(int t, uint8_t *x, uint8_t *plain, size_t ss, int pack) {
    const size_t hdr = t == PK_Q4_1 ? 4 : 2, nq = t == PK_Q8_0 ? QK : QK / 2;  // plain: scales, then qs
    const uint8_t flip = t == PK_Q8_0 ? 0x80 : 0;
    uint8_t *xq = x + 8 * hdr;
    for (int r = 0; r < 8; ++r) {
        uint8_t *b = plain + (size_t)r * ss;
        for (size_t h = 0; h < hdr / 2; ++h) {
            if (pack) memcpy(x + 16 * h + 2 * r, b + 2 * h, 2);
            else memcpy(b + 2 * h, x + 16 * h + 2 * r, 2);
        }
        for (size_t k = 0; k < nq / 4; ++k)
            for (int e = 0; e < 4; ++e) {
                uint8_t *xc = xq + 32 * k + 4 * r + e, *pc = b + hdr + 4 * k + e;
                if (pack) *xc = *pc ^ flip; else *pc = *xc ^ flip;
            }
    }
}

// Rows [row0, row0 + nrows) (multiples of 8) between plain W and x8 P.
static int x8_move(int t, uint8_t *P, uint8_t *W, size_t cols, size_t row0, size_t nrows, int pack) {
    size_t gb = pk_x8_group_block_bytes(t);
    if (gb == 0) return PK_EBADTYPE;
    const size_t bv = pk_block_size(t);
    if (cols % bv != 0 || row0 % 8 != 0 || nrows % 8 != 0) return PK_EBADSHAPE;
    size_t nb = cols / bv, rs = pk_row_size(t, cols), bs = gb / 8;
    for (size_t G = row0 / 8; G < (row0 + nrows) / 8; ++G)
        for (size_t i = 0; i < nb; ++i) {
            uint8_t *x = P + (G * nb + i) * gb;
            uint8_t *plain = W + (G * 8 - row0) * rs + i * bs;
            if (t == PK_Q6_K) q6k_move(x, plain, rs, pack);
            else if (bv == QK) q32_move(t, x, plain, rs, pack);
            else k45_move(x, plain, rs, t == PK_Q5_K, pack);
        }
    return PK_OK;
}

int pk_x8_pack(int t, const void *W, size_t rows, size_t cols, void *P) {
    if ((!W || !P) && rows) return PK_EBADARG;
    return x8_move(t, P, (uint8_t *)W, cols, 0, rows, 1);
}

int pk_x8_unpack(int t, const void *P, size_t cols, size_t row0, size_t nrows, void *W) {
    if ((!W || !P) && nrows) return PK_EBADARG;
    return x8_move(t, (uint8_t *)P, W, cols, row0, nrows, 0);
}

// ---- Products -----------------------------------------------------------------------

struct x8_job {
    pk_gemv8_fn kernel;
    const uint8_t *P;
    size_t group_bytes, groups, nb;
    const uint8_t *x;
    size_t xs, nx;
    float *out;
    size_t ldo;
    size_t *next, chunk;  // the groups' counter (pk_take_chunk) and chunk size
};

/// Each group of 8 rows against the columns four at a time (the kernel's widest call):
/// the group's bytes stay in L1 from one call to the next, and each column's result is
/// the kernel's one-column result (X8Tests).
static void x8_worker(void *p, int ith, int nth) {
    (void)ith, (void)nth;
    const struct x8_job *job = p;
    for (size_t g0, g1; pk_take_chunk(job->next, job->chunk, job->groups, &g0, &g1);) {
        for (size_t g = g0; g < g1; ++g)
            for (size_t c = 0; c < job->nx; c += 4) {
                int nc = job->nx - c < 4 ? (int)(job->nx - c) : 4;
                job->kernel(job->nb, job->P + g * job->group_bytes, job->x + c * job->xs, job->xs, nc,
                            job->out + c * job->ldo + 8 * g, job->ldo);
            }
    }
}

// Rows unpacked per step of the fallback; the most columns the x8 kernels take, in calls
// of four: a speculative verification pass (up to 7 drafts). Larger calls are prefill and
// go to the GEMM (at 5 and 8 columns the kernels measured 2.8 to 6 times faster than it;
// where the two cross above 8 is not measured).
enum { X8_UNPACK_BYTES = 4 << 20, X8_KERNEL_COLUMNS = 8 };

int pk_matmul_x8_tier(int tier, pk_pool *pool, int t, const void *P, size_t rows, size_t cols,
                      const void *xq, size_t nx, float *out, size_t ldo) {
    int s = pk_slot_of(t);
    size_t gb = pk_x8_group_block_bytes(t);
    if (s < 0 || gb == 0) return PK_EBADTYPE;
    const size_t bv = pk_block_size(t);
    if (cols % bv != 0 || rows % 8 != 0) return PK_EBADSHAPE;
    int rc = pk_matmul_check(t, P, rows, cols, xq, nx, out, ldo);
    if (rc != PK_OK) return rc;
    if (rows == 0 || nx == 0) return PK_OK;
    const pk_kernels *k = pk_kernels_for_tier(tier);
    size_t nb = cols / bv, xs = pk_activation_size(t, cols);
    // The 32-block types have no GEMM over x8 tiles: their kernel takes any call, four
    // columns at a time (at 4 columns it costs less per column than their plain dots).
    if (k->gemv8[s] && (nx <= X8_KERNEL_COLUMNS || bv == QK)) {
        struct x8_job job = {
            .kernel = k->gemv8[s], .P = P, .group_bytes = nb * gb, .groups = rows / 8, .nb = nb,
            .x = xq, .xs = xs, .nx = nx, .out = out, .ldo = nx > 1 ? ldo : rows,
        };
        size_t next = 0;
        job.next = &next;
        job.chunk = pk_chunk_size(rows / 8, pk_pool_size(pool), 2, 1);
        pk_pool_run(pool, x8_worker, &job);
        return PK_OK;
    }
    // Prefill-sized calls: the tier's GEMM, each worker unpacking its row tiles as it goes.
    if (pk_gemm_try_x8(k, pool, t, P, rows, cols, xq, nx, out, ldo) == 0) return PK_OK;
    size_t rs = pk_row_size(t, cols);
    size_t step = X8_UNPACK_BYTES / rs / 8 * 8;
    if (step < 8) step = 8;
    if (step > rows) step = rows;
    uint8_t *W = pk_thread_buffer(PK_TBUF_X8, step * rs);
    if (!W) return PK_ENOMEM;
    for (size_t r0 = 0; r0 < rows; r0 += step) {
        size_t n = rows - r0 < step ? rows - r0 : step;
        x8_move(t, (uint8_t *)P, W, cols, r0, n, 0);
        int rc = pk_matmul_tier(tier, pool, t, W, n, cols, xq, nx, out + r0, ldo);
        if (rc != PK_OK) return rc;
    }
    return PK_OK;
}

// ---- Plain 32-block matrices through the x8 kernels ----------------------------------

struct x8_plain_job {
    pk_gemv8_fn kernel;
    pk_dot_fn dot;
    int t;
    const uint8_t *W;
    size_t rows, cols, rs, nb, group_bytes;
    const uint8_t *x;
    size_t xs, nx;
    float *out;
    size_t ldo;
    size_t *next, chunk;
};

/// Each group of 8 rows packed into the worker's own buffer (a last group of fewer rows
/// padded with copies of its last row, whose results are dropped), then the kernel over
/// it for every column, four at a time. Without a buffer, the one-row dots (the same bits).
static void x8_plain_worker(void *p, int ith, int nth) {
    (void)ith, (void)nth;
    const struct x8_plain_job *job = p;
    uint8_t *buf = pk_thread_buffer(PK_TBUF_X8, job->group_bytes + 8 * job->rs);
    for (size_t g0, g1; pk_take_chunk(job->next, job->chunk, (job->rows + 7) / 8, &g0, &g1);) {
        for (size_t g = g0; g < g1; ++g) {
            const size_t r0 = 8 * g, n = job->rows - r0 < 8 ? job->rows - r0 : 8;
            if (!buf) {
                for (size_t c = 0; c < job->nx; ++c)
                    for (size_t r = r0; r < r0 + n; ++r)
                        job->out[c * job->ldo + r] = job->dot(job->cols, job->W + r * job->rs, job->x + c * job->xs);
                continue;
            }
            const uint8_t *src = job->W + r0 * job->rs;
            if (n < 8) {  // padded copy of the tail rows after the group's bytes
                uint8_t *tail = buf + job->group_bytes;
                memcpy(tail, src, n * job->rs);
                for (size_t r = n; r < 8; ++r) memcpy(tail + r * job->rs, src + (n - 1) * job->rs, job->rs);
                src = tail;
            }
            x8_move(job->t, buf, (uint8_t *)src, job->cols, 0, 8, 1);
            for (size_t c = 0; c < job->nx; c += 4) {
                const int nc = job->nx - c < 4 ? (int)(job->nx - c) : 4;
                float o[4 * 8];
                job->kernel(job->nb, buf, job->x + c * job->xs, job->xs, nc, o, 8);
                for (int j = 0; j < nc; ++j) memcpy(job->out + (c + (size_t)j) * job->ldo + r0, o + 8 * j, n * sizeof(float));
            }
        }
    }
}

int pk_x8_matmul_plain(const pk_kernels *k, pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                       const void *xq, size_t nx, float *out, size_t ldo) {
    const int s = pk_slot_of(t);
    if (s < 0 || pk_block_size(t) != QK || !k->gemv8[s] || nx < 2) return PK_EUNSUPPORTED;
    const size_t nb = cols / QK;
    struct x8_plain_job job = {
        .kernel = k->gemv8[s], .dot = k->dot[s], .t = t, .W = W, .rows = rows, .cols = cols,
        .rs = pk_row_size(t, cols), .nb = nb, .group_bytes = nb * pk_x8_group_block_bytes(t),
        .x = xq, .xs = pk_activation_size(t, cols), .nx = nx, .out = out, .ldo = ldo,
    };
    size_t next = 0;
    job.next = &next;
    job.chunk = pk_chunk_size((rows + 7) / 8, pk_pool_size(pool), 2, 1);
    pk_pool_run(pool, x8_plain_worker, &job);
    return PK_OK;
}
