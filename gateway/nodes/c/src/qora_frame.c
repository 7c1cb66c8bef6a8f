/*
 * Identifiers, topics, frames and key files (docs/PROTOCOL.md sections 2, 3, 4 and 10).
 */
#include "qora_string.h"

#include "qora_internal.h"

#define TOP_BIT_64 0x8000000000000000u
#define INT32_MAX_U 0x7FFFFFFFu

/* ---- small helpers shared with qora_text.c ------------------------------------------------ */

size_t qora_bounded_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n <= max && s[n] != '\0') {
        n++;
    }
    return n;
}

void qora_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint32_t qora_get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void put_u64(uint8_t *p, uint64_t v)
{
    qora_put_u32(p, (uint32_t)(v >> 32));
    qora_put_u32(p + 4, (uint32_t)v);
}

static uint64_t get_u64(const uint8_t *p)
{
    return ((uint64_t)qora_get_u32(p) << 32) | (uint64_t)qora_get_u32(p + 4);
}

int qora_hex_value(uint8_t c, int lower_only)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (!lower_only && c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int qora_hex_decode(const uint8_t *hex, size_t hex_len, uint8_t *out, size_t out_len, int lower_only)
{
    size_t i;
    if (hex_len != 2u * out_len) {
        return QORA_ERR_MALFORMED;
    }
    for (i = 0; i < out_len; i++) {
        int hi = qora_hex_value(hex[2u * i], lower_only);
        int lo = qora_hex_value(hex[2u * i + 1u], lower_only);
        if (hi < 0 || lo < 0) {
            return QORA_ERR_MALFORMED;
        }
        out[i] = (uint8_t)((hi << 4) | lo);
    }
    return QORA_OK;
}

/* ---- identifiers (section 2) --------------------------------------------------------------- */

static int continuation(const uint8_t *b, size_t len, size_t i)
{
    return i < len && (b[i] & 0xC0u) == 0x80u;
}

int qora_utf8_valid(const uint8_t *b, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = b[i];
        if (c < 0x80u) {
            i++;
        } else if (c >= 0xC2u && c <= 0xDFu) {
            if (!continuation(b, len, i + 1u)) {
                return 0;
            }
            i += 2u;
        } else if (c >= 0xE0u && c <= 0xEFu) {
            uint32_t cp;
            if (!continuation(b, len, i + 1u) || !continuation(b, len, i + 2u)) {
                return 0;
            }
            cp = ((uint32_t)(c & 0x0Fu) << 12) | ((uint32_t)(b[i + 1u] & 0x3Fu) << 6) | (uint32_t)(b[i + 2u] & 0x3Fu);
            if (cp < 0x800u || (cp >= 0xD800u && cp <= 0xDFFFu)) {
                return 0; /* overlong or a surrogate */
            }
            i += 3u;
        } else if (c >= 0xF0u && c <= 0xF4u) {
            uint32_t cp;
            if (!continuation(b, len, i + 1u) || !continuation(b, len, i + 2u) || !continuation(b, len, i + 3u)) {
                return 0;
            }
            cp = ((uint32_t)(c & 0x07u) << 18) | ((uint32_t)(b[i + 1u] & 0x3Fu) << 12)
                 | ((uint32_t)(b[i + 2u] & 0x3Fu) << 6) | (uint32_t)(b[i + 3u] & 0x3Fu);
            if (cp < 0x10000u || cp > 0x10FFFFu) {
                return 0;
            }
            i += 4u;
        } else {
            return 0; /* a continuation byte first, C0, C1, F5..FF */
        }
    }
    return 1;
}

int qora_identifier_check(const uint8_t *b, size_t len)
{
    size_t i = 0;
    if (b == NULL || len < 1u || len > QORA_ID_MAX || !qora_utf8_valid(b, len)) {
        return QORA_ERR_IDENTIFIER;
    }
    while (i < len) {
        uint8_t c = b[i];
        if (c < 0x80u) {
            if (c < 0x20u || c == 0x7Fu || c == '/' || c == '+' || c == '#') {
                return QORA_ERR_IDENTIFIER;
            }
            i++;
        } else if (c < 0xE0u) {
            if (c == 0xC2u && b[i + 1u] <= 0x9Fu) {
                return QORA_ERR_IDENTIFIER; /* U+0080..U+009F, C1 controls */
            }
            i += 2u;
        } else if (c < 0xF0u) {
            uint32_t cp = ((uint32_t)(c & 0x0Fu) << 12) | ((uint32_t)(b[i + 1u] & 0x3Fu) << 6)
                          | (uint32_t)(b[i + 2u] & 0x3Fu);
            if (cp >= 0xFDD0u) {
                return QORA_ERR_IDENTIFIER; /* the MQTT client refuses these in topics */
            }
            i += 3u;
        } else {
            return QORA_ERR_IDENTIFIER; /* outside the Basic Multilingual Plane */
        }
    }
    return QORA_OK;
}

