// IEEE half <-> float, exact and portable (no F16C needed): the scalar reference for
// every block scale in the quantized formats and for F16 rows.
#include "kernels_internal.h"

float pk_fp16_to_fp32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0) {
        // Zero or subnormal: mant * 2^-24, exact in float.
        float f = (float)mant * 0x1p-24f;
        memcpy(&bits, &f, 4);
        bits |= sign;
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);  // inf / NaN (payload kept)
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t pk_fp32_to_fp16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return sign | 0x7e00 | (uint16_t)((ax >> 13) & 0x3ff);  // NaN
    if (ax >= 0x477ff000u) return sign | 0x7c00;  // >= 65520 rounds to inf
    if (ax < 0x38800000u) {
        // Below 2^-14: a half subnormal (or zero). v * 2^24 < 1024 is exact; adding and
        // subtracting 2^23 rounds it to an integer, half to even.
        float v;
        memcpy(&v, &ax, 4);
        volatile float r = v * 0x1p24f + 0x1p23f;
        float q = r - 0x1p23f;
        return sign | (uint16_t)q;
    }
    uint32_t h = ((ax >> 23) - 112) << 10 | ((ax >> 13) & 0x3ff);
    uint32_t rem = ax & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;  // carry may bump the exponent
    return sign | (uint16_t)h;
}

void pk_fp16_to_fp32_row(const uint16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; ++i) dst[i] = pk_fp16_to_fp32(src[i]);
}

void pk_fp32_to_fp16_row(const float *src, uint16_t *dst, size_t n) {
    for (size_t i = 0; i < n; ++i) dst[i] = pk_fp32_to_fp16(src[i]);
}
