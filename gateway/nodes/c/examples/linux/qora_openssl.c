/* qora_crypto hooks on OpenSSL's libcrypto (EVP). Each returns 0 on success, -1 otherwise. */
#include "qora_openssl.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

int qora_openssl_sha256(void *ctx, const uint8_t *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    (void)ctx;
    return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32u ? 0 : -1;
}

int qora_openssl_hmac_sha256(void *ctx, const uint8_t key[32], const uint8_t *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    (void)ctx;
    return HMAC(EVP_sha256(), key, 32, data, len, out, &n) != NULL && n == 32u ? 0 : -1;
}

int qora_openssl_ed25519_sign(void *ctx, const uint8_t seed[32], const uint8_t *data, size_t len, uint8_t sig[64])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t sig_len = 64;
    int ok = key != NULL && md != NULL && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1
             && EVP_DigestSign(md, sig, &sig_len, data, len) == 1 && sig_len == 64u;
    (void)ctx;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

int qora_openssl_ed25519_verify(void *ctx, const uint8_t public_key[32], const uint8_t *data, size_t len,
                                const uint8_t sig[64])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, public_key, 32);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    /* EVP_DigestVerify returns 1 for a valid signature, 0 for an invalid one, < 0 on errors. */
    int ok = key != NULL && md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1
             && EVP_DigestVerify(md, sig, 64, data, len) == 1;
    (void)ctx;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

int qora_openssl_ed25519_public(const uint8_t seed[32], uint8_t public_key[32])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    size_t n = 32;
    int ok = key != NULL && EVP_PKEY_get_raw_public_key(key, public_key, &n) == 1 && n == 32u;
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}
