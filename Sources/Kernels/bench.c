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
