// Runtime CPU dispatch: the one place that picks a SIMD tier.
#include "Kernels.h"
#include <stdlib.h>
#include <string.h>

static int detect_tier(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    int tier = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) tier = 1;
    if (tier == 1 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni")) tier = 2;
    return tier;
#else
    return 0;
#endif
}

int pk_active_tier(void) {
    static int cached = -1;
    int t = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (t >= 0) return t;
    t = detect_tier();
    const char *force = getenv("PONDER_KERNELS");
    if (force) {
        int want = t;
        if (strcmp(force, "scalar") == 0) want = 0;
        else if (strcmp(force, "avx2") == 0) want = 1;
        else if (strcmp(force, "avx512") == 0) want = 2;
        if (want < t) t = want;
    }
    __atomic_store_n(&cached, t, __ATOMIC_RELEASE);
    return t;
}
