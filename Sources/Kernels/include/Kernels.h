#ifndef PONDER_KERNELS_H
#define PONDER_KERNELS_H
// Ponder's hot loops. Every kernel has a reference (scalar) version and may have
// AVX2 / AVX-512 versions with the same signature, chosen once at start-up from CPUID.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which SIMD tier the dispatcher picked: 0 scalar, 1 AVX2+FMA, 2 AVX-512 (+VNNI).
/// PONDER_KERNELS=scalar|avx2|avx512 forces one (never above what the CPU has).
int pk_active_tier(void);

#ifdef __cplusplus
}
#endif
#endif

// Engine's interim kernels (pe_*), in their own header.
#include "engine_kernels.h"
