// Runtime CPU dispatch: the one place that picks a SIMD tier. Three kernel tables
// (scalar, AVX2, AVX-512) are filled once; the active tier comes from CPUID, lowered by
// PONDER_KERNELS=scalar|avx2|avx512 or pk_set_tier. A request above what the CPU has is
// clamped down, so no path can fault on an unsupported instruction.
#include "kernels_internal.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

static int detect_tier(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    int tier = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("f16c")) tier = 1;
    if (tier == 1 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni")) tier = 2;
    return tier;
#else
    return 0;
#endif
}

int pk_cpu_splits_256(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_is("znver1") ? 1 : 0;  // family 17h below model 30h
#else
    return 0;
#endif
}

int pk_tier_for_request(const char *request, int max_tier) {
    int want = max_tier;
    if (request) {
        if (strcmp(request, "scalar") == 0) want = 0;
        else if (strcmp(request, "avx2") == 0) want = 1;
        else if (strcmp(request, "avx512") == 0) want = 2;
    }
    return want < max_tier ? want : max_tier;
}

static struct pk_kernels tables[3];
static int max_tier_value;
static int active;  // read and written atomically
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void) {
    max_tier_value = detect_tier();
    pk_fill_ref(&tables[0]);
#if defined(__x86_64__)
    pk_fill_avx2(&tables[1]);
    pk_fill_avx512(&tables[2]);
#else
    tables[1] = tables[0];
    tables[2] = tables[0];
#endif
    // A type a SIMD tier has no dot for takes the reference.
    for (int i = 1; i < 3; ++i)
        for (int s = 0; s < PK_SLOT_COUNT; ++s)
            if (!tables[i].dot[s]) tables[i].dot[s] = tables[0].dot[s];
    for (int i = 0; i < 3; ++i) {
        pk_fill_axpy(&tables[i]);
        tables[i].softmax = pk_softmax_ref;
        tables[i].swiglu = pk_swiglu_ref;
    }
#if defined(__x86_64__)
    for (int i = 1; i < 3; ++i) {  // one AVX2 version serves both SIMD tiers
        tables[i].softmax = pk_softmax_avx2;
        tables[i].swiglu = pk_swiglu_avx2;
    }
#endif
    int t = pk_tier_for_request(getenv("PONDER_KERNELS"), max_tier_value);
    __atomic_store_n(&active, t, __ATOMIC_RELEASE);
}

static inline void ensure_init(void) { pthread_once(&once, init); }

static int clamp_tier(int tier) {
    if (tier < 0) tier = 0;
    if (tier > max_tier_value) tier = max_tier_value;
    return tier;
}

int pk_max_tier(void) {
    ensure_init();
    return max_tier_value;
}

int pk_active_tier(void) {
    ensure_init();
    return __atomic_load_n(&active, __ATOMIC_ACQUIRE);
}

int pk_set_tier(int tier) {
    ensure_init();
    tier = clamp_tier(tier);
    __atomic_store_n(&active, tier, __ATOMIC_RELEASE);
    return tier;
}

const pk_kernels *pk_kernels_for_tier(int tier) {
    ensure_init();
    return &tables[clamp_tier(tier)];
}

int pk_kernels_tier(const pk_kernels *k) { return k ? k->tier : -1; }

void pk_quantize_row_q8_0(const float *x, void *y, size_t n) {
    pk_kernels_for_tier(pk_active_tier())->quantize_q8_0(x, y, n);
}

void pk_quantize_row_q8_K(const float *x, void *y, size_t n) {
    pk_kernels_for_tier(pk_active_tier())->quantize_q8_K(x, y, n);
}

int pk_quantize_row_tier(int tier, int t, const float *x, void *y, size_t n) {
    const pk_kernels *k = pk_kernels_for_tier(tier);
    int a = pk_vec_dot_type(t);
    if (a < 0) return PK_EBADTYPE;
    if (n % pk_block_size(t) != 0) return PK_EBADSHAPE;
    switch (a) {
    case PK_Q8_0: k->quantize_q8_0(x, y, n); pk_q8_0_fill_side(y, n / QK); break;
    case PK_Q8_K: k->quantize_q8_K(x, y, n); break;
    default: memmove(y, x, n * sizeof(float)); break;
    }
    return PK_OK;
}

int pk_quantize_row(int t, const float *x, void *y, size_t n) {
    return pk_quantize_row_tier(pk_active_tier(), t, x, y, n);
}

float pk_vec_dot_tier(int tier, int t, size_t n, const void *w, const void *x) {
    int s = pk_slot_of(t);
    if (s < 0 || n % pk_block_size(t) != 0) return NAN;
    return pk_kernels_for_tier(tier)->dot[s](n, w, x);
}

float pk_vec_dot(int t, size_t n, const void *w, const void *x) {
    return pk_vec_dot_tier(pk_active_tier(), t, n, w, x);
}
