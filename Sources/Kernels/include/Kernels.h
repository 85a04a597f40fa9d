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
//   IQ2_XXS 66 B, IQ2_XS 74 B, IQ2_S 82 B, IQ3_XXS 98 B, IQ3_S 110 B, IQ1_S 50 B,
//   IQ1_M 56 B                                               per 256 values
//   F32 4 B, F16 2 B, BF16 2 B                               per value
// A row of `n` values is n / block_size consecutive blocks; n must be a multiple of the
// block size (the functions below return PK_EBADSHAPE otherwise).
//
// Activations: a weight row of a 32-block type (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) is dotted
// with activations quantized to Q8_0 (one format for all of them, not ggml's Q8_1): the
// ggml Q8_0 blocks followed by two small float side arrays, each block's scale and
// scale * sum of its values, computed once per activation row (layout in
// kernels_internal.h) so the Q4_1/Q5_1 min term costs the dots one multiply per block.
// A K-quant or IQ1/IQ2/IQ3 row (Q4_K, Q5_K, Q6_K, IQ*) is dotted with activations in
// ggml's Q8_K (with its bsums); a float row (F32, F16, BF16) with plain F32
// activations. pk_vec_dot_type() says which, pk_activation_size() how many bytes; make
// them with pk_quantize_row().
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
    PK_IQ2_XXS = 16, PK_IQ2_XS = 17, PK_IQ3_XXS = 18, PK_IQ1_S = 19, PK_IQ3_S = 21, PK_IQ2_S = 22,
    PK_IQ1_M = 29, PK_BF16 = 30,
} pk_type;

/// Error codes returned by the entry points that check their arguments (0 = success).
enum { PK_OK = 0, PK_EBADTYPE = -1, PK_EBADSHAPE = -2, PK_EBADARG = -3, PK_ENOMEM = -4,
       PK_EUNSUPPORTED = -5 };

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

/// x (n floats, n % 32 == 0) -> n/32 ggml Q8_0 blocks: d = max|x|/127 (stored as fp16),
/// q = round-half-even(x / d). Same bytes on every tier. (The ggml blocks only: the dots
/// take pk_quantize_row's format, which adds the side arrays after these blocks.)
void pk_quantize_row_q8_0(const float *x, void *y, size_t n);
/// x (n floats, n % 256 == 0) -> n/256 Q8_K blocks: d = -max/127 where max is the value
/// of largest magnitude, q = min(127, round-half-even(x / d)), bsums[j] = sum of
/// q[16j .. 16j+15]. Same bytes on every tier.
void pk_quantize_row_q8_K(const float *x, void *y, size_t n);
/// Quantizes x into the activation format of weight type `t` (Q8_0 + side arrays, Q8_K,
/// or a plain copy for float types; pk_activation_size(t, n) bytes) with the kernels of
/// `tier`. Returns 0 or a PK_E* code.
int pk_quantize_row_tier(int tier, int t, const float *x, void *y, size_t n);
/// pk_quantize_row_tier with the active tier.
int pk_quantize_row(int t, const float *x, void *y, size_t n);
/// Bytes needed for the activations of `n` values for weight type `t`.
size_t pk_activation_size(int t, size_t n);

// ---- Dot products -----------------------------------------------------------------

/// dot(weight row w of type t, activations x from pk_quantize_row) over n values,
/// with the kernels of `tier`. NaN when t is unsupported or n is not a multiple of the
/// block size.
float pk_vec_dot_tier(int tier, int t, size_t n, const void *w, const void *x);
/// Same with the active tier.
float pk_vec_dot(int t, size_t n, const void *w, const void *x);
/// For tests: the AVX2 tier's Q4_1 or Q8_0 dot in one instruction width (128 or 256 bits;
/// the tier uses the 128-bit one where the CPU splits 256-bit operations). Both give the
/// same bits by construction. NaN for another type or width, or without AVX2.
float pk_vec_dot_avx2_width(int width, int t, size_t n, const void *w, const void *x);

/// y[i] += a * x[i] for i < n, x a row of F32, F16 or BF16 values (attention's sum of
/// V rows), with the kernels of `tier`. Returns 0 or a PK_E* code.
int pk_axpy_tier(int tier, int t, size_t n, float a, const void *x, float *y);
/// Same with the active tier.
int pk_axpy(int t, size_t n, float a, const void *x, float *y);

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

