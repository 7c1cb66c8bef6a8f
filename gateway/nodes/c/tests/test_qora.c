/*
 * Tests of the C node library (gcc, Linux): the conformance encode vectors, the qora-vector
 * frames of docs/PROTOCOL.md section 12 byte for byte, SHA-256 and HMAC against the standards'
 * examples and OpenSSL, the gateway's signed MODEL frame and announcement, a node's rounds, and
 * refusals. OpenSSL (libcrypto) signs and verifies Ed25519 here, as a firmware's hook would.
 *
 * Usage: test_qora --protocol PROTOCOL.md VECTORS.jsonl...
 * Ends with the line "N passed, N failed"; exits 1 when a check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "qora_node.h"
#include "qora_openssl.h"
#ifdef QORA_TEST_MBEDTLS
#include "qora_mbedtls.h"
#endif

static long passed;
static long failed;

#define CHECK(cond, ...)                                                                            \
    do {                                                                                            \
        if (cond) {                                                                                 \
            passed++;                                                                               \
        } else {                                                                                    \
            failed++;                                                                               \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                    \
            fprintf(stderr, __VA_ARGS__);                                                           \
            fputc('\n', stderr);                                                                    \
        }                                                                                           \
    } while (0)

#define CHECK_RC(expr, want) CHECK((expr) == (want), "%s returned %d, expected %s", #expr, (expr), #want)

/* The hooks a Linux node uses: OpenSSL for Ed25519; SHA-256 and HMAC built in unless left out
 * (then from Mbed TLS, as on a firmware that links it, or from OpenSSL). */
static const qora_crypto OPENSSL_ED = {
    NULL,
#if defined(QORA_TEST_MBEDTLS)
    qora_mbedtls_sha256, qora_mbedtls_hmac_sha256,
#elif defined(QORA_NO_BUILTIN_SHA256)
    qora_openssl_sha256, qora_openssl_hmac_sha256,
#else
    NULL, NULL,
#endif
    qora_openssl_ed25519_sign, qora_openssl_ed25519_verify
};
/* Every hook on OpenSSL. */
static const qora_crypto OPENSSL_ALL = {
    NULL, qora_openssl_sha256, qora_openssl_hmac_sha256, qora_openssl_ed25519_sign, qora_openssl_ed25519_verify
};

static int hex_to_bytes(const char *hex, size_t hex_len, uint8_t *out, size_t cap, size_t *n)
{
    size_t i;
    if (hex_len % 2u != 0u || hex_len / 2u > cap) {
        return -1;
    }
    for (i = 0; i < hex_len / 2u; i++) {
        unsigned v;
        if (sscanf(hex + 2u * i, "%2x", &v) != 1) {
            return -1;
        }
        out[i] = (uint8_t)v;
    }
    *n = hex_len / 2u;
    return 0;
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
    size_t i;
    for (i = 0; i < n; i++) {
        sprintf(out + 2u * i, "%02x", b[i]);
    }
    out[2u * n] = '\0';
}

/* ---- conformance encode vectors (shared/conformance/README.md) ---------------------------- */

/* The value after "key": in [p, end), or NULL. */
static const char *json_value(const char *p, const char *end, const char *key)
{
    char pattern[64];
    size_t kl;
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    kl = strlen(pattern);
    for (; p + kl <= end; p++) {
        if (memcmp(p, pattern, kl) == 0) {
            const char *v = p + kl;
            while (v < end && (*v == ' ' || *v == ':')) {
                v++;
            }
            return v;
        }
    }
    return NULL;
}

/* Reads a JSON array of hex strings or of integers at p ('['); returns the count, -1 on error. */
static long json_array(const char *p, long (*each)(const char *tok, size_t len, size_t i, void *ctx), void *ctx)
{
    size_t i = 0;
    if (p == NULL || *p != '[') {
        return -1;
    }
    p++;
    while (*p == ' ') {
        p++;
    }
    if (*p == ']') {
        return 0;
    }
    for (;;) {
        const char *start = p;
        size_t len;
        if (*p == '"') {
            start = ++p;
            while (*p != '"' && *p != '\0') {
                p++;
            }
            len = (size_t)(p - start);
            p++;
        } else {
            while (*p == '-' || (*p >= '0' && *p <= '9')) {
                p++;
            }
            len = (size_t)(p - start);
        }
        if (len == 0u || each(start, len, i, ctx) != 0) {
            return -1;
        }
        i++;
        while (*p == ' ') {
            p++;
        }
        if (*p == ']') {
            return (long)i;
        }
        if (*p != ',') {
            return -1;
        }
        p++;
        while (*p == ' ') {
            p++;
        }
    }
}

typedef struct {
    uint32_t *u32;
    long *l;
    size_t cap;
} arr_ctx;

static long each_hex32(const char *tok, size_t len, size_t i, void *ctx)
{
    arr_ctx *a = ctx;
    char buf[9];
    if (len != 8u || i >= a->cap) {
        return -1;
    }
    memcpy(buf, tok, 8);
    buf[8] = '\0';
    a->u32[i] = (uint32_t)strtoul(buf, NULL, 16);
    return 0;
}

static long each_long(const char *tok, size_t len, size_t i, void *ctx)
{
    arr_ctx *a = ctx;
    char buf[32];
    if (len >= sizeof buf || i >= a->cap) {
        return -1;
    }
    memcpy(buf, tok, len);
    buf[len] = '\0';
    a->l[i] = strtol(buf, NULL, 10);
    return 0;
}

typedef struct {
    long cases, refusals, lines_other;
} vector_stats;

