#ifndef PONDER_KERNELS_H
#define PONDER_KERNELS_H
// Ponder's hot loops, in C, independent of any Swift module.
//
// Every kernel has a scalar reference version and AVX2+FMA / AVX-512 versions with the
// same signature, chosen once at start-up from CPUID (dispatch.c). Tests can call any tier
// explicitly through the *_tier entry points, so every tier is tested against the
// reference in one process without touching global state.
//
// Weight layouts are ggml's, byte for byte (see the block structs in kernels_internal.h):
//   Q4_0 18 B, Q4_1 20 B, Q5_0 22 B, Q5_1 24 B, Q8_0 34 B   per 32 values
//   Q4_K 144 B, Q5_K 176 B, Q6_K 210 B, Q8_K 292 B          per 256 values
//   F32 4 B, F16 2 B, BF16 2 B                               per value
// A row of `n` values is n / block_size consecutive blocks; n must be a multiple of the
// block size (the functions below return PK_EBADSHAPE otherwise).
//
// Activations: a weight row of a 32-block type (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) is dotted
// with activations quantized to Q8_0 (one format for all of them: the Q4_1/Q5_1 min term
// uses the int sum of the Q8_0 block, computed in the kernel, so no Q8_1 is needed);
// a K-quant row (Q4_K, Q5_K, Q6_K) with activations in Q8_K (with ggml's bsums);
// a float row (F32, F16, BF16) with plain F32 activations. pk_vec_dot_type() says which.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Tensor element types. The numbers are ggml's / GGUF's type ids, so a GGUF tensor's
/// type field can be passed through unchanged.
typedef enum pk_type {
    PK_F32 = 0, PK_F16 = 1, PK_Q4_0 = 2, PK_Q4_1 = 3, PK_Q5_0 = 6, PK_Q5_1 = 7,
    PK_Q8_0 = 8, PK_Q8_1 = 9, PK_Q4_K = 12, PK_Q5_K = 13, PK_Q6_K = 14, PK_Q8_K = 15,
    PK_BF16 = 30,
} pk_type;

/// Error codes returned by the entry points that check their arguments (0 = success).
enum { PK_OK = 0, PK_EBADTYPE = -1, PK_EBADSHAPE = -2, PK_EBADARG = -3 };

/// Number of values per block of `t` (1 for float types), 0 when `t` is not supported.
size_t pk_block_size(int t);
/// Bytes per block of `t` (bytes per value for float types), 0 when unsupported.
size_t pk_type_size(int t);
/// Bytes of a row of `n` values of type `t`; 0 when unsupported or n not a multiple
/// of the block size.
size_t pk_row_size(int t, size_t n);
/// The activation type a row of weight type `t` is dotted with: PK_Q8_0, PK_Q8_K or
/// PK_F32; -1 when `t` has no dot product here.
int pk_vec_dot_type(int t);

// ---- Dispatch -------------------------------------------------------------------

/// Which SIMD tier the dispatcher picked: 0 scalar, 1 AVX2+FMA+F16C, 2 AVX-512
/// (F, BW, VL, VNNI). PONDER_KERNELS=scalar|avx2|avx512 forces one (never above what
/// the CPU has). pk_set_tier changes it later (clamped the same way).
int pk_active_tier(void);
/// The highest tier this CPU supports.
int pk_max_tier(void);
/// Sets the active tier (clamped to [0, pk_max_tier()]); returns the tier now active.
int pk_set_tier(int tier);

/// The tier PONDER_KERNELS=`request` selects on a CPU whose best tier is max_tier:
/// "scalar" 0, "avx2" 1, "avx512" 2, clamped to max_tier; NULL or anything else
/// gives max_tier. (The pure rule used at start-up, exposed for tests.)
int pk_tier_for_request(const char *request, int max_tier);

/// One tier's kernels: function pointers with one signature per kind.
typedef struct pk_kernels pk_kernels;
/// The kernel table of `tier`, clamped to what this CPU supports.
const pk_kernels *pk_kernels_for_tier(int tier);
/// The tier a table belongs to (after clamping).
int pk_kernels_tier(const pk_kernels *k);

// ---- Activation quantization -------------------------------------------------------

