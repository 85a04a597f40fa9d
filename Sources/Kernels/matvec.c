// Matrix-vector and batched matrix-matrix products over the thread pool.
// W is rows x cols of one weight type, row-major, row r at W + r * pk_row_size(t, cols).
// The threads take chunks of rows as they go (pk_take_chunk); each out[r] is written by
// one thread only, and is one sequential dot, so results do not depend on the thread
// count or on which thread took the row.
#include "kernels_internal.h"

struct mm_job {
    pk_dot_fn dot;
    pk_dot4_fn dot4;      // may be NULL
    pk_dotn_fn dotn;      // may be NULL; taken before dot4
    pk_dotu_fn dotu;      // may be NULL; taken for whole blocks of 16 rows before dotn
    const uint8_t *xu;    // the activation rows offset to unsigned (pk_q8_K_offset), for dotu
    const uint8_t *xtail; // NULL, or the last 3 activation rows padded to 4 with a copy of
                          // the last one, for dot4 (the padding's products are dropped)
    const uint8_t *W;
    size_t row_bytes, rows, cols;
    const uint8_t *x;     // nx activation rows, x_bytes apart
    size_t x_bytes, nx;
    float *out;           // out[j * ldo + r]
    size_t ldo;
    size_t *next, chunk;  // the rows' counter (pk_take_chunk) and chunk size
};

enum { ROW_TILE = 16 };  // weight rows kept hot while the activation rows stream past
_Static_assert(ROW_TILE <= PK_DOTU_ROWS, "a tile is one dotu call");

/// Rows [r0, r1) against every activation row.
static void mm_rows(const struct mm_job *job, size_t r0, size_t r1) {
    if (job->nx == 1) {
        for (size_t r = r0; r < r1; ++r)
            job->out[r] = job->dot(job->cols, job->W + r * job->row_bytes, job->x);
        return;
    }
    for (size_t rt = r0; rt < r1; rt += ROW_TILE) {
        size_t re = rt + ROW_TILE < r1 ? rt + ROW_TILE : r1;
        size_t j = 0;
        // Many activation rows at a time (the IQ types, whose decoding costs more than
        // the products): whole blocks of 16, up to PK_DOTU_MAX per call, each weight block
        // decoded once for all of them; the rest through dotn.
        for (size_t whole = job->nx / 16 * 16; job->dotu && j < whole;) {
            const int nc = whole - j < PK_DOTU_MAX ? (int)(whole - j) : PK_DOTU_MAX;
            const uint8_t *xj = job->xu + j * job->x_bytes;
            float *oj = job->out + j * job->ldo;
            job->dotu(job->cols, job->W + rt * job->row_bytes, job->row_bytes, (int)(re - rt), xj, job->x_bytes, nc,
                      oj + rt, job->ldo);
            j += (size_t)nc;
        }
        for (; job->dotn && j < job->nx; j += PK_DOTN_MAX) {
            const int nc = job->nx - j < PK_DOTN_MAX ? (int)(job->nx - j) : PK_DOTN_MAX;
            const uint8_t *xj = job->x + j * job->x_bytes;
            float *oj = job->out + j * job->ldo;
            for (size_t r = rt; r < re; ++r) {
                float o[PK_DOTN_MAX];
                job->dotn(job->cols, job->W + r * job->row_bytes, xj, job->x_bytes, nc, o);
                for (int c = 0; c < nc; ++c) oj[(size_t)c * job->ldo + r] = o[c];
            }
        }
        for (; job->dot4 && j + 4 <= job->nx; j += 4) {
            const uint8_t *xj = job->x + j * job->x_bytes;
            float *oj = job->out + j * job->ldo;
            for (size_t r = rt; r < re; ++r) {
                float o[4];
                job->dot4(job->cols, job->W + r * job->row_bytes, xj, job->x_bytes, o);
                for (int c = 0; c < 4; ++c) oj[(size_t)c * job->ldo + r] = o[c];
            }
        }
        if (job->xtail && j < job->nx) {
            const size_t nc = job->nx - j;
            float *oj = job->out + j * job->ldo;
            for (size_t r = rt; r < re; ++r) {
                float o[4];
                job->dot4(job->cols, job->W + r * job->row_bytes, job->xtail, job->x_bytes, o);
                for (size_t c = 0; c < nc; ++c) oj[c * job->ldo + r] = o[c];
            }
            j = job->nx;
        }
        for (; j < job->nx; ++j) {
            const uint8_t *xj = job->x + j * job->x_bytes;
            float *oj = job->out + j * job->ldo;
            for (size_t r = rt; r < re; ++r) oj[r] = job->dot(job->cols, job->W + r * job->row_bytes, xj);
        }
    }
}