/* Length of a NUL-terminated identifier, or 0 when it is not one. */
size_t qora_id_len(const char *s)
{
    size_t n;
    if (s == NULL) {
        return 0u;
    }
    n = qora_bounded_len(s, QORA_ID_MAX);
    return qora_identifier_check((const uint8_t *)s, n) == QORA_OK ? n : 0u;
}

/* ---- topics (section 3) -------------------------------------------------------------------- */

int qora_topic(char *out, size_t cap, const char *fleet, const char *leaf, const char *node, size_t *out_len)
{
    size_t f = qora_id_len(fleet);
    size_t l;
    size_t nl = 0;
    size_t total;
    size_t p = 0;
    if (out == NULL || leaf == NULL) {
        return QORA_ERR_ARG;
    }
    l = qora_bounded_len(leaf, 14u);
    if (f == 0u || l == 0u || l > 14u) {
        return f == 0u ? QORA_ERR_IDENTIFIER : QORA_ERR_ARG;
    }
    if (node != NULL) {
        nl = qora_id_len(node);
        if (nl == 0u) {
            return QORA_ERR_IDENTIFIER;
        }
    }
    total = 8u + f + 1u + l + (node != NULL ? 1u + nl : 0u);
    if (total + 1u > cap) {
        return QORA_ERR_BUFFER;
    }
    memcpy(out, "qora/v1/", 8u);
    p = 8u;
    memcpy(out + p, fleet, f);
    p += f;
    out[p++] = '/';
    memcpy(out + p, leaf, l);
    p += l;
    if (node != NULL) {
        out[p++] = '/';
        memcpy(out + p, node, nl);
        p += nl;
    }
    out[p] = '\0';
    if (out_len != NULL) {
        *out_len = p;
    }
    return QORA_OK;
}

/* ---- frames (section 4) -------------------------------------------------------------------- */

static size_t signature_bytes(uint8_t scheme)
{
    return scheme == QORA_SCHEME_HMAC_SHA256 ? 32u : scheme == QORA_SCHEME_ED25519 ? 64u : 0u;
}

/* The three identifier lengths, or 0 in *fl when one is invalid. */
static void id_lengths(const qora_frame_fields *f, size_t *fl, size_t *nl, size_t *ml)
{
    *fl = qora_id_len(f->fleet);
    *nl = qora_id_len(f->node_id);
    *ml = qora_id_len(f->model_id);
    if (*nl == 0u || *ml == 0u) {
        *fl = 0u;
    }
}

size_t qora_frame_mantissa_offset(const qora_frame_fields *f)
{
    size_t fl, nl, ml;
    if (f == NULL) {
        return 0u;
    }
    id_lengths(f, &fl, &nl, &ml);
    return fl == 0u ? 0u : 35u + fl + nl + ml;
}

size_t qora_frame_size(const qora_frame_fields *f)
{
    size_t fl, nl, ml;
    uint64_t total;
    size_t s;
    if (f == NULL) {
        return 0u;
    }
    s = signature_bytes(f->scheme);
    id_lengths(f, &fl, &nl, &ml);
    if (fl == 0u || s == 0u || f->d == 0u || f->d > INT32_MAX_U) {
        return 0u;
    }
    total = 35u + (uint64_t)fl + nl + ml + 2u * (uint64_t)f->d + s;
    return total > (uint64_t)(size_t)-1 ? 0u : (size_t)total;
}