/// x (n floats, n % 32 == 0) -> n/32 Q8_0 blocks: d = max|x|/127 (stored as fp16),
/// q = round-half-even(x / d). Same bytes on every tier.
void pk_quantize_row_q8_0(const float *x, void *y, size_t n);
/// x (n floats, n % 256 == 0) -> n/256 Q8_K blocks: d = -max/127 where max is the value
/// of largest magnitude, q = min(127, round-half-even(x / d)), bsums[j] = sum of
/// q[16j .. 16j+15]. Same bytes on every tier.
void pk_quantize_row_q8_K(const float *x, void *y, size_t n);
/// Quantizes x into the activation format of weight type `t` (Q8_0, Q8_K, or a plain
/// copy for float types) with the kernels of `tier`. Returns 0 or a PK_E* code.
int pk_quantize_row_tier(int tier, int t, const float *x, void *y, size_t n);
/// Bytes needed for the activations of `n` values for weight type `t`.
size_t pk_activation_size(int t, size_t n);

// ---- Dot products -----------------------------------------------------------------

/// dot(weight row w of type t, activations x in pk_vec_dot_type(t)) over n values,
/// with the kernels of `tier`. NaN when t is unsupported or n is not a multiple of the
/// block size.
float pk_vec_dot_tier(int tier, int t, size_t n, const void *w, const void *x);
/// Same with the active tier.
float pk_vec_dot(int t, size_t n, const void *w, const void *x);

// ---- Dequantization and conversion (scalar reference) ------------------------------

/// src (a row of n values of type t) -> dst (n floats). Returns 0 or a PK_E* code.
/// Matches ggml's reference dequantization (and gguf-py's numpy one) bit for bit.
int pk_dequantize_row(int t, const void *src, float *dst, size_t n);
/// IEEE half (bits) -> float, exact.
float pk_fp16_to_fp32(uint16_t h);
/// float -> IEEE half (bits), round to nearest even; overflow -> inf, NaN kept NaN.
uint16_t pk_fp32_to_fp16(float f);
/// Row conversions (n values).
void pk_fp16_to_fp32_row(const uint16_t *src, float *dst, size_t n);
void pk_fp32_to_fp16_row(const float *src, uint16_t *dst, size_t n);

// ---- Thread pool ------------------------------------------------------------------

/// A persistent pool: nthreads-1 worker threads created once; the caller of
/// pk_pool_run is thread 0. Workers spin briefly, then sleep on a futex.
typedef struct pk_pool pk_pool;
/// A job: called once on each of `nth` threads with ith in [0, nth).
typedef void (*pk_job_fn)(void *ctx, int ith, int nth);
/// Creates a pool of nthreads (1 ... 256) threads in all; NULL on failure.
pk_pool *pk_pool_create(int nthreads);
/// Stops and joins the workers and frees the pool. NULL is accepted.
void pk_pool_destroy(pk_pool *pool);
/// Number of threads (including the caller).
int pk_pool_size(const pk_pool *pool);
/// Runs fn(ctx, ith, nth) on every thread and returns when all have finished.
/// Calls from several threads are serialized. pool == NULL runs fn(ctx, 0, 1) inline.
void pk_pool_run(pk_pool *pool, pk_job_fn fn, void *ctx);

// ---- Matrix-vector and matrix-matrix ------------------------------------------------

/// out[r] = dot(W row r, xq) for r in [0, rows). W: rows x cols of type t, row-major,
/// rows pk_row_size(t, cols) bytes apart. xq: one activation row (pk_vec_dot_type(t),
/// cols values). Rows are split evenly over the pool's threads (pool may be NULL).
/// No allocation. Returns 0 or a PK_E* code.
int pk_matvec(pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
              const void *xq, float *out);
/// pk_matvec with the kernels of `tier`.
int pk_matvec_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows,
                   size_t cols, const void *xq, float *out);
/// Batched: out[j * ldo + r] = dot(W row r, activation row j) for j in [0, nx),
/// r in [0, rows). xq holds nx activation rows, each pk_activation_size(t, cols) bytes
/// apart; ldo >= rows. Each thread takes a slice of weight rows and streams every
/// activation row past a small tile of weight rows kept in cache. No allocation.
int pk_matmul(pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
              const void *xq, size_t nx, float *out, size_t ldo);
/// pk_matmul with the kernels of `tier`.
int pk_matmul_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows,
                   size_t cols, const void *xq, size_t nx, float *out, size_t ldo);

// ---- Measurement ------------------------------------------------------------------

/// Streams a `bytes`-sized buffer (rounded up to 4 KiB) through `threads` threads a few
/// times and returns the best read bandwidth in GB/s (1e9 bytes/s); 0 on failure.
double pk_measure_read_bandwidth(size_t bytes, int threads);

#ifdef __cplusplus
}
#endif
#endif

// Engine's interim kernels (pe_*), in their own header.
#include "engine_kernels.h"
