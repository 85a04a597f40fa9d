// The GEMM driver: prefill-sized pk_matmul calls on Q4_K/Q5_K/Q6_K weights and, on the
// AVX-512 tier, the IQ2/IQ3 types (gemm_avx512_iq.c: rows unpacked to int8 tiles first),
// and the Q8_0 prefill GEMMs' calls (gemm_q8_0.c and gemm_q8_0_i16.c), each bringing its
// own packing and kernel (struct pk_gemm_spec).
//
// Two jobs on the pool:
//   1. pack: the nx Q8_K activation rows are rewritten column-interleaved, 8 columns per
//      group (pk_kpack_q8_K; groups split over the threads), into a buffer owned by the
//      calling thread (grow-only, kept for the thread's next call, freed at its exit);
//   2. multiply: the threads take tiles of ROW_TILE weight rows from a shared counter
//      (a thread the VM slows takes fewer, instead of holding up a fixed half); per tile
//      (unpacked first into the thread's buffer when the spec has an unpacking: x8
//      rows, IQ rows decoded to int8) a thread walks every pair of groups, and each two rows
//      of the tile meet the pair in one micro-kernel call (the tier's gemm[slot]): each
//      weight super-block is decoded once for 16 columns and each activation chunk
//      loaded once for two rows. The tile's rows stay in L1/L2 while the packed columns
//      stream past.
// Each out element is one micro-kernel lane: for the K-quants and IQ types bitwise the
// tier's one-row dot, so results do not depend on the thread count or on how the call
// was batched (the Q8_0 GEMM has its own fixed float order: independent of the thread
// count only).
#include "kernels_internal.h"
#include <pthread.h>
#include <stdlib.h>

enum {
    MIN_COLUMNS = 8,  // below one full group the dot kernels are as fast
    ROW_TILE = 24,    // weight rows kept in cache while every packed group passes
    TILE_NR = 2,      // micro-kernel shape: 2 rows x 2 groups (16 columns); measured
    TILE_NG = 2,      // against 1x2, 3x1, 3x2 and 4x1 (BENCHMARKS.md)
};

// ---- The calling thread's buffers (pk_thread_buffer) ---------------------------------

struct thread_buffers { void *p[PK_TBUF_COUNT]; size_t cap[PK_TBUF_COUNT]; };
static pthread_key_t buffer_key;
static pthread_once_t buffer_once = PTHREAD_ONCE_INIT;

static void free_buffers(void *b) {
    struct thread_buffers *tb = b;
    for (int i = 0; i < PK_TBUF_COUNT; ++i) free(tb->p[i]);
    free(tb);
}
static void make_key(void) { (void)pthread_key_create(&buffer_key, free_buffers); }

void *pk_thread_buffer(int slot, size_t bytes) {
    if (slot < 0 || slot >= PK_TBUF_COUNT) return NULL;
    pthread_once(&buffer_once, make_key);
    struct thread_buffers *tb = pthread_getspecific(buffer_key);
    if (!tb) {
        if (!(tb = calloc(1, sizeof *tb))) return NULL;
        if (pthread_setspecific(buffer_key, tb) != 0) { free(tb); return NULL; }
    }
    if (tb->cap[slot] < bytes) {
        size_t cap = (bytes + bytes / 4 + 63) & ~(size_t)63;
        void *p = aligned_alloc(64, cap);
        if (!p) return NULL;
        free(tb->p[slot]);
        tb->p[slot] = p;
        tb->cap[slot] = cap;
    }
    return tb->p[slot];
}

// ---- Packing ------------------------------------------------------------------------