static void encode_case(const char *line, vector_stats *st)
{
    const char *end = line + strlen(line);
    const char *id = json_value(line, end, "id");
    const char *input = json_value(line, end, "input");
    const char *expected = input != NULL ? json_value(input, end, "expected") : NULL;
    char name[128] = "?";
    size_t cap = strlen(line) / 8u + 2u; /* each float takes at least 10 characters */
    uint32_t *x = calloc(cap, sizeof *x);
    uint32_t *decoded = calloc(cap, sizeof *decoded);
    long *want_m = calloc(cap, sizeof *want_m);
    int16_t *m = calloc(cap, sizeof *m);
    uint8_t *be = calloc(2u * cap, 1);
    uint8_t *block = calloc(8u + 2u * cap, 1);
    arr_ctx ax = {x, NULL, cap};
    long d;
    size_t i;
    if (id != NULL && *id == '"') {
        size_t n = strcspn(id + 1, "\"");
        snprintf(name, sizeof name, "%.*s", (int)(n < 100 ? n : 100), id + 1);
    }
    if (x == NULL || decoded == NULL || want_m == NULL || m == NULL || be == NULL || block == NULL) {
        CHECK(0, "%s: out of memory", name);
        goto done;
    }
    d = json_array(input != NULL ? json_value(input, end, "x") : NULL, each_hex32, &ax);
    CHECK(d >= 0 && expected != NULL, "%s: cannot read input.x / expected", name);
    if (d < 0 || expected == NULL) {
        goto done;
    }
    st->cases++;
    {
        const char *refuse = json_value(expected, end, "refuse");
        int32_t e = 99;
        size_t bad = (size_t)-1;
        int rc = qora_bfp16_encode_bits(x, (size_t)d, m, &e, &bad);
        if (refuse != NULL && strncmp(refuse, "true", 4) == 0) {
            const char *index = json_value(expected, end, "index");
            st->refusals++;
            CHECK(rc < 0, "%s: expected a refusal, got %d", name, rc);
            CHECK(e == 99, "%s: a refusal wrote e", name);
            if (index != NULL) {
                CHECK(rc == QORA_ERR_NONFINITE && bad == (size_t)strtol(index, NULL, 10),
                      "%s: refusal %d at index %zu, expected NONFINITE at %s", name, rc, bad, index);
                rc = qora_bfp16_encode_bits_be(x, (size_t)d, be, &e, &bad);
                CHECK(rc == QORA_ERR_NONFINITE, "%s: big-endian encode did not refuse", name);
            } else {
                CHECK(rc == QORA_ERR_ARG, "%s: refusal %d, expected QORA_ERR_ARG (d = 0)", name, rc);
            }
        } else {
            arr_ctx am = {NULL, want_m, cap};
            arr_ctx ad = {decoded, NULL, cap};
            const char *ev = json_value(expected, end, "e");
            const char *dg = json_value(expected, end, "digest");
            long want_e = ev != NULL ? strtol(ev, NULL, 10) : 9999;
            long dm = json_array(json_value(expected, end, "m"), each_long, &am);
            long dd = json_array(json_value(expected, end, "decoded"), each_hex32, &ad);
            uint8_t digest[32];
            char hex[65];
            int32_t e2 = 99;
            int same = 1;
            CHECK(rc == QORA_OK, "%s: encode returned %d", name, rc);
            CHECK(dm == d && dd == d && dg != NULL, "%s: cannot read expected", name);
            if (rc != QORA_OK || dm != d || dd != d || dg == NULL) {
                goto done;
            }
            CHECK(e == want_e, "%s: e = %d, expected %ld", name, (int)e, want_e);
            for (i = 0; i < (size_t)d && same; i++) {
                same = m[i] == want_m[i];
            }
            CHECK(same, "%s: mantissa %zu = %d, expected %ld", name, i - 1u, m[i - 1u], want_m[i - 1u]);
            CHECK(qora_block_check(e, m, (size_t)d) == QORA_OK, "%s: the block is not valid", name);
            for (i = 0, same = 1; i < (size_t)d && same; i++) {
                same = qora_bfp16_decode_bits(m[i], e) == decoded[i];
            }
            CHECK(same, "%s: decoded %zu = %08" PRIx32 ", expected %08" PRIx32, name, i - 1u,
                  qora_bfp16_decode_bits(m[i - 1u], e), decoded[i - 1u]);
            /* The same block written big-endian (into a frame), and its digest (spec section 7). */
            CHECK(qora_bfp16_encode_bits_be(x, (size_t)d, block + 8, &e2, NULL) == QORA_OK && e2 == e,
                  "%s: big-endian encode", name);
            block[0] = (uint8_t)((uint32_t)e >> 24);
            block[1] = (uint8_t)((uint32_t)e >> 16);
            block[2] = (uint8_t)((uint32_t)e >> 8);
            block[3] = (uint8_t)e;
            block[4] = (uint8_t)((uint32_t)d >> 24);
            block[5] = (uint8_t)((uint32_t)d >> 16);
            block[6] = (uint8_t)((uint32_t)d >> 8);
            block[7] = (uint8_t)d;
            for (i = 0, same = 1; i < (size_t)d && same; i++) {
                same = (int16_t)((block[8 + 2 * i] << 8) | block[9 + 2 * i]) == m[i];
            }
            CHECK(same, "%s: big-endian mantissas differ from the int16 ones", name);
            CHECK(qora_sha256(&OPENSSL_ED, block, 8u + 2u * (size_t)d, digest) == QORA_OK, "%s: sha256", name);
            to_hex(digest, 32, hex);
            CHECK(strncmp(dg, "\"", 1) == 0 && strncmp(dg + 1, hex, 64) == 0, "%s: digest %s, expected %.66s", name, hex,
                  dg);
            /* float input: the same bits through a float array */
            {
                float *xf = calloc((size_t)d, sizeof *xf);
                int32_t e3 = 99;
                memcpy(xf, x, (size_t)d * sizeof *xf);
                CHECK(xf != NULL && qora_bfp16_encode_f32(xf, (size_t)d, m, &e3, NULL) == QORA_OK && e3 == e,
                      "%s: float encode", name);
                free(xf);
            }
        }
    }
done:
    free(x);
    free(decoded);
    free(want_m);
    free(m);
    free(be);
    free(block);
}

static void run_vector_file(const char *path, vector_stats *st)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    CHECK(f != NULL, "cannot open %s", path);
    if (f == NULL) {
        return;
    }
    while ((n = getline(&line, &cap, f)) > 0) {
        const char *end = line + n;
        const char *kind = json_value(line, end, "kind");
        if (kind != NULL && strncmp(kind, "\"encode\"", 8) == 0) {
            encode_case(line, st);
        } else {
            st->lines_other++;
        }
    }
    free(line);
    fclose(f);
}

/* ---- SHA-256 and HMAC --------------------------------------------------------------------- */

#ifndef QORA_NO_BUILTIN_SHA256
static void check_digest(const char *what, const uint8_t *got, const char *want_hex)
{
    char hex[65];
    to_hex(got, 32, hex);
    CHECK(strcmp(hex, want_hex) == 0, "%s: %s, expected %s", what, hex, want_hex);
}
#endif

