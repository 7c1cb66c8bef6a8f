/*
 * qora_crypto hooks on OpenSSL's libcrypto (3.x, EVP): Ed25519 sign and verify, and SHA-256 and
 * HMAC-SHA256 for a library built with -DQORA_NO_BUILTIN_SHA256. Linux only; link with -lcrypto.
 */
#ifndef QORA_OPENSSL_H
#define QORA_OPENSSL_H

#include "qora_node.h"

int qora_openssl_sha256(void *ctx, const uint8_t *data, size_t len, uint8_t out[32]);
int qora_openssl_hmac_sha256(void *ctx, const uint8_t key[32], const uint8_t *data, size_t len, uint8_t out[32]);
int qora_openssl_ed25519_sign(void *ctx, const uint8_t seed[32], const uint8_t *data, size_t len, uint8_t sig[64]);
int qora_openssl_ed25519_verify(void *ctx, const uint8_t public_key[32], const uint8_t *data, size_t len,
                                const uint8_t sig[64]);
/** The raw Ed25519 public key of a 32-byte seed. */
int qora_openssl_ed25519_public(const uint8_t seed[32], uint8_t public_key[32]);

#endif
