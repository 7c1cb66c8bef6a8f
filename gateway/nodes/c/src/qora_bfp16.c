/*
 * BFP-16 encode and decode, integer only (shared/spec/bfp16-krum.md sections 1 and 2).
 * The same steps as fixedpoint's Bfp16.java: the float32 inputs are read as bit patterns; the
 * largest magnitude is found by comparing the bits of |x|, which order like the values.
 */
#include "qora_string.h"

#include "qora_node.h"

#define SIGN_BIT 0x80000000u
#define EXP_MASK 0x7F800000u
#define FRAC_MASK 0x007FFFFFu

/* A float is read as its four bytes: both input arrays (float, uint32_t) have 4-byte elements. */
typedef char qora_float_is_32_bits[(sizeof(float) == 4 && sizeof(uint32_t) == 4) ? 1 : -1];

static uint32_t read_bits(const void *src, size_t i)
{
    uint32_t b;
    memcpy(&b, (const unsigned char *)src + 4u * i, 4u);
    return b;
}

/* Number of significant bits of v (0 for 0). */
static int bit_length(uint32_t v)
{
    int n = 0;
    while (v != 0u) {
        v >>= 1;
        n++;
    }
    return n;
}

/* The integer significand of a finite positive float, hidden bit included when normal. */
static uint32_t significand_of(uint32_t abs)
{
    uint32_t frac = abs & FRAC_MASK;
    return (abs & EXP_MASK) == 0u ? frac : (frac | 0x00800000u);
}

/* The power of two of one significand unit: value = significand * 2^exponent_of. */
static int32_t exponent_of(uint32_t abs)
{
    int32_t biased = (int32_t)((abs & EXP_MASK) >> 23);
    return biased == 0 ? -149 : biased - 150;
}

/* rha(sig * 2^shift) for a positive significand below 2^24, clamped to 32767; 32-bit only. */
static uint32_t rounded_magnitude(uint32_t sig, int32_t shift)
{
    uint32_t down;
    uint32_t v;
    if (shift >= 0) {
        if (shift > 15 || sig > ((uint32_t)QORA_MANTISSA_MAX >> shift)) {
            return QORA_MANTISSA_MAX;
        }
        return sig << shift;
    }
    down = (uint32_t)(-shift);
    if (down > 25u) {
        return 0u; /* sig < 2^24, so sig / 2^26 < 1/4 rounds to 0 */
    }
    v = (sig + (1u << (down - 1u))) >> down; /* half away from zero on magnitudes */
    return v > QORA_MANTISSA_MAX ? (uint32_t)QORA_MANTISSA_MAX : v;
}

/* Spec section 2 on d float32 bit patterns at src; mantissas to m (int16) or m_be (big-endian). */
static int encode(const void *src, size_t d, int16_t *m, uint8_t *m_be, int32_t *e_out, size_t *bad_index)
{
    uint32_t max_abs = 0u;
    int32_t c;
    int32_t e;
    size_t i;
    if (src == NULL || e_out == NULL || (m == NULL && m_be == NULL)) {
        return QORA_ERR_ARG;
    }
    if (d == 0u) {
        return QORA_ERR_ARG;
    }
    for (i = 0; i < d; i++) {
        uint32_t abs = read_bits(src, i) & ~SIGN_BIT;
        if ((abs & EXP_MASK) == EXP_MASK) {
            if (bad_index != NULL) {
                *bad_index = i;
            }
            return QORA_ERR_NONFINITE;
        }
        if (abs > max_abs) {
            max_abs = abs;
        }
    }
    if (max_abs == 0u) {
        e = 0;
    } else {
        /* M = sig * 2^exp with an integer significand; c = exp + ceil(log2(sig)). */
        c = exponent_of(max_abs) + bit_length(significand_of(max_abs) - 1u);
        e = c - 15 < QORA_E_MIN ? QORA_E_MIN : c - 15;
    }
    for (i = 0; i < d; i++) {
        uint32_t bits = read_bits(src, i);
        uint32_t abs = bits & ~SIGN_BIT;
        int32_t v = 0;
        if (abs != 0u) {
            uint32_t mag = rounded_magnitude(significand_of(abs), exponent_of(abs) - e);
            v = (bits & SIGN_BIT) != 0u ? -(int32_t)mag : (int32_t)mag;
        }
        if (m != NULL) {
            m[i] = (int16_t)v;
        } else {
            uint16_t u = (uint16_t)(v < 0 ? 65536 + v : v);
            m_be[2u * i] = (uint8_t)(u >> 8);
            m_be[2u * i + 1u] = (uint8_t)(u & 0xFFu);
        }
    }
    *e_out = e;
    return QORA_OK;
}

int qora_bfp16_encode_bits(const uint32_t *bits, size_t d, int16_t *m, int32_t *e, size_t *bad_index)
{
    return m == NULL ? QORA_ERR_ARG : encode(bits, d, m, NULL, e, bad_index);
}

int qora_bfp16_encode_f32(const float *x, size_t d, int16_t *m, int32_t *e, size_t *bad_index)
{
    return m == NULL ? QORA_ERR_ARG : encode(x, d, m, NULL, e, bad_index);
}

int qora_bfp16_encode_bits_be(const uint32_t *bits, size_t d, uint8_t *m_be, int32_t *e, size_t *bad_index)
{
    return m_be == NULL ? QORA_ERR_ARG : encode(bits, d, NULL, m_be, e, bad_index);
}

uint32_t qora_bfp16_decode_bits(int32_t m, int32_t e)
{
    uint32_t sign;
    uint32_t mag;
    int32_t top;
    int32_t unbiased;
    if (m == 0) {
        return 0u;
    }
    sign = m < 0 ? SIGN_BIT : 0u;
    mag = m < 0 ? (uint32_t)(-(int64_t)m) : (uint32_t)m;
    if (mag > QORA_MANTISSA_MAX || e < QORA_E_MIN || e > QORA_E_MAX) {
        return sign | EXP_MASK; /* not a valid block: no exact float is promised; infinity */
    }
    top = bit_length(mag) - 1; /* mag in [2^top, 2^(top+1)) */
    unbiased = top + e;        /* >= -126 since e >= -126: always a normal float */
    return sign | ((uint32_t)(unbiased + 127) << 23) | ((mag << (23 - top)) & FRAC_MASK);
}

int qora_block_check(int32_t e, const int16_t *m, size_t d)
{
    size_t i;
    if (m == NULL || d == 0u) {
        return QORA_ERR_ARG;
    }
    if (e < QORA_E_MIN || e > QORA_E_MAX) {
        return QORA_ERR_INVALID_BLOCK;
    }
    for (i = 0; i < d; i++) {
        if (m[i] < -QORA_MANTISSA_MAX) {
            return QORA_ERR_INVALID_BLOCK;
        }
    }
    return QORA_OK;
}