/// flip: XORed into every ys byte (0, or 0x80 for the unsigned offset).
static void kpack(const void *x, size_t xs, int nc, size_t nb, uint8_t *out, uint32_t flip) {
    for (size_t i = 0; i < nb; ++i) {
        uint8_t *o = out + i * PK_KPACK_SB;
        memset(o, 0, PK_KPACK_SB);
        for (int c = 0; c < nc; ++c) {
            const pk_block_q8_K *b = (const pk_block_q8_K *)((const uint8_t *)x + (size_t)c * xs) + i;
            for (int k = 0; k < QKK / 4; ++k) {
                uint32_t v = pk_load_u32((const uint8_t *)b->qs + 4 * k) ^ flip;
                memcpy(o + PK_KPACK_YS + 32 * k + 4 * c, &v, 4);
            }
            memcpy(o + PK_KPACK_YD + 4 * c, &b->d, 4);
            int16_t bsp[8], b16[16];
            for (int t = 0; t < 4; ++t) {
                bsp[0] = (int16_t)(b->bsums[4 * t] + b->bsums[4 * t + 1]);
                bsp[1] = (int16_t)(b->bsums[4 * t + 2] + b->bsums[4 * t + 3]);
                memcpy(o + PK_KPACK_BSP + 32 * t + 4 * c, bsp, 4);
            }
            for (int t = 0; t < 8; ++t) {
                b16[0] = b->bsums[2 * t];
                b16[1] = b->bsums[2 * t + 1];
                memcpy(o + PK_KPACK_B16 + 32 * t + 4 * c, b16, 4);
            }
        }
    }
}

void pk_kpack_q8_K(const void *x, size_t xs, int nc, size_t nb, uint8_t *out) { kpack(x, xs, nc, nb, out, 0); }
void pk_kpack_q8_K_u(const void *x, size_t xs, int nc, size_t nb, uint8_t *out) {
    kpack(x, xs, nc, nb, out, 0x80808080u);
}

// ---- Jobs ---------------------------------------------------------------------------

struct gemm_job {
    pk_gemm_fn kernel;
    pk_gemm_pack_fn pack;
    pk_gemm_unpack_fn unpack;  // NULL: W's rows as stored
    int t;
    const uint8_t *W;
    size_t row_bytes, rows, nb;  // row_bytes: of a row as the kernel reads it (unpacked)
    const uint8_t *xq;     // nx input rows (quantized activations, or floats for the 16-bit GEMM), xs bytes apart
    size_t xs, nx;
    uint8_t *packed;       // ngroups groups, gs bytes apart
    size_t gs, ngroups;
    float *out;            // out[j * ldo + r]
    size_t ldo;
    uint8_t *tiles;        // unpack: ROW_TILE unpacked rows per thread, thread ith's at ith * tile bytes
    size_t *next;          // the next tile's first row (pk_take_chunk)
};

static void pack_worker(void *p, int ith, int nth) {
    const struct gemm_job *job = p;
    size_t g0 = job->ngroups * (size_t)ith / (size_t)nth, g1 = job->ngroups * (size_t)(ith + 1) / (size_t)nth;
    for (size_t g = g0; g < g1; ++g) {
        size_t left = job->nx - 8 * g;
        job->pack(job->xq + 8 * g * job->xs, job->xs, left < 8 ? (int)left : 8, job->nb, job->packed + g * job->gs);
    }
}

static void gemm_worker(void *p, int ith, int nth) {
    const struct gemm_job *job = p;
    (void)nth;
    // Unpacked weights: each row tile (whole units of the unpacking: ROW_TILE is a
    // multiple of every unit, and so is the row count) unpacked into this thread's buffer
    // first, where it stays hot for every group pair.
    uint8_t *tile = job->unpack ? job->tiles + (size_t)ith * ROW_TILE * job->row_bytes : NULL;
    float o[32];  // TILE_NR x 16
    size_t rt, re;
    while (pk_take_chunk(job->next, ROW_TILE, job->rows, &rt, &re)) {
        if (job->unpack) job->unpack(job->t, job->W, job->nb * pk_block_size(job->t), rt, re - rt, tile);
        const uint8_t *W = job->unpack ? tile : job->W + rt * job->row_bytes;  // row rt
        for (size_t g = 0; g < job->ngroups; g += (size_t)TILE_NG) {
            int ng = g + (size_t)TILE_NG <= job->ngroups ? TILE_NG : (int)(job->ngroups - g);
            size_t c0 = 8 * g, nc = job->nx - c0 < 8 * (size_t)ng ? job->nx - c0 : 8 * (size_t)ng;
            for (size_t r = rt; r < re; r += (size_t)TILE_NR) {
                int nr = r + (size_t)TILE_NR <= re ? TILE_NR : (int)(re - r);
                job->kernel(job->nb, W + (r - rt) * job->row_bytes, job->row_bytes, nr, job->packed + g * job->gs, job->gs, ng, o);
                for (int i = 0; i < nr; ++i)
                    for (size_t c = 0; c < nc; ++c) job->out[(c0 + c) * job->ldo + r + (size_t)i] = o[16 * i + (int)c];
            }
        }
    }
}