// ---- Row operations ---------------------------------------------------------------

/// out[i] = x[i] / sqrt(mean(x^2) + eps) * w[i] (w may be NULL: no weight). out may be x.
void pk_rmsnorm(const float *x, const float *w, float *out, size_t n, float eps);
/// x = softmax(x) in place (max subtracted first; n == 0 is a no-op), active tier.
/// The SIMD tiers use a polynomial exp (about 1 ulp) and float sums. Every tier gives 0
/// for a probability below FLT_MIN, never a subnormal: the P V products that follow
/// (attention) take a microcode assist per subnormal operand, and a peaked row (scores
/// spread by more than 87) is mostly such values; what they add is below a float's
/// resolution of the result.
void pk_softmax(float *x, size_t n);
/// pk_softmax with the kernels of `tier`.
void pk_softmax_tier(int tier, float *x, size_t n);
/// gate[i] = silu(gate[i]) * up[i], silu(g) = g / (1 + exp(-g)) (a SwiGLU FFN's middle).
void pk_swiglu(float *gate, const float *up, size_t n);
/// pk_swiglu with the kernels of `tier`.
void pk_swiglu_tier(int tier, float *gate, const float *up, size_t n);

// ---- Attention ----------------------------------------------------------------------

/// One query's attention over `npos` cached rows (a decode step, one head), with the
/// kernels of `tier`: scores[j] = scale * q.k_j, softmax over j, then
/// out = sum_j scores[j] * v_j. Key row j starts at keys + j * key_stride bytes and
/// holds hdk elements of `type` (PK_F16 or PK_F32); value rows likewise with hdv.
/// `scores` is npos floats of scratch (left holding the probabilities); `out` hdv
/// floats, overwritten. Returns 0 or a PK_E* code.
int pk_attend_tier(int tier, int type, const float *q, const void *keys, size_t key_stride,
                   const void *values, size_t value_stride, size_t npos, size_t hdk, size_t hdv,
                   float scale, float *scores, float *out);

typedef struct pk_pool pk_pool;
/// pk_attend_tier for every head of one query, the heads split over `pool` (NULL: this
/// thread). Head h (of `heads`, a multiple of `group`) reads q + h * hdk and writes
/// out + h * hdv, against KV head h / group, whose key and value rows start
/// (h / group) * hdk and (h / group) * hdv elements into each row of `keys` and `values`.
/// `scores`: npos floats of scratch per pool thread (pk_pool_size). Each head's result is
/// bitwise that of pk_attend_tier, whatever the split. Returns 0 or a PK_E* code.
int pk_attend_heads_tier(int tier, pk_pool *pool, int type, const float *q, size_t heads, size_t group,
                         const void *keys, size_t key_stride, const void *values, size_t value_stride,
                         size_t npos, size_t hdk, size_t hdv, float scale, float *scores, float *out);
/// pk_attend_heads_tier for `queries` consecutive causal queries in one pool run (one
/// dispatch where a call per query would wake the pool each time): query i (q + i *
/// heads * hdk, out + i * heads * hdv) sees the first npos + i rows. `scores`: npos +
/// queries - 1 floats of scratch per pool thread. Each (query, head) result is bitwise
/// that of pk_attend_tier. Returns 0 or a PK_E* code.
int pk_attend_queries_tier(int tier, pk_pool *pool, int type, const float *q, size_t queries, size_t heads,
                           size_t group, const void *keys, size_t key_stride, const void *values,
                           size_t value_stride, size_t npos, size_t hdk, size_t hdv, float scale,
                           float *scores, float *out);

// ---- Thread pool ------------------------------------------------------------------

