/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), written for this library from the standards:
 * no heap, 32-bit arithmetic only, a 16-word rolling message schedule (64 bytes of stack instead
 * of 256). Left out with -DQORA_NO_BUILTIN_SHA256, when the firmware supplies the qora_crypto
 * hooks (mbedTLS, a hardware hash engine). Tested against the FIPS 180-4 / NIST examples, the
 * RFC 4231 HMAC cases and OpenSSL on random inputs (tests/test_qora.c).
 */
#include "qora_string.h"

#include "qora_node.h"

#ifndef QORA_NO_BUILTIN_SHA256

typedef struct {
    uint32_t h[8];
    uint8_t buf[64];
    uint32_t buf_len;
    uint32_t len_lo, len_hi; /* message length in bytes, 64 bits */
} sha256_ctx;

static const uint32_t K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32u - (n))))

static void compress(uint32_t h[8], const uint8_t p[64])
{
    uint32_t w[16];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    unsigned t;
    for (t = 0; t < 16u; t++) {
        w[t] = ((uint32_t)p[4u * t] << 24) | ((uint32_t)p[4u * t + 1u] << 16) | ((uint32_t)p[4u * t + 2u] << 8)
               | (uint32_t)p[4u * t + 3u];
    }
    for (t = 0; t < 64u; t++) {
        uint32_t t1;
        uint32_t t2;
        uint32_t wt;
        if (t < 16u) {
            wt = w[t];
        } else {
            uint32_t w15 = w[(t - 15u) & 15u];
            uint32_t w2 = w[(t - 2u) & 15u];
            uint32_t s0 = ROTR(w15, 7u) ^ ROTR(w15, 18u) ^ (w15 >> 3);
            uint32_t s1 = ROTR(w2, 17u) ^ ROTR(w2, 19u) ^ (w2 >> 10);
            wt = w[t & 15u] + s0 + w[(t - 7u) & 15u] + s1;
            w[t & 15u] = wt;
        }
        t1 = k + (ROTR(e, 6u) ^ ROTR(e, 11u) ^ ROTR(e, 25u)) + ((e & f) ^ (~e & g)) + K[t] + wt;
        t2 = (ROTR(a, 2u) ^ ROTR(a, 13u) ^ ROTR(a, 22u)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
}

static void sha256_init(sha256_ctx *s)
{
    static const uint32_t iv[8] = {
        0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u
    };
    memcpy(s->h, iv, sizeof iv);
    s->buf_len = 0u;
    s->len_lo = 0u;
    s->len_hi = 0u;
}

static void sha256_update(sha256_ctx *s, const uint8_t *data, size_t len)
{
    while (len > 0u) {
        size_t take = 64u - s->buf_len;
        if (take > len) {
            take = len;
        }
        if (s->buf_len == 0u && len >= 64u) {
            compress(s->h, data);
            take = 64u;
        } else {
            memcpy(s->buf + s->buf_len, data, take);
            s->buf_len += (uint32_t)take;
            if (s->buf_len == 64u) {
                compress(s->h, s->buf);
                s->buf_len = 0u;
            }
        }
        s->len_lo += (uint32_t)take;
        if (s->len_lo < (uint32_t)take) {
            s->len_hi++;
        }
        data += take;
        len -= take;
    }
}

static void sha256_final(sha256_ctx *s, uint8_t out[32])
{
    uint32_t hi = (s->len_hi << 3) | (s->len_lo >> 29); /* length in bits */
    uint32_t lo = s->len_lo << 3;
    unsigned i;
    s->buf[s->buf_len++] = 0x80u;
    if (s->buf_len > 56u) {
        memset(s->buf + s->buf_len, 0, 64u - s->buf_len);
        compress(s->h, s->buf);
        s->buf_len = 0u;
    }
    memset(s->buf + s->buf_len, 0, 56u - s->buf_len);
    for (i = 0; i < 4u; i++) {
        s->buf[56u + i] = (uint8_t)(hi >> (24u - 8u * i));
        s->buf[60u + i] = (uint8_t)(lo >> (24u - 8u * i));
    }
    compress(s->h, s->buf);
    for (i = 0; i < 8u; i++) {
        out[4u * i] = (uint8_t)(s->h[i] >> 24);
        out[4u * i + 1u] = (uint8_t)(s->h[i] >> 16);
        out[4u * i + 2u] = (uint8_t)(s->h[i] >> 8);
        out[4u * i + 3u] = (uint8_t)s->h[i];
    }
}

void qora_builtin_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    sha256_ctx s;
    sha256_init(&s);
    sha256_update(&s, data, len);
    sha256_final(&s, out);
}

void qora_builtin_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[32])
{
    uint8_t k[64];
    uint8_t inner[32];
    sha256_ctx s;
    unsigned i;
    memset(k, 0, sizeof k);
    if (key_len > 64u) {
        qora_builtin_sha256(key, key_len, k);
    } else if (key_len > 0u) {
        memcpy(k, key, key_len);
    }
    for (i = 0; i < 64u; i++) {
        k[i] ^= 0x36u;
    }
    sha256_init(&s);
    sha256_update(&s, k, 64u);
    sha256_update(&s, data, len);
    sha256_final(&s, inner);
    for (i = 0; i < 64u; i++) {
        k[i] ^= 0x36u ^ 0x5cu;
    }
    sha256_init(&s);
    sha256_update(&s, k, 64u);
    sha256_update(&s, inner, 32u);
    sha256_final(&s, out);
    memset(k, 0, sizeof k); /* the key does not stay on the stack (best effort) */
}

#endif /* QORA_NO_BUILTIN_SHA256 */

int qora_sha256(const qora_crypto *c, const uint8_t *data, size_t len, uint8_t out[32])
{
    if ((data == NULL && len > 0u) || out == NULL) {
        return QORA_ERR_ARG;
    }
    if (c != NULL && c->sha256 != NULL) {
        return c->sha256(c->ctx, data, len, out) == 0 ? QORA_OK : QORA_ERR_CRYPTO;
    }
#ifndef QORA_NO_BUILTIN_SHA256
    qora_builtin_sha256(data, len, out);
    return QORA_OK;
#else
    return QORA_ERR_CRYPTO;
#endif
}

int qora_hmac_sha256(const qora_crypto *c, const uint8_t key[32], const uint8_t *data, size_t len, uint8_t out[32])
{
    if (key == NULL || (data == NULL && len > 0u) || out == NULL) {
        return QORA_ERR_ARG;
    }
    if (c != NULL && c->hmac_sha256 != NULL) {
        return c->hmac_sha256(c->ctx, key, data, len, out) == 0 ? QORA_OK : QORA_ERR_CRYPTO;
    }
#ifndef QORA_NO_BUILTIN_SHA256
    qora_builtin_hmac_sha256(key, QORA_KEY_BYTES, data, len, out);
    return QORA_OK;
#else
    return QORA_ERR_CRYPTO;
#endif
}