int qora_frame_build(uint8_t *out, size_t cap, const qora_frame_fields *f, const uint8_t key[32],
                     const qora_crypto *c, size_t *out_len)
{
    size_t fl, nl, ml, size, p, signed_len;
    uint32_t i;
    int rc;
    if (out == NULL || f == NULL || key == NULL || out_len == NULL) {
        return QORA_ERR_ARG;
    }
    if ((f->kind != QORA_KIND_UPDATE && f->kind != QORA_KIND_MODEL) || signature_bytes(f->scheme) == 0u) {
        return QORA_ERR_ARG;
    }
    id_lengths(f, &fl, &nl, &ml);
    if (fl == 0u) {
        return QORA_ERR_IDENTIFIER;
    }
    if ((f->round & TOP_BIT_64) != 0u || f->sequence == 0u || (f->sequence & TOP_BIT_64) != 0u) {
        return QORA_ERR_ARG;
    }
    if (f->d == 0u || f->d > INT32_MAX_U) {
        return QORA_ERR_ARG;
    }
    if (f->e < QORA_E_MIN || f->e > QORA_E_MAX) {
        return QORA_ERR_INVALID_BLOCK;
    }
    size = qora_frame_size(f);
    if (size == 0u) {
        return QORA_ERR_ARG;
    }
    if (size > cap) {
        return QORA_ERR_BUFFER;
    }
    p = 35u + fl + nl + ml; /* the mantissas */
    if (f->m != NULL) {
        if (qora_block_check(f->e, f->m, f->d) != QORA_OK) {
            return QORA_ERR_INVALID_BLOCK;
        }
    } else {
        for (i = 0; i < f->d; i++) { /* in place: refuse -32768 */
            if (out[p + 2u * i] == 0x80u && out[p + 2u * i + 1u] == 0u) {
                return QORA_ERR_INVALID_BLOCK;
            }
        }
    }
    memcpy(out, "QORA", 4u);
    out[4] = 1u;
    out[5] = f->kind;
    out[6] = f->scheme;
    out[7] = 0u;
    p = 8u;
    out[p++] = (uint8_t)fl;
    memcpy(out + p, f->fleet, fl);
    p += fl;
    out[p++] = (uint8_t)nl;
    memcpy(out + p, f->node_id, nl);
    p += nl;
    put_u64(out + p, f->round);
    put_u64(out + p + 8u, f->sequence);
    p += 16u;
    out[p++] = (uint8_t)ml;
    memcpy(out + p, f->model_id, ml);
    p += ml;
    qora_put_u32(out + p, (uint32_t)f->e);
    qora_put_u32(out + p + 4u, f->d);
    p += 8u;
    if (f->m != NULL) {
        for (i = 0; i < f->d; i++) {
            uint16_t u = (uint16_t)f->m[i];
            out[p + 2u * i] = (uint8_t)(u >> 8);
            out[p + 2u * i + 1u] = (uint8_t)(u & 0xFFu);
        }
    }
    signed_len = p + 2u * (size_t)f->d;
    if (f->scheme == QORA_SCHEME_HMAC_SHA256) {
        rc = qora_hmac_sha256(c, key, out, signed_len, out + signed_len);
        if (rc != QORA_OK) {
            return rc == QORA_ERR_ARG ? rc : QORA_ERR_CRYPTO;
        }
    } else {
        if (c == NULL || c->ed25519_sign == NULL) {
            return QORA_ERR_CRYPTO;
        }
        if (c->ed25519_sign(c->ctx, key, out, signed_len, out + signed_len) != 0) {
            return QORA_ERR_CRYPTO;
        }
    }
    *out_len = size;
    return QORA_OK;
}