static void test_sha256(void)
{
    uint8_t out[32];
    uint8_t ref[32];
    uint8_t buf[1000];
    size_t len;
#ifndef QORA_NO_BUILTIN_SHA256
    static uint8_t million[1000000];
    uint8_t key[131];
    /* FIPS 180-4 examples (NIST CSRC) */
    qora_builtin_sha256((const uint8_t *)"abc", 3, out);
    check_digest("sha256(abc)", out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    qora_builtin_sha256((const uint8_t *)"", 0, out);
    check_digest("sha256()", out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    qora_builtin_sha256((const uint8_t *)"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
    check_digest("sha256(448 bits)", out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    memset(million, 'a', sizeof million);
    qora_builtin_sha256(million, sizeof million, out);
    check_digest("sha256(a x 10^6)", out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* RFC 4231 test cases 1, 2 and 6 */
    memset(key, 0x0b, 20);
    qora_builtin_hmac_sha256(key, 20, (const uint8_t *)"Hi There", 8, out);
    check_digest("RFC 4231 case 1", out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    qora_builtin_hmac_sha256((const uint8_t *)"Jefe", 4, (const uint8_t *)"what do ya want for nothing?", 28, out);
    check_digest("RFC 4231 case 2", out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(key, 0xaa, 131);
    qora_builtin_hmac_sha256(key, 131, (const uint8_t *)"Test Using Larger Than Block-Size Key - Hash Key First", 54,
                             out);
    check_digest("RFC 4231 case 6", out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
#endif
    /* qora_sha256 / qora_hmac_sha256 (built-in or hooks) against OpenSSL, every length 0..999 */
    CHECK(RAND_bytes(buf, sizeof buf) == 1, "RAND_bytes");
    for (len = 0; len < sizeof buf; len++) {
        int same_sha;
        int same_hmac;
        SHA256(buf, len, ref);
        same_sha = qora_sha256(&OPENSSL_ED, buf, len, out) == QORA_OK && memcmp(out, ref, 32) == 0;
        CHECK(same_sha, "sha256 of %zu random bytes differs from OpenSSL", len);
        qora_openssl_hmac_sha256(NULL, buf + 500, buf, len, ref);
        same_hmac = qora_hmac_sha256(&OPENSSL_ED, buf + 500, buf, len, out) == QORA_OK && memcmp(out, ref, 32) == 0;
        CHECK(same_hmac, "hmac of %zu random bytes differs from OpenSSL", len);
        if (!same_sha || !same_hmac) {
            break;
        }
    }
#ifndef QORA_NO_BUILTIN_SHA256
    /* no qora_crypto at all: the built-in */
    CHECK(qora_sha256(NULL, buf, 100, out) == QORA_OK && (SHA256(buf, 100, ref), memcmp(out, ref, 32) == 0),
          "sha256 without hooks");
#else
    CHECK(qora_sha256(NULL, buf, 100, out) == QORA_ERR_CRYPTO, "no built-in, no hook: refused");
    CHECK(qora_hmac_sha256(NULL, buf, buf, 100, out) == QORA_ERR_CRYPTO, "no built-in, no hook: refused");
#endif
    /* the hooks are called when given */
    CHECK(qora_sha256(&OPENSSL_ALL, buf, 100, out) == QORA_OK && (SHA256(buf, 100, ref), memcmp(out, ref, 32) == 0),
          "sha256 hook");
}

/* ---- docs/PROTOCOL.md section 12 ----------------------------------------------------------- */

typedef struct {
    char name[64], scheme[32], key[80], public_key[80], fleet[80], node[80], model[80], frame[1024];
    char mantissas[256];
    long long round, sequence;
    long e;
} doc_vector;

static void set_field(doc_vector *v, const char *k, const char *val)
{
    struct {
        const char *key;
        char *dst;
        size_t cap;
    } s[] = {{"name", v->name, sizeof v->name}, {"scheme", v->scheme, sizeof v->scheme},
             {"key", v->key, sizeof v->key}, {"public", v->public_key, sizeof v->public_key},
             {"fleet", v->fleet, sizeof v->fleet}, {"node", v->node, sizeof v->node},
             {"model", v->model, sizeof v->model}, {"frame", v->frame, sizeof v->frame},
             {"mantissas", v->mantissas, sizeof v->mantissas}};
    size_t i;
    for (i = 0; i < sizeof s / sizeof s[0]; i++) {
        if (strcmp(k, s[i].key) == 0) {
            snprintf(s[i].dst, s[i].cap, "%s", val);
        }
    }
    if (strcmp(k, "round") == 0) {
        v->round = strtoll(val, NULL, 10);
    } else if (strcmp(k, "sequence") == 0) {
        v->sequence = strtoll(val, NULL, 10);
    } else if (strcmp(k, "e") == 0) {
        v->e = strtol(val, NULL, 10);
    }
}

static void check_doc_vector(const doc_vector *v, int *hmac_seen, int *ed_seen)
{
    uint8_t key[32], want[1024], out[1024], pub[32];
    size_t key_len = 0, want_len = 0, pub_len = 0, out_len = 0, i;
    int16_t m[64];
    uint32_t d = 0;
    const char *p = v->mantissas;
    qora_frame_fields f;
    qora_frame fr;
    int ed = strcmp(v->scheme, "ed25519") == 0;
    while (*p != '\0' && d < 64u) {
        char *next;
        m[d++] = (int16_t)strtol(p, &next, 10);
        p = *next == ',' ? next + 1 : next;
    }
    CHECK(hex_to_bytes(v->key, strlen(v->key), key, sizeof key, &key_len) == 0 && key_len == 32u, "%s: key", v->name);
    CHECK(hex_to_bytes(v->frame, strlen(v->frame), want, sizeof want, &want_len) == 0, "%s: frame", v->name);
    f.kind = QORA_KIND_UPDATE;
    f.scheme = ed ? QORA_SCHEME_ED25519 : QORA_SCHEME_HMAC_SHA256;
    f.fleet = v->fleet;
    f.node_id = v->node;
    f.model_id = v->model;
    f.round = (uint64_t)v->round;
    f.sequence = (uint64_t)v->sequence;
    f.e = (int32_t)v->e;
    f.d = d;
    f.m = m;
    CHECK(qora_frame_size(&f) == want_len, "%s: size %zu, the document's frame has %zu", v->name, qora_frame_size(&f),
          want_len);
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &out_len), QORA_OK);
    CHECK(out_len == want_len && memcmp(out, want, want_len) == 0, "%s: the frame differs from docs/PROTOCOL.md",
          v->name);
    /* the same frame through every OpenSSL hook */
    memset(out, 0, sizeof out);
    CHECK(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ALL, &out_len) == QORA_OK && out_len == want_len
              && memcmp(out, want, want_len) == 0,
          "%s: the frame built with the OpenSSL hooks differs", v->name);
    /* in place: the mantissas encoded straight into the frame */
    memset(out, 0, sizeof out);
    f.m = NULL;
    {
        size_t at = qora_frame_mantissa_offset(&f);
        for (i = 0; i < d; i++) {
            out[at + 2u * i] = (uint8_t)((uint16_t)m[i] >> 8);
            out[at + 2u * i + 1u] = (uint8_t)((uint16_t)m[i] & 0xFFu);
        }
    }
    CHECK(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &out_len) == QORA_OK && out_len == want_len
              && memcmp(out, want, want_len) == 0,
          "%s: the frame built in place differs", v->name);
    /* parsed back */
    CHECK_RC(qora_frame_parse(want, want_len, QORA_FRAME_MAX_BYTES(d), &fr), QORA_OK);
    CHECK(fr.kind == QORA_KIND_UPDATE && fr.scheme == f.scheme && fr.round == f.round && fr.sequence == f.sequence
              && fr.e == f.e && fr.d == d && fr.node_id_len == strlen(v->node)
              && memcmp(fr.node_id, v->node, fr.node_id_len) == 0 && fr.signed_len == 62u,
          "%s: parsed fields", v->name);
    for (i = 0; i < d; i++) {
        CHECK(qora_frame_mantissa(&fr, (uint32_t)i) == m[i], "%s: parsed mantissa %zu", v->name, i);
    }
    if (ed) {
        uint8_t derived[32];
        *ed_seen = 1;
        CHECK(hex_to_bytes(v->public_key, strlen(v->public_key), pub, sizeof pub, &pub_len) == 0 && pub_len == 32u,
              "%s: public", v->name);
        CHECK(qora_openssl_ed25519_public(key, derived) == 0 && memcmp(derived, pub, 32) == 0,
              "%s: the public key of the seed", v->name);
        CHECK(qora_openssl_ed25519_verify(NULL, pub, want, fr.signed_len, fr.signature) == 0, "%s: verify", v->name);
    } else {
        uint8_t mac[32];
        *hmac_seen = 1;
        CHECK(qora_hmac_sha256(&OPENSSL_ED, key, want, fr.signed_len, mac) == QORA_OK && memcmp(mac, fr.signature, 32) == 0,
              "%s: hmac", v->name);
    }
}

static void test_protocol_vectors(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    int in_block = 0;
    int blocks = 0;
    int hmac_seen = 0;
    int ed_seen = 0;
    doc_vector v;
    CHECK(f != NULL, "cannot open %s", path);
    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!in_block) {
            if (strcmp(line, "```qora-vector") == 0) {
                in_block = 1;
                memset(&v, 0, sizeof v);
            }
        } else if (strncmp(line, "```", 3) == 0) {
            in_block = 0;
            blocks++;
            check_doc_vector(&v, &hmac_seen, &ed_seen);
        } else {
            char *eq = strstr(line, " = ");
            if (eq != NULL) {
                *eq = '\0';
                set_field(&v, line, eq + 3);
            }
        }
    }
    fclose(f);
    CHECK(blocks == 2 && hmac_seen && ed_seen, "docs/PROTOCOL.md: %d qora-vector blocks (hmac %d, ed25519 %d)", blocks,
          hmac_seen, ed_seen);
    printf("docs/PROTOCOL.md section 12: %d qora-vector frames rebuilt byte for byte\n", blocks);
}

/* ---- the gateway's messages and a node's rounds --------------------------------------------- */

static const uint8_t GATEWAY_SEED[32] = {7, 7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                         13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28};
static const uint8_t OTHER_SEED[32] = {9};

/* A MODEL frame of round r, signed by the seed (Ed25519 unless scheme says otherwise). */
static size_t model_frame(uint8_t *out, size_t cap, const char *fleet, const char *gateway, uint64_t r, int32_t e,
                          const int16_t *m, uint32_t d, const uint8_t *seed, uint8_t scheme)
{
    qora_frame_fields f;
    size_t len = 0;
    f.kind = QORA_KIND_MODEL;
    f.scheme = scheme;
    f.fleet = fleet;
    f.node_id = gateway;
    f.model_id = "m-test";
    f.round = r;
    f.sequence = r + 1u;
    f.e = e;
    f.d = d;
    f.m = m;
    CHECK_RC(qora_frame_build(out, cap, &f, seed, &OPENSSL_ALL, &len), QORA_OK);
    return len;
}

/* An announcement of round r signed for topic by seed; digest_of: the MODEL frame it names. */
static size_t announcement(char *out, size_t cap, const char *topic, const char *fleet, const char *gateway,
                           uint64_t r, uint32_t d, const uint8_t *model, size_t model_len, const uint8_t *seed,
                           int upper_hex)
{
    qora_frame fr;
    uint8_t digest[32];
    char digest_hex[65];
    uint8_t sig[64];
    char sig_hex[129];
    uint8_t signed_data[2048];
    int body;
    size_t i;
    CHECK_RC(qora_frame_parse(model, model_len, (size_t)-1, &fr), QORA_OK);
    SHA256(fr.block, 8u + 2u * fr.d, digest);
    to_hex(digest, 32, digest_hex);
    body = snprintf(out, cap,
                    "protocol=1\nfleet=%s\nround=%" PRIu64 "\nmodel=m-test\ndimension=%" PRIu32
                    "\nmaxFrameBytes=%" PRIu32 "\ndeadline=1795000000000\naggregator=centered-clip(1, 3)\nmetric=none\n"
                    "f=0\nm=0\nmodelDigest=%s\ngateway=%s\n",
                    fleet, r, d, (uint32_t)QORA_FRAME_MAX_BYTES(d), digest_hex, gateway);
    i = (size_t)snprintf((char *)signed_data, sizeof signed_data, "qora-signed-text/1\n%s\n", topic);
    memcpy(signed_data + i, out, (size_t)body);
    CHECK(qora_openssl_ed25519_sign(NULL, seed, signed_data, i + (size_t)body, sig) == 0, "sign announcement");
    to_hex(sig, 64, sig_hex);
    for (i = 0; upper_hex && i < 128u; i++) {
        if (sig_hex[i] >= 'a' && sig_hex[i] <= 'f') {
            sig_hex[i] = (char)(sig_hex[i] - 'a' + 'A');
        }
    }
    return (size_t)body + (size_t)snprintf(out + body, cap - (size_t)body, "signature=%s\n", sig_hex);
}

static void test_node_rounds(void)
{
    uint8_t gateway_pub[32], other_pub[32];
    qora_credentials cred, no_gateway;
    qora_node n;
    qora_frame model;
    uint8_t frame[512], frame2[512], scratch[1024], out[512];
    char ann[1024], ann2[1024];
    size_t flen, flen2, alen, alen2, out_len = 0;
    int16_t m1[4] = {1, -2, 32767, -32767};
    int16_t m2[4] = {5, 6, 7, -8};
    int16_t bad[4] = {1, 2, 3, -32767};
    const char *topic = "qora/v1/plant/round";
    char text[512];
    qora_frame upd;
    uint8_t mac[32];
    qora_crypto no_verify = OPENSSL_ED;
    qora_announcement a;
    size_t body_len;

    no_verify.ed25519_verify = NULL;
    CHECK(qora_openssl_ed25519_public(GATEWAY_SEED, gateway_pub) == 0, "gateway public key");
    CHECK(qora_openssl_ed25519_public(OTHER_SEED, other_pub) == 0, "other public key");
    {
        char pub_hex[65];
        to_hex(gateway_pub, 32, pub_hex);
        snprintf(text, sizeof text,
                 "# credentials of node node-07; keep private\n"
                 "node-07 hmac-sha256 000102030405060708090A0B0C0D0E0F101112131415161718191a1b1c1d1e1f\n"
                 "# the gateway this node trusts\ngw-1 gateway-ed25519 %s\n",
                 pub_hex);
    }
    CHECK_RC(qora_credentials_parse(text, strlen(text), &cred), QORA_OK);
    CHECK(strcmp(cred.node_id, "node-07") == 0 && cred.scheme == QORA_SCHEME_HMAC_SHA256 && cred.key[10] == 10
              && cred.has_gateway && strcmp(cred.gateway_id, "gw-1") == 0
              && memcmp(cred.gateway_key, gateway_pub, 32) == 0,
          "credentials fields");
    no_gateway = cred;
    no_gateway.has_gateway = 0;
    CHECK_RC(qora_node_init(&n, "plant", &no_gateway, &OPENSSL_ED), QORA_ERR_ARG);
    CHECK_RC(qora_node_init(&n, "pl/ant", &cred, &OPENSSL_ED), QORA_ERR_IDENTIFIER);
    CHECK_RC(qora_node_init(&n, "plant", &cred, &OPENSSL_ED), QORA_OK);
    CHECK(strcmp(n.topic_round, topic) == 0 && strcmp(n.topic_model, "qora/v1/plant/model") == 0, "topics");

    /* round 1: announcement first, then the model */
    flen = model_frame(frame, sizeof frame, "plant", "gw-1", 1, -10, m1, 4, GATEWAY_SEED, QORA_SCHEME_ED25519);
    alen = announcement(ann, sizeof ann, topic, "plant", "gw-1", 1, 4, frame, flen, GATEWAY_SEED, 0);
    CHECK_RC(qora_node_build_update(&n, 5, -3, m2, 4, out, sizeof out, &out_len), QORA_ERR_STATE);
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen, scratch, sizeof scratch), QORA_OK);
    CHECK_RC(qora_node_on_model(&n, frame, flen, &model), QORA_ROUND_READY);
    CHECK(n.has_current && n.current_round == 1u && n.refused == 0u, "round 1 is ready");
    CHECK(model.d == 4u && model.e == -10 && qora_frame_mantissa(&model, 2) == 32767
              && qora_frame_mantissa(&model, 3) == -32767,
          "the model's block");
    CHECK(qora_bfp16_decode_bits(qora_frame_mantissa(&model, 0), model.e) == 0x3a800000u, "1 * 2^-10 decodes");
    CHECK_RC(qora_node_on_model(&n, frame, flen, &model), QORA_OK); /* the same again: nothing new */
    CHECK_RC(qora_node_on_round(&n, NULL, 0, scratch, sizeof scratch), QORA_OK); /* a cleared retained message */

    /* the update for round 1 */
    CHECK_RC(qora_node_build_update(&n, 5, -3, m2, 3, out, sizeof out, &out_len), QORA_ERR_STATE);
    CHECK_RC(qora_node_build_update(&n, 0, -3, m2, 4, out, sizeof out, &out_len), QORA_ERR_ARG);
    CHECK_RC(qora_node_build_update(&n, 5, -3, m2, 4, out, 40, &out_len), QORA_ERR_BUFFER);
    CHECK_RC(qora_node_build_update(&n, 5, -3, m2, 4, out, sizeof out, &out_len), QORA_OK);
    CHECK_RC(qora_frame_parse(out, out_len, QORA_FRAME_MAX_BYTES(4), &upd), QORA_OK);
    CHECK(upd.kind == QORA_KIND_UPDATE && upd.round == 1u && upd.sequence == 5u && upd.e == -3 && upd.d == 4u
              && upd.model_id_len == 6u && memcmp(upd.model_id, "m-test", 6) == 0 && upd.fleet_len == 5u
              && upd.node_id_len == 7u && qora_frame_mantissa(&upd, 3) == -8,
          "the update's fields");
    qora_openssl_hmac_sha256(NULL, cred.key, out, upd.signed_len, mac);
    CHECK(memcmp(mac, upd.signature, 32) == 0, "the update's HMAC");

    /* round 2: the model first, then the announcement */
    flen2 = model_frame(frame2, sizeof frame2, "plant", "gw-1", 2, 0, m2, 4, GATEWAY_SEED, QORA_SCHEME_ED25519);
    alen2 = announcement(ann2, sizeof ann2, topic, "plant", "gw-1", 2, 4, frame2, flen2, GATEWAY_SEED, 0);
    CHECK_RC(qora_node_on_model(&n, frame2, flen2, &model), QORA_OK);
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann2, alen2, scratch, sizeof scratch), QORA_ROUND_READY);
    CHECK(n.current_round == 2u, "round 2 is ready");

    /* rollback: round 1's genuine messages replayed */
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen, scratch, sizeof scratch), QORA_ERR_ROLLBACK);
    CHECK_RC(qora_node_on_model(&n, frame, flen, &model), QORA_ERR_ROLLBACK);
    CHECK(n.current_round == 2u && n.refused == 2u, "rollbacks refused and counted");

    /* announcements refused */
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann2, alen2, scratch, 100), QORA_ERR_BUFFER);
    memcpy(ann, ann2, alen2);
    ann[10] ^= 1; /* one byte of the body */
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen2, scratch, sizeof scratch), QORA_ERR_SIGNATURE);
    memcpy(ann, ann2, alen2);
    ann[alen2 - 2] = ann[alen2 - 2] == '0' ? '1' : '0'; /* one hex digit of the signature */
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen2, scratch, sizeof scratch), QORA_ERR_SIGNATURE);
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann2, alen2 - 1, scratch, sizeof scratch), QORA_ERR_SIGNATURE);
    {
        const char *sig_line = strstr(ann2, "signature=");
        CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann2, (size_t)(sig_line - ann2), scratch, sizeof scratch),
                 QORA_ERR_SIGNATURE); /* unsigned */
    }
    alen = announcement(ann, sizeof ann, topic, "plant", "gw-1", 3, 4, frame2, flen2, GATEWAY_SEED, 1);
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen, scratch, sizeof scratch), QORA_ERR_SIGNATURE);
    alen = announcement(ann, sizeof ann, "qora/v1/plant/gateway/status", "plant", "gw-1", 3, 4, frame2, flen2,
                        GATEWAY_SEED, 0);
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen, scratch, sizeof scratch), QORA_ERR_SIGNATURE);
    alen = announcement(ann, sizeof ann, topic, "plant", "gw-1", 3, 4, frame2, flen2, OTHER_SEED, 0);
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen, scratch, sizeof scratch), QORA_ERR_SIGNATURE);
    alen = announcement(ann, sizeof ann, topic, "other", "gw-1", 3, 4, frame2, flen2, GATEWAY_SEED, 0);
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen, scratch, sizeof scratch), QORA_ERR_NOT_FOR_US);
    alen = announcement(ann, sizeof ann, topic, "plant", "gw-2", 3, 4, frame2, flen2, GATEWAY_SEED, 0);
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen, scratch, sizeof scratch), QORA_ERR_NOT_FOR_US);
    alen = announcement(ann, sizeof ann, topic, "plant", "gw-1", 3, 4, frame2, flen2, GATEWAY_SEED, 0);
    n.crypto = &no_verify;
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen, scratch, sizeof scratch), QORA_ERR_CRYPTO);
    CHECK_RC(qora_node_on_model(&n, frame2, flen2, &model), QORA_ERR_CRYPTO);
    n.crypto = &OPENSSL_ED;
    CHECK(n.current_round == 2u && n.refused == 14u, "refusals counted (%u)", (unsigned)n.refused);
    CHECK_RC(qora_announcement_verify((const uint8_t *)ann, alen, topic, gateway_pub, &OPENSSL_ED, scratch,
                                      sizeof scratch, &a),
             QORA_OK);
    CHECK(a.round == 3u && a.dimension == 4u && a.max_frame_bytes == 299u && a.deadline_ms == 1795000000000LL
              && a.f == 0 && a.m == 0 && strcmp(a.model_id, "m-test") == 0 && strcmp(a.gateway_id, "gw-1") == 0,
          "announcement fields");
    CHECK_RC(qora_signed_text_verify((const uint8_t *)ann, alen, topic, gateway_pub, &OPENSSL_ED, scratch,
                                     sizeof scratch, &body_len),
             QORA_OK);
    CHECK(body_len == (size_t)(strstr(ann, "signature=") - ann), "signed body length");

    /* round 3 announced, its model is not the announced one (digest): not ready */
    CHECK_RC(qora_node_on_round(&n, (const uint8_t *)ann, alen, scratch, sizeof scratch), QORA_OK);
    flen = model_frame(frame, sizeof frame, "plant", "gw-1", 3, 0, m1, 4, GATEWAY_SEED, QORA_SCHEME_ED25519);
    CHECK_RC(qora_node_on_model(&n, frame, flen, &model), QORA_OK);
    CHECK(n.current_round == 2u, "a model whose digest differs from the announced one does not start the round");

    /* models refused */
    flen = model_frame(frame, sizeof frame, "plant", "gw-1", 3, 0, m2, 4, GATEWAY_SEED, QORA_SCHEME_ED25519);
    memcpy(frame2, frame, flen);
    frame2[flen - 70] ^= 1; /* a mantissa byte */
    CHECK_RC(qora_node_on_model(&n, frame2, flen, &model), QORA_ERR_SIGNATURE);
    flen2 = model_frame(frame2, sizeof frame2, "plant", "gw-1", 3, 0, m2, 4, OTHER_SEED, QORA_SCHEME_ED25519);
    CHECK_RC(qora_node_on_model(&n, frame2, flen2, &model), QORA_ERR_SIGNATURE);
    flen2 = model_frame(frame2, sizeof frame2, "plant", "gw-1", 3, 0, m2, 4, GATEWAY_SEED, QORA_SCHEME_HMAC_SHA256);
    CHECK_RC(qora_node_on_model(&n, frame2, flen2, &model), QORA_ERR_SIGNATURE);
    flen2 = model_frame(frame2, sizeof frame2, "plant", "gw-2", 3, 0, m2, 4, GATEWAY_SEED, QORA_SCHEME_ED25519);
    CHECK_RC(qora_node_on_model(&n, frame2, flen2, &model), QORA_ERR_NOT_FOR_US);
    flen2 = model_frame(frame2, sizeof frame2, "other", "gw-1", 3, 0, m2, 4, GATEWAY_SEED, QORA_SCHEME_ED25519);
    CHECK_RC(qora_node_on_model(&n, frame2, flen2, &model), QORA_ERR_NOT_FOR_US);
    memcpy(frame2, frame, flen);
    frame2[5] = QORA_KIND_UPDATE;
    CHECK(qora_openssl_ed25519_sign(NULL, GATEWAY_SEED, frame2, flen - 64, frame2 + flen - 64) == 0, "re-sign");
    CHECK_RC(qora_node_on_model(&n, frame2, flen, &model), QORA_ERR_NOT_FOR_US);
    memcpy(frame2, frame, flen);
    frame2[flen - 72] = 0x80; /* the first mantissa becomes -32768, signed by the gateway's key */
    frame2[flen - 71] = 0x00;
    CHECK(qora_openssl_ed25519_sign(NULL, GATEWAY_SEED, frame2, flen - 64, frame2 + flen - 64) == 0, "re-sign");
    CHECK_RC(qora_node_on_model(&n, frame2, flen, &model), QORA_ERR_INVALID_BLOCK);
    memcpy(frame2, frame, flen);
    frame2[flen - 77] = 114; /* e = 114 */
    CHECK(qora_openssl_ed25519_sign(NULL, GATEWAY_SEED, frame2, flen - 64, frame2 + flen - 64) == 0, "re-sign");
    CHECK_RC(qora_node_on_model(&n, frame2, flen, &model), QORA_ERR_INVALID_BLOCK);
    CHECK_RC(qora_node_on_model(&n, frame, flen - 1, &model), QORA_ERR_MALFORMED);
    CHECK(n.current_round == 2u, "nothing refused starts a round");
    /* the announced model of round 3 */
    flen = model_frame(frame, sizeof frame, "plant", "gw-1", 3, 0, m2, 4, GATEWAY_SEED, QORA_SCHEME_ED25519);
    CHECK_RC(qora_node_on_model(&n, frame, flen, &model), QORA_ROUND_READY);
    CHECK(n.current_round == 3u, "round 3 is ready");

    /* an Ed25519 node signs its updates through the hook, or refuses without one */
    {
        qora_credentials ed = cred;
        qora_crypto no_sign = OPENSSL_ED;
        uint8_t node_pub[32];
        ed.scheme = QORA_SCHEME_ED25519;
        n.cred = &ed;
        CHECK_RC(qora_node_build_update(&n, 9, -3, m2, 4, out, sizeof out, &out_len), QORA_OK);
        CHECK_RC(qora_frame_parse(out, out_len, QORA_FRAME_MAX_BYTES(4), &upd), QORA_OK);
        CHECK(qora_openssl_ed25519_public(ed.key, node_pub) == 0
                  && qora_openssl_ed25519_verify(NULL, node_pub, out, upd.signed_len, upd.signature) == 0
                  && upd.scheme == QORA_SCHEME_ED25519 && upd.round == 3u,
              "an Ed25519 update verifies");
        no_sign.ed25519_sign = NULL;
        n.crypto = &no_sign;
        CHECK_RC(qora_node_build_update(&n, 10, -3, m2, 4, out, sizeof out, &out_len), QORA_ERR_CRYPTO);
        n.crypto = &OPENSSL_ED;
        n.cred = &cred;
    }
    CHECK_RC(qora_node_build_update(&n, 11, -3, bad, 4, out, sizeof out, &out_len), QORA_OK);
    bad[0] = -32767 - 1;
    CHECK_RC(qora_node_build_update(&n, 12, -3, bad, 4, out, sizeof out, &out_len), QORA_ERR_INVALID_BLOCK);
}