static void mm_worker(void *p, int ith, int nth) {
    (void)ith, (void)nth;
    const struct mm_job *job = p;
    for (size_t r0, r1; pk_take_chunk(job->next, job->chunk, job->rows, &r0, &r1);) mm_rows(job, r0, r1);
}

int pk_matmul_check(int t, const void *W, size_t rows, size_t cols, const void *xq, size_t nx,
                    const float *out, size_t ldo) {
    if (pk_slot_of(t) < 0) return PK_EBADTYPE;
    if (cols % pk_block_size(t) != 0) return PK_EBADSHAPE;
    if ((!W && rows) || (!xq && nx) || (!out && rows && nx) || (nx > 1 && ldo < rows)) return PK_EBADARG;
    return PK_OK;
}

int pk_matmul_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                   const void *xq, size_t nx, float *out, size_t ldo) {
    int rc = pk_matmul_check(t, W, rows, cols, xq, nx, out, ldo);
    if (rc != PK_OK) return rc;
    if (rows == 0 || nx == 0) return PK_OK;
    int s = pk_slot_of(t);
    // Prefill-sized calls on K-quants: the column-interleaved GEMM where the tier has one.
    if (pk_gemm_try(pk_kernels_for_tier(tier), pool, t, W, rows, cols, xq, nx, out, ldo) == 0) return PK_OK;
    // Several columns on a 32-block type with x8 kernels (Q4_0, Q4_1, Q8_0).
    if (pk_x8_matmul_plain(pk_kernels_for_tier(tier), pool, t, W, rows, cols, xq, nx, out, ldo) == 0) return PK_OK;
    struct mm_job job = {
        .dot = pk_kernels_for_tier(tier)->dot[s],
        .dot4 = pk_kernels_for_tier(tier)->dot4[s],
        .dotn = pk_kernels_for_tier(tier)->dotn[s],
        .W = W, .row_bytes = pk_row_size(t, cols), .rows = rows, .cols = cols,
        .x = xq, .x_bytes = pk_activation_size(t, cols), .nx = nx,
        .out = out, .ldo = ldo,
    };
    if (pk_kernels_for_tier(tier)->dotu[s] && nx >= 16) {
        size_t whole = nx / 16 * 16;
        uint8_t *xu = pk_thread_buffer(PK_TBUF_IQ, whole * job.x_bytes);
        if (xu) {
            pk_q8_K_offset(xq, whole * job.x_bytes / sizeof(pk_block_q8_K), xu);
            job.dotu = pk_kernels_for_tier(tier)->dotu[s], job.xu = xu;
        }
    }
    // A tail of 3 activation rows after the groups of four (a speculative verification of
    // 2 or 6 drafts) is padded to a group for dot4: one four-row dot per weight row
    // instead of 3 dots, each lane bitwise the dot.
    const size_t tail = nx % 4;
    if (job.dot4 && !job.dotn && tail == 3) {
        uint8_t *xt = pk_thread_buffer(PK_TBUF_TAIL, 4 * job.x_bytes);
        if (xt) {
            const uint8_t *last = job.x + (nx - 1) * job.x_bytes;
            memcpy(xt, job.x + (nx - tail) * job.x_bytes, tail * job.x_bytes);
            for (size_t c = tail; c < 4; ++c) memcpy(xt + c * job.x_bytes, last, job.x_bytes);
            job.xtail = xt;
        }
    }
    size_t next = 0;
    job.next = &next;
    job.chunk = pk_chunk_size(rows, pk_pool_size(pool), ROW_TILE, ROW_TILE);
    pk_pool_run(pool, mm_worker, &job);
    return PK_OK;
}

