/* qora_crypto hooks on Mbed TLS's message-digest API. Each returns 0 on success. */
#include "qora_mbedtls.h"

#include <mbedtls/md.h>

int qora_mbedtls_sha256(void *ctx, const uint8_t *data, size_t len, uint8_t out[32])
{
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    (void)ctx;
    return sha256 != NULL && mbedtls_md(sha256, data, len, out) == 0 ? 0 : -1;
}

int qora_mbedtls_hmac_sha256(void *ctx, const uint8_t key[32], const uint8_t *data, size_t len, uint8_t out[32])
{
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    (void)ctx;
    return sha256 != NULL && mbedtls_md_hmac(sha256, key, 32, data, len, out) == 0 ? 0 : -1;
}