/* Reads one length-prefixed identifier at *p; QORA_ERR_MALFORMED when truncated or invalid. */
static int read_id(const uint8_t *buf, size_t len, size_t *p, const uint8_t **id, uint8_t *id_len)
{
    size_t n;
    if (*p + 1u > len) {
        return QORA_ERR_MALFORMED;
    }
    n = buf[*p];
    if (n < 1u || n > QORA_ID_MAX || *p + 1u + n > len) {
        return QORA_ERR_MALFORMED;
    }
    if (qora_identifier_check(buf + *p + 1u, n) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    *id = buf + *p + 1u;
    *id_len = (uint8_t)n;
    *p += 1u + n;
    return QORA_OK;
}

int qora_frame_parse(const uint8_t *buf, size_t len, size_t max_len, qora_frame *out)
{
    size_t p = 8u;
    size_t s;
    uint32_t d;
    uint64_t expected;
    if (buf == NULL || out == NULL) {
        return QORA_ERR_ARG;
    }
    if (len > max_len || len < 9u || memcmp(buf, "QORA", 4u) != 0 || buf[4] != 1u) {
        return QORA_ERR_MALFORMED;
    }
    if (buf[5] != QORA_KIND_UPDATE && buf[5] != QORA_KIND_MODEL) {
        return QORA_ERR_MALFORMED;
    }
    s = signature_bytes(buf[6]);
    if (s == 0u || buf[7] != 0u) {
        return QORA_ERR_MALFORMED;
    }
    out->kind = buf[5];
    out->scheme = buf[6];
    if (read_id(buf, len, &p, &out->fleet, &out->fleet_len) != QORA_OK
        || read_id(buf, len, &p, &out->node_id, &out->node_id_len) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    if (p + 16u > len) {
        return QORA_ERR_MALFORMED;
    }
    out->round = get_u64(buf + p);
    out->sequence = get_u64(buf + p + 8u);
    if ((out->round & TOP_BIT_64) != 0u || out->sequence == 0u || (out->sequence & TOP_BIT_64) != 0u) {
        return QORA_ERR_MALFORMED;
    }
    p += 16u;
    if (read_id(buf, len, &p, &out->model_id, &out->model_id_len) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    if (p + 8u > len) {
        return QORA_ERR_MALFORMED;
    }
    out->e = (int32_t)qora_get_u32(buf + p);
    d = qora_get_u32(buf + p + 4u);
    if (d == 0u || d > INT32_MAX_U) {
        return QORA_ERR_MALFORMED;
    }
    expected = (uint64_t)p + 8u + 2u * (uint64_t)d + s;
    if (expected != (uint64_t)len) {
        return QORA_ERR_MALFORMED;
    }
    out->d = d;
    out->block = buf + p;
    out->mantissas = buf + p + 8u;
    out->signed_len = len - s;
    out->signature = buf + len - s;
    return QORA_OK;
}

int16_t qora_frame_mantissa(const qora_frame *f, uint32_t i)
{
    uint16_t u = (uint16_t)(((uint16_t)f->mantissas[2u * i] << 8) | f->mantissas[2u * i + 1u]);
    return (int16_t)(u >= 0x8000u ? (int32_t)u - 65536 : (int32_t)u);
}

/* ---- key files (section 10) ---------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int word_is(const char *w, size_t wl, const char *lit)
{
    size_t n = qora_bounded_len(lit, 32u);
    return wl == n && memcmp(w, lit, n) == 0;
}

int qora_credentials_parse(const char *text, size_t len, qora_credentials *out)
{
    size_t pos = 0;
    int own = 0;
    if (text == NULL || out == NULL) {
        return QORA_ERR_ARG;
    }
    memset(out, 0, sizeof *out);
    if (!qora_utf8_valid((const uint8_t *)text, len)) {
        return QORA_ERR_MALFORMED;
    }
    while (pos < len) {
        size_t end = pos;
        size_t stop;
        const char *w[3];
        size_t wl[3];
        int words = 0;
        size_t i;
        while (end < len && text[end] != '\n') {
            end++;
        }
        stop = end;
        for (i = pos; i < end; i++) {
            if (text[i] == '#') {
                stop = i;
                break;
            }
        }
        i = pos;
        while (i < stop) {
            size_t start;
            while (i < stop && is_space(text[i])) {
                i++;
            }
            if (i >= stop) {
                break;
            }
            start = i;
            while (i < stop && !is_space(text[i])) {
                i++;
            }
            if (words == 3) {
                return QORA_ERR_MALFORMED;
            }
            w[words] = text + start;
            wl[words] = i - start;
            words++;
        }
        if (words != 0) {
            uint8_t key[QORA_KEY_BYTES];
            if (words != 3 || wl[0] > QORA_ID_MAX || qora_identifier_check((const uint8_t *)w[0], wl[0]) != QORA_OK) {
                return QORA_ERR_MALFORMED;
            }
            if (qora_hex_decode((const uint8_t *)w[2], wl[2], key, sizeof key, 0) != QORA_OK) {
                return QORA_ERR_MALFORMED;
            }
            if (word_is(w[1], wl[1], "gateway-ed25519")) {
                if (out->has_gateway) {
                    return QORA_ERR_MALFORMED; /* a file pins exactly one gateway key */
                }
                out->has_gateway = 1u;
                memcpy(out->gateway_id, w[0], wl[0]);
                memcpy(out->gateway_key, key, sizeof key);
            } else {
                if (own) {
                    return QORA_ERR_MALFORMED; /* exactly one node key */
                }
                if (word_is(w[1], wl[1], "hmac-sha256")) {
                    out->scheme = QORA_SCHEME_HMAC_SHA256;
                } else if (word_is(w[1], wl[1], "ed25519")) {
                    out->scheme = QORA_SCHEME_ED25519;
                } else {
                    return QORA_ERR_MALFORMED;
                }
                own = 1;
                memcpy(out->node_id, w[0], wl[0]);
                memcpy(out->key, key, sizeof key);
            }
            memset(key, 0, sizeof key);
        }
        pos = end + 1u;
    }
    return own ? QORA_OK : QORA_ERR_MALFORMED;
}
