// Type table: block sizes, bytes per block, activation format per weight type.
#include "kernels_internal.h"

size_t pk_block_size(int t) {
    switch (t) {
    case PK_F32: case PK_F16: case PK_BF16: return 1;
    case PK_Q4_0: case PK_Q4_1: case PK_Q5_0: case PK_Q5_1: case PK_Q8_0: case PK_Q8_1:
        return QK;
    case PK_Q4_K: case PK_Q5_K: case PK_Q6_K: case PK_Q8_K: return QKK;
    case PK_IQ2_XXS: case PK_IQ2_XS: case PK_IQ2_S: case PK_IQ3_XXS: case PK_IQ3_S:
    case PK_IQ1_S: case PK_IQ1_M: return QKK;
    default: return 0;
    }
}

size_t pk_type_size(int t) {
    switch (t) {
    case PK_F32: return 4;
    case PK_F16: case PK_BF16: return 2;
    case PK_Q4_0: return sizeof(pk_block_q4_0);
    case PK_Q4_1: return sizeof(pk_block_q4_1);
    case PK_Q5_0: return sizeof(pk_block_q5_0);
    case PK_Q5_1: return sizeof(pk_block_q5_1);
    case PK_Q8_0: return sizeof(pk_block_q8_0);
    case PK_Q8_1: return sizeof(pk_block_q8_1);
    case PK_Q4_K: return sizeof(pk_block_q4_K);
    case PK_Q5_K: return sizeof(pk_block_q5_K);
    case PK_Q6_K: return sizeof(pk_block_q6_K);
    case PK_Q8_K: return sizeof(pk_block_q8_K);
    case PK_IQ2_XXS: return sizeof(pk_block_iq2_xxs);
    case PK_IQ2_XS: return sizeof(pk_block_iq2_xs);
    case PK_IQ2_S: return sizeof(pk_block_iq2_s);
    case PK_IQ3_XXS: return sizeof(pk_block_iq3_xxs);
    case PK_IQ3_S: return sizeof(pk_block_iq3_s);
    case PK_IQ1_S: return sizeof(pk_block_iq1_s);
    case PK_IQ1_M: return sizeof(pk_block_iq1_m);
    default: return 0;
    }
}

size_t pk_row_size(int t, size_t n) {
    size_t bs = pk_block_size(t);
    if (bs == 0 || n % bs != 0) return 0;
    return n / bs * pk_type_size(t);
}

int pk_vec_dot_type(int t) {
    switch (t) {
    case PK_F32: case PK_F16: case PK_BF16: return PK_F32;
    case PK_Q4_0: case PK_Q4_1: case PK_Q5_0: case PK_Q5_1: case PK_Q8_0: return PK_Q8_0;
    case PK_Q4_K: case PK_Q5_K: case PK_Q6_K: return PK_Q8_K;
    case PK_IQ2_XXS: case PK_IQ2_XS: case PK_IQ2_S: case PK_IQ3_XXS: case PK_IQ3_S:
    case PK_IQ1_S: case PK_IQ1_M: return PK_Q8_K;
    default: return -1;
    }
}

size_t pk_activation_size(int t, size_t n) {
    int a = pk_vec_dot_type(t);
    if (a < 0 || n % pk_block_size(t) != 0) return 0;
    if (a == PK_Q8_0) return pk_q8_side_offset(n / QK) + 3 * sizeof(float) * (n / QK);
    return pk_row_size(a, n);
}

int pk_slot_of(int t) {
    switch (t) {
    case PK_Q4_0: return PK_SLOT_Q4_0;
    case PK_Q4_1: return PK_SLOT_Q4_1;
    case PK_Q5_0: return PK_SLOT_Q5_0;
    case PK_Q5_1: return PK_SLOT_Q5_1;
    case PK_Q8_0: return PK_SLOT_Q8_0;
    case PK_Q4_K: return PK_SLOT_Q4_K;
    case PK_Q5_K: return PK_SLOT_Q5_K;
    case PK_Q6_K: return PK_SLOT_Q6_K;
    case PK_F32: return PK_SLOT_F32;
    case PK_F16: return PK_SLOT_F16;
    case PK_BF16: return PK_SLOT_BF16;
    case PK_IQ2_XXS: return PK_SLOT_IQ2_XXS;
    case PK_IQ2_XS: return PK_SLOT_IQ2_XS;
    case PK_IQ2_S: return PK_SLOT_IQ2_S;
    case PK_IQ3_XXS: return PK_SLOT_IQ3_XXS;
    case PK_IQ3_S: return PK_SLOT_IQ3_S;
    case PK_IQ1_S: return PK_SLOT_IQ1_S;
    case PK_IQ1_M: return PK_SLOT_IQ1_M;
    default: return -1;
    }
}
