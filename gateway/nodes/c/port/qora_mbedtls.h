/*
 * qora_crypto hooks on Mbed TLS (2.28 and 3.x; the message-digest API, mbedtls/md.h): SHA-256 and
 * HMAC-SHA256 for firmware that already links Mbed TLS (ESP-IDF, Zephyr, STM32Cube, ...), so that
 * the library can be built with -DQORA_NO_BUILTIN_SHA256 and carry no hash of its own. Mbed TLS
 * has no Ed25519: the Ed25519 hooks come from elsewhere (see README.md).
 */
#ifndef QORA_MBEDTLS_H
#define QORA_MBEDTLS_H

#include "qora_node.h"

int qora_mbedtls_sha256(void *ctx, const uint8_t *data, size_t len, uint8_t out[32]);
int qora_mbedtls_hmac_sha256(void *ctx, const uint8_t key[32], const uint8_t *data, size_t len, uint8_t out[32]);

#endif
