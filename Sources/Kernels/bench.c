// pk_measure_read_bandwidth: the machine's streaming read bandwidth, for `ponder bench`
// (the decode roofline is this divided by the bytes of weights read per token).
#include "kernels_internal.h"
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

struct bw_job { const uint8_t *buf; size_t bytes; uint64_t sink[64]; };

#if defined(__x86_64__)
__attribute__((target("avx2")))
static uint64_t read_avx2(const uint8_t *p, size_t n) {
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i + 128 <= n; i += 128) {
        a0 = _mm256_xor_si256(a0, _mm256_load_si256((const __m256i *)(p + i)));
        a1 = _mm256_xor_si256(a1, _mm256_load_si256((const __m256i *)(p + i + 32)));
        a2 = _mm256_xor_si256(a2, _mm256_load_si256((const __m256i *)(p + i + 64)));
        a3 = _mm256_xor_si256(a3, _mm256_load_si256((const __m256i *)(p + i + 96)));
    }
    __m256i a = _mm256_xor_si256(_mm256_xor_si256(a0, a1), _mm256_xor_si256(a2, a3));
    return (uint64_t)_mm256_extract_epi64(a, 0) ^ (uint64_t)_mm256_extract_epi64(a, 3);
}
#endif

static uint64_t read_scalar(const uint8_t *p, size_t n) {
    const uint64_t *q = (const uint64_t *)p;
    uint64_t a = 0, b = 0;
    for (size_t i = 0; i + 2 <= n / 8; i += 2) { a ^= q[i]; b ^= q[i + 1]; }
    return a ^ b;
}

static void bw_worker(void *p, int ith, int nth) {
    struct bw_job *job = p;
    // Slices on 4 KiB boundaries (bytes is a multiple of 4 KiB).
    size_t pages = job->bytes / 4096;
    size_t b0 = pages * (size_t)ith / (size_t)nth * 4096, b1 = pages * (size_t)(ith + 1) / (size_t)nth * 4096;
    uint64_t v;
#if defined(__x86_64__)
    v = pk_max_tier() >= 1 ? read_avx2(job->buf + b0, b1 - b0) : read_scalar(job->buf + b0, b1 - b0);
#else
    v = read_scalar(job->buf + b0, b1 - b0);
#endif
    job->sink[ith % 64] ^= v;  // keeps the loads alive
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double pk_measure_read_bandwidth(size_t bytes, int threads) {
    if (bytes == 0 || threads < 1) return 0;
    bytes = (bytes + 4095) / 4096 * 4096;
    // Huge pages where the kernel gives them, like the engine's repacked weights
    // (X8Weights): the probe is meant as the best streaming read the machine does, and
    // on the Zen 3 VM it read 7 to 10% more through 2 MiB pages than through 4 KiB ones.
    void *mem = NULL;
    if (posix_memalign(&mem, 2 << 20, bytes) != 0) return 0;
    uint8_t *buf = mem;
#if defined(MADV_HUGEPAGE)
    madvise(buf, bytes, MADV_HUGEPAGE);
#endif
    for (size_t i = 0; i < bytes; i += 64) buf[i] = (uint8_t)i;  // fault every page in
    memset(buf, 1, bytes);
    pk_pool *pool = threads > 1 ? pk_pool_create(threads) : NULL;
    if (threads > 1 && !pool) { free(buf); return 0; }
    struct bw_job job = { .buf = buf, .bytes = bytes };
    double best = 0;
    for (int rep = 0; rep < 7; ++rep) {
        double t0 = now_seconds();
        pk_pool_run(pool, bw_worker, &job);
        double dt = now_seconds() - t0;
        if (rep > 0 && dt > 0 && (double)bytes / dt > best) best = (double)bytes / dt;  // rep 0 warms up
    }
    pk_pool_destroy(pool);
    free(buf);
    return best / 1e9;
}

// pk_measure_kernel_rate: the decode kernels' speed with the memory taken out of the
// picture. Every pool thread runs the single-threaded product (the x8 kernel or
// pk_matmul's dots, one column) over the same few rows, which stay in its own cache, so
// the rate is what the cores can compute, not what memory can deliver. `ponder bench`
// turns it into a compute ceiling for decode, beside the bandwidth roofline.

struct rate_job {
    int tier, t, x8;
    const void *W, *xq;
    size_t rows, cols;
    long iters;
    float *out;  // rows floats per thread
    int rc;      // first failure (atomic)
};

static void rate_worker(void *p, int ith, int nth) {
    (void)nth;
    struct rate_job *job = p;
    float *out = job->out + (size_t)ith * job->rows;
    for (long i = 0; i < job->iters; ++i) {
        int rc = job->x8 ? pk_matmul_x8_tier(job->tier, NULL, job->t, job->W, job->rows, job->cols, job->xq, 1, out, job->rows)
                         : pk_matmul_tier(job->tier, NULL, job->t, job->W, job->rows, job->cols, job->xq, 1, out, job->rows);
        if (rc != PK_OK) {
            int zero = 0;
            __atomic_compare_exchange_n(&job->rc, &zero, rc, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
            return;
        }
    }
}

double pk_measure_kernel_rate(int tier, pk_pool *pool, int t, int x8, const void *W, size_t rows, size_t cols,
                              const void *xq, double seconds) {
    if (!W || !xq || rows == 0 || cols == 0 || !(seconds > 0)) return PK_EBADARG;
    int nth = pk_pool_size(pool);
    float *out = malloc((size_t)nth * rows * sizeof(float));
    if (!out) return PK_ENOMEM;
    struct rate_job job = {.tier = tier, .t = t, .x8 = x8 != 0, .W = W, .xq = xq, .rows = rows, .cols = cols,
                           .iters = 1, .out = out};
    // Warm the caches and calibrate: double the iterations until a run takes a tenth
    // of the time asked for, then take the best of three runs of the full length.
    double dt = 0;
    while (job.rc == 0 && job.iters < (1L << 40)) {
        double t0 = now_seconds();
        pk_pool_run(pool, rate_worker, &job);
        dt = now_seconds() - t0;
        if (dt >= seconds / 10) break;
        job.iters *= 2;
    }
    double best = 0;
    if (job.rc == 0) {
        job.iters = (long)((double)job.iters * seconds / 3 / (dt > 0 ? dt : seconds)) + 1;
        for (int rep = 0; rep < 3 && job.rc == 0; ++rep) {
            double t0 = now_seconds();
            pk_pool_run(pool, rate_worker, &job);
            double d = now_seconds() - t0;
            double rate = (double)nth * (double)job.iters * (double)(rows * pk_row_size(t, cols)) / d / 1e9;
            if (d > 0 && rate > best) best = rate;
        }
    }
    free(out);
    return job.rc != 0 ? job.rc : best;
}