/// A persistent pool: nthreads-1 worker threads created once; the caller of
/// pk_pool_run is thread 0. Workers spin briefly, then sleep on a futex. (pk_pool is
/// declared above, with the attention.)
/// A job: called once on each of `nth` threads with ith in [0, nth).
typedef void (*pk_job_fn)(void *ctx, int ith, int nth);
/// Creates a pool of nthreads (1 ... 256) threads in all; NULL on failure.
pk_pool *pk_pool_create(int nthreads);
/// Stops and joins the workers and frees the pool. NULL is accepted.
void pk_pool_destroy(pk_pool *pool);
/// Number of threads (including the caller).
int pk_pool_size(const pk_pool *pool);
/// Runs fn(ctx, ith, nth) on every thread and returns when all have finished (its
/// writes are then visible to the caller). Calls from several threads are serialized;
/// a job must not call pk_pool_run on its own pool (it would wait on itself).
/// pool == NULL runs fn(ctx, 0, 1) inline.
void pk_pool_run(pk_pool *pool, pk_job_fn fn, void *ctx);

// ---- Matrix-vector and matrix-matrix ------------------------------------------------

/// out[r] = dot(W row r, xq) for r in [0, rows). W: rows x cols of type t, row-major,
/// rows pk_row_size(t, cols) bytes apart. xq: one activation row of cols values made by
/// pk_quantize_row(t, ...). Rows are split evenly over the pool's threads (pool may be
/// NULL); each out[r] is one row's dot, so results do not depend on the thread count.
/// No allocation. Returns 0 or a PK_E* code.
int pk_matvec(pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
              const void *xq, float *out);
/// pk_matvec with the kernels of `tier`.
int pk_matvec_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows,
                   size_t cols, const void *xq, float *out);
/// Batched: out[j * ldo + r] = dot(W row r, activation row j) for j in [0, nx),
/// r in [0, rows). xq holds nx activation rows, each pk_activation_size(t, cols) bytes
/// apart; ldo >= rows. Each thread takes a slice of weight rows and streams every
/// activation row past a small tile of weight rows kept in cache, four activation rows
/// per weight-block decode where the tier has four-row kernels. K-quant weights with
/// nx >= 8 take the tier's GEMM where it has one (AVX2, AVX-512): the activations are first
/// rewritten column-interleaved into a buffer the calling thread keeps for its next
/// call (its one allocation, grown when a call needs more). Results are bitwise equal to
/// pk_matvec's either way.
int pk_matmul(pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
              const void *xq, size_t nx, float *out, size_t ldo);
/// pk_matmul with the kernels of `tier`.
int pk_matmul_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows,
                   size_t cols, const void *xq, size_t nx, float *out, size_t ldo);

/// Prefill-sized products on a tier's prefill GEMM (gemm_q8_0.c: Q8_0 weights, AVX-512
/// VNNI): out and xq as pk_matmul_tier, but results are NOT bitwise pk_matvec's (their
/// own float order, which does not depend on the thread count). Calls it has no kernel
/// for (other types, tiers, nx < 8) run pk_matmul_tier. The engine's int8 path takes it
/// for prefill. Returns 0 or a PK_E* code.
int pk_prefill_gemm_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                         const void *xq, size_t nx, float *out, size_t ldo);
/// Whether `tier` has a prefill GEMM for type t (1) or not (0).
int pk_prefill_gemm_supports(int tier, int t);
/// pk_prefill_gemm_tier on the x8 matrix P (pk_x8_pack; rows a multiple of 8): the same
/// results as on the plain matrix, each worker unpacking its tiles of rows as it goes.
int pk_prefill_gemm_x8_tier(int tier, pk_pool *pool, int t, const void *P, size_t rows, size_t cols,
                            const void *xq, size_t nx, float *out, size_t ldo);

/// Prefill-sized products of Q8_0 weights with FLOAT activations (gemm_q8_0_i16.c, AVX2
/// and AVX-512 tiers): the activations are rounded to int16 per 32-value block (max|x| /
/// 32767), the products summed exactly in int32 per block, then scaled in float in a fixed
/// order (independent of the thread count). x: nx rows of cols floats; out[j * ldo + r].
/// Not bitwise any other product; as accurate as float BLAS on SmolLM2 (BENCHMARKS.md).
/// Returns 0, a PK_E* code for bad arguments, or PK_EUNSUPPORTED when it did nothing (no
/// kernel for the tier and type, nx < 8, no memory): the caller takes another path.
int pk_gemm16_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                   const float *x, size_t nx, float *out, size_t ldo);
/// Whether `tier` has the 16-bit GEMM for type t (1) or not (0).
int pk_gemm16_supports(int tier, int t);