/* ---- refusals ------------------------------------------------------------------------------ */

static void test_refusals(void)
{
    uint32_t x[3] = {0x3f800000u, 0x7fc00000u, 0x7f800000u};
    int16_t m[3] = {0, 0, 0};
    int32_t e = 7;
    size_t bad = 99;
    uint8_t be[6];
    uint8_t key[32] = {1};
    uint8_t out[400];
    size_t len = 0;
    qora_frame_fields f;
    qora_frame fr;
    uint8_t good[400];
    size_t good_len = 0;
    qora_credentials cred;
    const char *ids_bad[] = {"", "a/b", "a+b", "a#b", "tab\there", "del\x7f", "\xc2\x80" "c1", "\xc0\xaf",
                             "\xed\xa0\x80", "\xef\xb7\x90", "\xf0\x9f\x98\x80", "\xff",
                             "0123456789012345678901234567890123456789012345678901234567890123X"};
    const char *ids_good[] = {"node-01", "\xc3\xa9t\xc3\xa9", "\xe4\xb8\xad", "\xef\xb7\x8f",
                              "0123456789012345678901234567890123456789012345678901234567890123"};
    char topic[QORA_TOPIC_MAX];
    size_t i;

    /* encode */
    CHECK_RC(qora_bfp16_encode_bits(x, 3, m, &e, &bad), QORA_ERR_NONFINITE);
    CHECK(bad == 1u && e == 7 && m[0] == 0, "NaN at index 1, nothing written");
    x[1] = 0xff800000u; /* -infinity */
    CHECK(qora_bfp16_encode_bits(x, 3, m, &e, &bad) == QORA_ERR_NONFINITE && bad == 1u, "-inf at index 1");
    CHECK(qora_bfp16_encode_bits_be(x, 3, be, &e, &bad) == QORA_ERR_NONFINITE && bad == 1u, "-inf (big-endian)");
    CHECK_RC(qora_bfp16_encode_bits(x, 0, m, &e, &bad), QORA_ERR_ARG);
    CHECK_RC(qora_bfp16_encode_bits(NULL, 3, m, &e, &bad), QORA_ERR_ARG);
    CHECK_RC(qora_bfp16_encode_bits(x, 3, NULL, &e, &bad), QORA_ERR_ARG);
    CHECK_RC(qora_bfp16_encode_bits(x, 1, m, &e, NULL), QORA_OK);
    CHECK(e == -15 && m[0] == 32767, "1.0 (a power of two) clamps to 32767 with e = -15");
    m[0] = -32767 - 1;
    CHECK_RC(qora_block_check(0, m, 1), QORA_ERR_INVALID_BLOCK);
    m[0] = 1;
    CHECK_RC(qora_block_check(114, m, 1), QORA_ERR_INVALID_BLOCK);
    CHECK_RC(qora_block_check(-127, m, 1), QORA_ERR_INVALID_BLOCK);
    CHECK_RC(qora_block_check(113, m, 1), QORA_OK);
    CHECK_RC(qora_block_check(0, m, 0), QORA_ERR_ARG);
    CHECK(qora_bfp16_decode_bits(-32767, 113) == 0xff7ffe00u, "-32767 * 2^113");
    CHECK(qora_bfp16_decode_bits(1, -126) == 0x00800000u, "2^-126");

    /* identifiers and topics */
    for (i = 0; i < sizeof ids_bad / sizeof ids_bad[0]; i++) {
        CHECK(qora_identifier_check((const uint8_t *)ids_bad[i], strlen(ids_bad[i])) == QORA_ERR_IDENTIFIER,
              "identifier %zu is refused", i);
    }
    for (i = 0; i < sizeof ids_good / sizeof ids_good[0]; i++) {
        CHECK(qora_identifier_check((const uint8_t *)ids_good[i], strlen(ids_good[i])) == QORA_OK,
              "identifier %zu is accepted", i);
    }
    CHECK(qora_topic(topic, sizeof topic, "demo", "update", "node-01", &len) == QORA_OK
              && strcmp(topic, "qora/v1/demo/update/node-01") == 0 && len == 27u,
          "update topic");
    CHECK(qora_topic(topic, sizeof topic, "demo", "gateway/status", NULL, NULL) == QORA_OK
              && strcmp(topic, "qora/v1/demo/gateway/status") == 0,
          "status topic");
    CHECK_RC(qora_topic(topic, 27, "demo", "update", "node-01", NULL), QORA_ERR_BUFFER);
    CHECK_RC(qora_topic(topic, sizeof topic, "de+mo", "round", NULL, NULL), QORA_ERR_IDENTIFIER);
    CHECK_RC(qora_topic(topic, sizeof topic, "demo", "update", "a/b", NULL), QORA_ERR_IDENTIFIER);

    /* frame build */
    m[0] = 1;
    m[1] = -2;
    m[2] = 3;
    f.kind = QORA_KIND_UPDATE;
    f.scheme = QORA_SCHEME_HMAC_SHA256;
    f.fleet = "demo";
    f.node_id = "node-01";
    f.model_id = "mnist-lr";
    f.round = 7;
    f.sequence = 42;
    f.e = -10;
    f.d = 3;
    f.m = m;
    CHECK_RC(qora_frame_build(good, sizeof good, &f, key, &OPENSSL_ED, &good_len), QORA_OK);
    CHECK(good_len == QORA_FRAME_BYTES(4u, 7u, 8u, 3u, 32u), "frame size");
    CHECK_RC(qora_frame_build(out, good_len - 1, &f, key, &OPENSSL_ED, &len), QORA_ERR_BUFFER);
    f.round = 0x8000000000000000u;
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_ERR_ARG);
    f.round = 7;
    f.sequence = 0;
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_ERR_ARG);
    f.sequence = 0x8000000000000000u;
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_ERR_ARG);
    f.sequence = 0x7FFFFFFFFFFFFFFFu;
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_OK);
    f.e = 114;
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_ERR_INVALID_BLOCK);
    f.e = -10;
    f.d = 0;
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_ERR_ARG);
    f.d = 3;
    f.node_id = "node/01";
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_ERR_IDENTIFIER);
    f.node_id = "node-01";
    f.model_id = "";
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_ERR_IDENTIFIER);
    f.model_id = "mnist-lr";
    f.scheme = 3;
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_ERR_ARG);
    f.scheme = QORA_SCHEME_ED25519;
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, NULL, &len), QORA_ERR_CRYPTO);
    f.scheme = QORA_SCHEME_HMAC_SHA256;
    m[2] = -32767 - 1;
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_ERR_INVALID_BLOCK);
    f.m = NULL; /* in place */
    memset(out, 0, sizeof out);
    out[qora_frame_mantissa_offset(&f) + 4] = 0x80;
    CHECK_RC(qora_frame_build(out, sizeof out, &f, key, &OPENSSL_ED, &len), QORA_ERR_INVALID_BLOCK);

    /* frame parse: every structural rule */
    CHECK_RC(qora_frame_parse(good, good_len, good_len, &fr), QORA_OK);
    CHECK_RC(qora_frame_parse(good, good_len, good_len - 1, &fr), QORA_ERR_MALFORMED); /* oversize */
    CHECK_RC(qora_frame_parse(good, good_len - 1, good_len, &fr), QORA_ERR_MALFORMED); /* truncated */
    {
        struct {
            size_t at;
            uint8_t value;
        } breaks[] = {{0, 'X'}, {4, 2}, {5, 3}, {6, 0}, {6, 2}, {7, 1}, {8, 0}, {8, 65}, {8, 200}, {9, '/'},
                      {13, 0}, {21, 0x80}, {29, 0x80}, {37, 0}, {37, 0x80}, {38, 0}, {39, 0xff}, {53, 0},
                      {53, 4}, {52, 0x80}, {50, 0x80}};
        for (i = 0; i < sizeof breaks / sizeof breaks[0]; i++) {
            memcpy(out, good, good_len);
            out[breaks[i].at] = breaks[i].value;
            CHECK(qora_frame_parse(out, good_len, sizeof out, &fr) == QORA_ERR_MALFORMED, "broken frame %zu (byte %zu)",
                  i, breaks[i].at);
        }
        memcpy(out, good, good_len);
        memset(out + 29, 0, 8); /* sequence 0 */
        CHECK_RC(qora_frame_parse(out, good_len, sizeof out, &fr), QORA_ERR_MALFORMED);
    }
    memcpy(out, good, good_len);
    out[good_len] = 0;
    CHECK_RC(qora_frame_parse(out, good_len + 1, sizeof out, &fr), QORA_ERR_MALFORMED); /* one byte too many */
    CHECK_RC(qora_frame_parse(good, 8, sizeof out, &fr), QORA_ERR_MALFORMED);

    /* credentials */
    {
        const char *bad_files[] = {
            "", "# nothing\n",
            "a hmac-sha256 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e\n",
            "a hmac-sha256 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g\n",
            "a rsa 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
            "a hmac-sha256 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f extra\n",
            "a hmac-sha256 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
            "b ed25519 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
            "a hmac-sha256 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
            "g gateway-ed25519 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
            "h gateway-ed25519 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
            "a/b hmac-sha256 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
            "\xff hmac-sha256 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"};
        const char *ok = "  # comment\r\n\tsensor-9\ted25519   00010203040506070809 0a0b\n";
        for (i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
            CHECK(qora_credentials_parse(bad_files[i], strlen(bad_files[i]), &cred) == QORA_ERR_MALFORMED,
                  "credentials file %zu is refused", i);
        }
        CHECK(qora_credentials_parse(ok, strlen(ok), &cred) == QORA_ERR_MALFORMED, "a split key is refused");
        ok = "  # comment\r\n\tsensor-9\ted25519   000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f # k\r\n";
        CHECK(qora_credentials_parse(ok, strlen(ok), &cred) == QORA_OK && strcmp(cred.node_id, "sensor-9") == 0
                  && cred.scheme == QORA_SCHEME_ED25519 && cred.key[31] == 0x1f && !cred.has_gateway,
              "tabs, CR and comments");
    }

    /* text lines */
    {
        const uint8_t *v;
        size_t vl;
        const char *t = "protocol=1\nround=12\nreason=wrong-round\ndetail=a=b c\n";
        CHECK(qora_text_get((const uint8_t *)t, strlen(t), "detail", &v, &vl) == QORA_OK && vl == 5u
                  && memcmp(v, "a=b c", 5) == 0,
              "text value with '='");
        CHECK_RC(qora_text_get((const uint8_t *)t, strlen(t), "missing", &v, &vl), QORA_ERR_MALFORMED);
        t = "round=1\nround=2\n";
        CHECK_RC(qora_text_get((const uint8_t *)t, strlen(t), "round", &v, &vl), QORA_ERR_MALFORMED);
        t = "round=1\nnoequals\n";
        CHECK_RC(qora_text_get((const uint8_t *)t, strlen(t), "round", &v, &vl), QORA_ERR_MALFORMED);
    }
}

int main(int argc, char **argv)
{
    const char *protocol = NULL;
    vector_stats st = {0, 0, 0};
    int i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--protocol") == 0 && i + 1 < argc) {
            protocol = argv[++i];
        } else {
            run_vector_file(argv[i], &st);
        }
    }
    printf("encode vectors: %ld cases (%ld refusals)\n", st.cases, st.refusals);
    CHECK(st.cases > 0, "no encode vectors given");
    test_sha256();
    if (protocol != NULL) {
        test_protocol_vectors(protocol);
    } else {
        CHECK(0, "no --protocol PROTOCOL.md given");
    }
    test_node_rounds();
    test_refusals();
#if defined(QORA_TEST_MBEDTLS)
    printf("library built without the built-in SHA-256 (SHA-256 and HMAC hooks on Mbed TLS)\n");
#elif defined(QORA_NO_BUILTIN_SHA256)
    printf("library built without the built-in SHA-256 (hooks on OpenSSL)\n");
#endif
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