void pk_q8_K_offset(const void *x, size_t nb, void *out) {
    const pk_block_q8_K *a = x;
    pk_block_q8_K *b = out;
    for (size_t i = 0; i < nb; ++i) {
        b[i] = a[i];
        for (int k = 0; k < QKK; ++k) b[i].qs[k] = (int8_t)((uint8_t)a[i].qs[k] ^ 0x80);
    }
}

int pk_matmul(pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
              const void *xq, size_t nx, float *out, size_t ldo) {
    return pk_matmul_tier(pk_active_tier(), pool, t, W, rows, cols, xq, nx, out, ldo);
}

int pk_matvec_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                   const void *xq, float *out) {
    return pk_matmul_tier(tier, pool, t, W, rows, cols, xq, 1, out, rows);
}

int pk_matvec(pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
              const void *xq, float *out) {
    return pk_matvec_tier(pk_active_tier(), pool, t, W, rows, cols, xq, out);
}

// ---- Float activations in, quantized on the way (the engine's usual call) ---------

struct q_job {
    pk_quant_fn quant;
    const float *x;       // nx rows of cols floats
    uint8_t *y;           // nx rows of y_bytes
    size_t cols, y_bytes, nx;
    int side;             // Q8_0: also fill the side arrays
};

static void q_worker(void *p, int ith, int nth) {
    const struct q_job *job = p;
    size_t j0 = job->nx * (size_t)ith / (size_t)nth, j1 = job->nx * (size_t)(ith + 1) / (size_t)nth;
    for (size_t j = j0; j < j1; ++j) {
        uint8_t *y = job->y + j * job->y_bytes;
        job->quant(job->x + j * job->cols, y, job->cols);
        if (job->side) pk_q8_0_fill_side(y, job->cols / QK);
    }
}

int pk_matmul_f32_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                       const float *x, size_t nx, void *scratch, float *out, size_t ldo) {
    int a = pk_vec_dot_type(t);
    if (a < 0) return PK_EBADTYPE;
    if (cols % pk_block_size(t) != 0) return PK_EBADSHAPE;
    if (a == PK_F32) return pk_matmul_tier(tier, pool, t, W, rows, cols, x, nx, out, ldo);
    if ((!x || !scratch) && nx) return PK_EBADARG;
    const pk_kernels *k = pk_kernels_for_tier(tier);
    struct q_job q = {
        .quant = a == PK_Q8_0 ? k->quantize_q8_0 : k->quantize_q8_K,
        .x = x, .y = scratch, .cols = cols, .y_bytes = pk_activation_size(t, cols), .nx = nx,
        .side = a == PK_Q8_0,
    };
    if (nx > 1) pk_pool_run(pool, q_worker, &q);
    else if (nx == 1) q_worker(&q, 0, 1);
    return pk_matmul_tier(tier, pool, t, W, rows, cols, scratch, nx, out, ldo);
}

int pk_matmul_f32(pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                  const float *x, size_t nx, void *scratch, float *out, size_t ldo) {
    return pk_matmul_f32_tier(pk_active_tier(), pool, t, W, rows, cols, x, nx, scratch, out, ldo);
}

int pk_matvec_f32(pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                  const float *x, void *scratch, float *out) {
    return pk_matmul_f32_tier(pk_active_tier(), pool, t, W, rows, cols, x, 1, scratch, out, rows);
}