/// Row-interleaved ("x8") weights (x8.c): Q4_K, Q5_K, Q6_K, Q4_0, Q4_1 and Q8_0 matrices
/// whose rows are a multiple of 8 (cols whole blocks), rewritten so that 8 rows' blocks
/// sit side by side; the same number of bytes as the plain matrix. Decode on such a
/// matrix shares the per-block scale work among 8 rows (one row per SIMD lane).
/// Whether `tier` has an x8 kernel for type t (1) or not (0: pk_matmul_x8_tier still
/// works there, by unpacking rows, but is slower than pk_matmul on the plain matrix).
int pk_x8_supports(int tier, int t);
/// Bytes of one super-block of 8 rows in x8 layout (8 plain blocks), 0 for other types.
size_t pk_x8_group_block_bytes(int t);
/// P (rows * pk_row_size(t, cols) bytes) = W in x8 layout. Returns 0 or a PK_E* code.
int pk_x8_pack(int t, const void *W, size_t rows, size_t cols, void *P);
/// Plain rows [row0, row0 + nrows) of x8 matrix P into W (nrows * pk_row_size bytes);
/// row0 and nrows multiples of 8. The exact inverse of pk_x8_pack. Returns 0 or PK_E*.
int pk_x8_unpack(int t, const void *P, size_t cols, size_t row0, size_t nrows, void *W);
/// pk_matmul_tier on the x8 matrix P (rows x cols): bitwise the same results as on the
/// plain matrix. Calls of at most 8 columns (K-quants) or of any size (32-block types) run
/// the tier's x8 kernel; longer K-quant calls take the tier's GEMM; the rest, and tiers
/// without a kernel, unpack 4 MiB of rows at a time into a buffer the calling thread
/// keeps (PK_ENOMEM if it cannot be had). Returns 0 or a PK_E* code.
int pk_matmul_x8_tier(int tier, pk_pool *pool, int t, const void *P, size_t rows, size_t cols,
                      const void *xq, size_t nx, float *out, size_t ldo);

/// Float activations in: x (nx rows of cols floats, contiguous) is quantized into
/// `scratch` (nx * pk_activation_size(t, cols) bytes, caller-owned, reused across calls;
/// unused and may be NULL for F32/F16/BF16 weights), rows split over the pool, then
/// pk_matmul. out[j * ldo + r] as pk_matmul. No allocation. Returns 0 or a PK_E* code.
int pk_matmul_f32(pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                  const float *x, size_t nx, void *scratch, float *out, size_t ldo);
/// pk_matmul_f32 with the kernels of `tier`.
int pk_matmul_f32_tier(int tier, pk_pool *pool, int t, const void *W, size_t rows,
                       size_t cols, const float *x, size_t nx, void *scratch, float *out,
                       size_t ldo);
/// One float activation row: pk_matmul_f32 with nx = 1 (out: rows floats).
int pk_matvec_f32(pk_pool *pool, int t, const void *W, size_t rows, size_t cols,
                  const float *x, void *scratch, float *out);

// ---- Measurement ------------------------------------------------------------------

/// Streams a `bytes`-sized buffer (rounded up to 4 KiB) through `threads` threads a few
/// times and returns the best read bandwidth in GB/s (1e9 bytes/s); 0 on failure.
double pk_measure_read_bandwidth(size_t bytes, int threads);
/// The speed (GB/s of weights, all threads together) of the one-column decode product
/// with the weights in cache: every pool thread runs pk_matmul_x8_tier (x8 != 0) or
/// pk_matmul_tier on the same `rows` rows of W, one column xq, for about `seconds` in
/// all; keep rows * pk_row_size small (~100 KiB) so they stay in each core's cache. What
/// the cores can compute, with memory out of the picture. Negative: a PK_E* code.
double pk_measure_kernel_rate(int tier, pk_pool *pool, int t, int x8, const void *W, size_t rows, size_t cols,
                              const void *xq, double seconds);

#ifdef __cplusplus
}
#endif
#endif

// Engine's interim kernels (pe_*), in their own header.
#include "engine_kernels.h"