int pk_gemm_run(const struct pk_gemm_spec *spec, pk_pool *pool, int t, const void *W, size_t rows,
                size_t cols, const void *xq, size_t nx, float *out, size_t ldo) {
    size_t min_columns = spec->min_columns ? spec->min_columns : MIN_COLUMNS;
    if (!spec->kernel || nx < min_columns || cols % spec->block_values != 0) return -1;
    size_t nb = cols / spec->block_values, ngroups = (nx + 7) / 8, gs = nb * spec->packed_block_bytes;
    size_t unit = spec->unpack && spec->unpack_rows ? spec->unpack_rows : 1;
    if (rows % unit != 0 || ROW_TILE % unit != 0) return -1;
    size_t row_bytes = spec->unpack && spec->unpacked_block_bytes ? nb * spec->unpacked_block_bytes
                                                                  : pk_row_size(t, cols);  // a row as the kernel reads it
    uint8_t *packed = pk_thread_buffer(PK_TBUF_GEMM, ngroups * gs);
    if (!packed) return -1;  // no memory: the dot kernels need none
    // Unpacking: every worker's tile, taken here from the calling thread's buffer (no
    // allocation in the workers).
    uint8_t *tiles = NULL;
    if (spec->unpack) {
        size_t nth = pool ? (size_t)pk_pool_size(pool) : 1;
        if (!(tiles = pk_thread_buffer(PK_TBUF_X8, nth * ROW_TILE * row_bytes))) return -1;
    }
    size_t next = 0;
    struct gemm_job job = {
        .kernel = spec->kernel, .pack = spec->pack, .unpack = spec->unpack, .t = t, .W = W, .row_bytes = row_bytes,
        .rows = rows, .nb = nb, .xq = xq, .xs = spec->input_row_bytes ? spec->input_row_bytes : pk_activation_size(t, cols),
        .nx = nx, .packed = packed, .gs = gs, .ngroups = ngroups, .out = out, .ldo = ldo, .tiles = tiles, .next = &next,
    };
    pk_pool_run(pool, pack_worker, &job);
    pk_pool_run(pool, gemm_worker, &job);
    return 0;
}

struct pk_gemm_spec pk_kquant_gemm_spec(pk_gemm_fn kernel) {
    return (struct pk_gemm_spec){ .kernel = kernel, .pack = pk_kpack_q8_K, .block_values = QKK,
                                  .packed_block_bytes = PK_KPACK_SB };
}

int pk_gemm_try(const struct pk_kernels *k, pk_pool *pool, int t, const void *W, size_t rows,
                size_t cols, const void *xq, size_t nx, float *out, size_t ldo) {
    int s = pk_slot_of(t);
    return s < 0 ? -1 : pk_gemm_run(&k->gemm[s], pool, t, W, rows, cols, xq, nx, out, ldo);
}

int pk_gemm_try_x8(const struct pk_kernels *k, pk_pool *pool, int t, const void *P, size_t rows,
                   size_t cols, const void *xq, size_t nx, float *out, size_t ldo) {
    int s = pk_slot_of(t);
    if (s < 0 || pk_x8_group_block_bytes(t) == 0 || k->gemm[s].unpack) return -1;
    struct pk_gemm_spec spec = k->gemm[s];
    spec.unpack = pk_x8_unpack, spec.unpack_rows = 8;  // x8 tiles unpack to plain rows
    return pk_gemm_run(&spec, pool, t, P, rows, cols, xq, nx, out, ldo);
}
