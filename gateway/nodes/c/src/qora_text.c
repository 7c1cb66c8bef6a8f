/*
 * Text messages, the signed round announcement and a node's rounds (docs/PROTOCOL.md sections
 * 6, 6.1 and 7).
 */
#include "qora_string.h"

#include "qora_internal.h"

static const char CONTEXT[] = "qora-signed-text/1\n";
#define CONTEXT_LEN 19u
#define MARK_LEN 11u /* "\nsignature=" */

/* ---- key=value lines ----------------------------------------------------------------------- */

int qora_text_get(const uint8_t *payload, size_t len, const char *key, const uint8_t **value, size_t *value_len)
{
    size_t kl;
    size_t pos = 0;
    int found = 0;
    if (payload == NULL || key == NULL || value == NULL || value_len == NULL) {
        return QORA_ERR_ARG;
    }
    kl = qora_bounded_len(key, 64u);
    while (pos < len) {
        size_t end = pos;
        size_t eq;
        while (end < len && payload[end] != '\n') {
            end++;
        }
        if (end > pos) {
            eq = pos;
            while (eq < end && payload[eq] != '=') {
                eq++;
            }
            if (eq == end || eq == pos) {
                return QORA_ERR_MALFORMED; /* a line without key=value */
            }
            if (eq - pos == kl && memcmp(payload + pos, key, kl) == 0) {
                if (found) {
                    return QORA_ERR_MALFORMED; /* the key twice */
                }
                found = 1;
                *value = payload + eq + 1u;
                *value_len = end - eq - 1u;
            }
        }
        pos = end + 1u;
    }
    return found ? QORA_OK : QORA_ERR_MALFORMED;
}

/* A decimal integer as Java's Long.parseLong reads it (optional sign, digits, int64 range). */
static int parse_i64(const uint8_t *s, size_t n, int64_t *out)
{
    /* 2^63 - 1 and 2^63 are both 922337203685477580 * 10 + a last digit, 7 or 8: no division. */
    const uint64_t tenth = 922337203685477580u;
    uint64_t v = 0;
    unsigned last;
    size_t i = 0;
    int neg = 0;
    if (n > 0u && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1u;
    }
    if (i == n) {
        return QORA_ERR_MALFORMED;
    }
    last = neg ? 8u : 7u;
    for (; i < n; i++) {
        unsigned digit;
        if (s[i] < '0' || s[i] > '9') {
            return QORA_ERR_MALFORMED;
        }
        digit = (unsigned)(s[i] - '0');
        if (v > tenth || (v == tenth && digit > last)) {
            return QORA_ERR_MALFORMED;
        }
        v = v * 10u + digit;
    }
    if (neg) {
        *out = v == 0x8000000000000000u ? (-0x7FFFFFFFFFFFFFFF - 1) : -(int64_t)v;
    } else {
        *out = (int64_t)v;
    }
    return QORA_OK;
}

static int get_i64(const uint8_t *body, size_t len, const char *key, int64_t min, int64_t max, int64_t *out)
{
    const uint8_t *v;
    size_t vl;
    if (qora_text_get(body, len, key, &v, &vl) != QORA_OK || parse_i64(v, vl, out) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    return *out < min || *out > max ? QORA_ERR_MALFORMED : QORA_OK;
}

static int get_id(const uint8_t *body, size_t len, const char *key, char out[QORA_ID_MAX + 1])
{
    const uint8_t *v;
    size_t vl;
    if (qora_text_get(body, len, key, &v, &vl) != QORA_OK || qora_identifier_check(v, vl) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    memcpy(out, v, vl);
    out[vl] = '\0';
    return QORA_OK;
}

/* ---- signed text (section 6.1) ------------------------------------------------------------- */

int qora_signed_text_verify(const uint8_t *payload, size_t len, const char *topic, const uint8_t gateway_key[32],
                            const qora_crypto *c, uint8_t *scratch, size_t scratch_cap, size_t *body_len)
{
    uint8_t sig[QORA_ED25519_SIG_BYTES];
    size_t i;
    size_t body;
    size_t tl;
    size_t need;
    if (payload == NULL || topic == NULL || gateway_key == NULL || scratch == NULL || body_len == NULL) {
        return QORA_ERR_ARG;
    }
    if (c == NULL || c->ed25519_verify == NULL) {
        return QORA_ERR_CRYPTO; /* never accept a gateway message unverified */
    }
    if (len < MARK_LEN + 2u || payload[len - 1u] != '\n') {
        return QORA_ERR_SIGNATURE;
    }
    i = len - 2u;
    while (i > 0u && payload[i] != '\n') {
        i--;
    }
    /* The last line starts after payload[i]; there must be a body before it. */
    if (payload[i] != '\n' || len - i <= MARK_LEN || memcmp(payload + i, "\nsignature=", MARK_LEN) != 0) {
        return QORA_ERR_SIGNATURE;
    }
    body = i + 1u;
    if (qora_hex_decode(payload + body + MARK_LEN - 1u, len - 1u - (body + MARK_LEN - 1u), sig, sizeof sig, 1)
        != QORA_OK) {
        return QORA_ERR_SIGNATURE; /* not 128 lowercase hex digits */
    }
    tl = qora_bounded_len(topic, QORA_TOPIC_MAX);
    if (tl >= QORA_TOPIC_MAX) {
        return QORA_ERR_ARG; /* no topic of the protocol is that long */
    }
    need = CONTEXT_LEN + tl + 1u + body;
    if (need > scratch_cap) {
        return QORA_ERR_BUFFER;
    }
    memcpy(scratch, CONTEXT, CONTEXT_LEN);
    memcpy(scratch + CONTEXT_LEN, topic, tl);
    scratch[CONTEXT_LEN + tl] = '\n';
    memcpy(scratch + CONTEXT_LEN + tl + 1u, payload, body);
    if (c->ed25519_verify(c->ctx, gateway_key, scratch, need, sig) != 0) {
        return QORA_ERR_SIGNATURE;
    }
    *body_len = body;
    return QORA_OK;
}

int qora_announcement_verify(const uint8_t *payload, size_t len, const char *topic, const uint8_t gateway_key[32],
                             const qora_crypto *c, uint8_t *scratch, size_t scratch_cap, qora_announcement *out)
{
    size_t body;
    int64_t v;
    const uint8_t *s;
    size_t sl;
    int rc;
    if (out == NULL) {
        return QORA_ERR_ARG;
    }
    rc = qora_signed_text_verify(payload, len, topic, gateway_key, c, scratch, scratch_cap, &body);
    if (rc != QORA_OK) {
        return rc;
    }
    if (!qora_utf8_valid(payload, body)) {
        return QORA_ERR_MALFORMED;
    }
    if (get_i64(payload, body, "protocol", -0x7FFFFFFFFFFFFFFF - 1, 0x7FFFFFFFFFFFFFFF, &v) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    if (v != 1) {
        return QORA_ERR_NOT_FOR_US; /* another protocol version */
    }
    if (get_id(payload, body, "fleet", out->fleet) != QORA_OK || get_id(payload, body, "model", out->model_id) != QORA_OK
        || get_id(payload, body, "gateway", out->gateway_id) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    if (get_i64(payload, body, "round", 0, 0x7FFFFFFFFFFFFFFF, &v) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    out->round = (uint64_t)v;
    if (get_i64(payload, body, "dimension", 1, 0x7FFFFFFF, &v) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    out->dimension = (uint32_t)v;
    if (get_i64(payload, body, "maxFrameBytes", 0, 0x7FFFFFFFFFFFFFFF, &v) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    out->max_frame_bytes = (uint64_t)v;
    if (get_i64(payload, body, "deadline", -0x7FFFFFFFFFFFFFFF - 1, 0x7FFFFFFFFFFFFFFF, &out->deadline_ms) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    if (get_i64(payload, body, "f", -0x7FFFFFFF - 1, 0x7FFFFFFF, &v) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    out->f = (int32_t)v;
    if (get_i64(payload, body, "m", -0x7FFFFFFF - 1, 0x7FFFFFFF, &v) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    out->m = (int32_t)v;
    if (qora_text_get(payload, body, "aggregator", &s, &sl) != QORA_OK
        || qora_text_get(payload, body, "metric", &s, &sl) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    if (qora_text_get(payload, body, "modelDigest", &s, &sl) != QORA_OK
        || qora_hex_decode(s, sl, out->model_digest, sizeof out->model_digest, 1) != QORA_OK) {
        return QORA_ERR_MALFORMED;
    }
    return QORA_OK;
}

/* ---- a node's rounds ----------------------------------------------------------------------- */

/* Two NUL-terminated identifiers (at most QORA_ID_MAX bytes) are equal. */
static int same_id(const char *a, const char *b)
{
    size_t al = qora_bounded_len(a, QORA_ID_MAX);
    return al == qora_bounded_len(b, QORA_ID_MAX) && memcmp(a, b, al) == 0;
}

int qora_node_init(qora_node *n, const char *fleet, const qora_credentials *cred, const qora_crypto *crypto)
{
    size_t fl;
    int rc;
    if (n == NULL || cred == NULL || !cred->has_gateway) {
        return QORA_ERR_ARG; /* a node trusts only the gateway key it was provisioned with */
    }
    fl = qora_id_len(fleet);
    if (fl == 0u) {
        return QORA_ERR_IDENTIFIER;
    }
    memset(n, 0, sizeof *n);
    n->cred = cred;
    n->crypto = crypto;
    memcpy(n->fleet, fleet, fl);
    rc = qora_topic(n->topic_round, sizeof n->topic_round, fleet, "round", NULL, NULL);
    if (rc == QORA_OK) {
        rc = qora_topic(n->topic_model, sizeof n->topic_model, fleet, "model", NULL, NULL);
    }
    return rc;
}

/* The announcement and the model of one round, newer than the current one, that agree. */
static int complete(qora_node *n)
{
    const qora_announcement *a = &n->announcement;
    if (!n->has_announcement || !n->has_model || a->round != n->model_round
        || (n->has_current && n->current_round >= a->round)) {
        return QORA_OK;
    }
    if (memcmp(n->model_digest, a->model_digest, QORA_SHA256_BYTES) != 0 || !same_id(n->model_id, a->model_id)
        || n->model_d != a->dimension) {
        return QORA_OK; /* not the announced model: wait for the one that is */
    }
    n->has_current = 1u;
    n->current_round = a->round;
    n->current_dimension = a->dimension;
    memcpy(n->current_model_id, a->model_id, sizeof n->current_model_id);
    return QORA_ROUND_READY;
}

static int refuse(qora_node *n, int rc)
{
    n->refused++;
    return rc;
}

int qora_node_on_round(qora_node *n, const uint8_t *payload, size_t len, uint8_t *scratch, size_t scratch_cap)
{
    qora_announcement a;
    int rc;
    if (n == NULL || (payload == NULL && len > 0u)) {
        return QORA_ERR_ARG;
    }
    if (len == 0u) {
        return QORA_OK; /* a cleared retained message */
    }
    rc = qora_announcement_verify(payload, len, n->topic_round, n->cred->gateway_key, n->crypto, scratch, scratch_cap,
                                  &a);
    if (rc != QORA_OK) {
        return refuse(n, rc);
    }
    if (!same_id(a.fleet, n->fleet) || !same_id(a.gateway_id, n->cred->gateway_id)) {
        return refuse(n, QORA_ERR_NOT_FOR_US);
    }
    if (n->seen_any && a.round < n->newest_round) {
        return refuse(n, QORA_ERR_ROLLBACK);
    }
    n->seen_any = 1u;
    n->newest_round = a.round;
    n->announcement = a;
    n->has_announcement = 1u;
    return complete(n);
}

int qora_node_on_model(qora_node *n, const uint8_t *payload, size_t len, qora_frame *model)
{
    const qora_crypto *c;
    uint8_t digest[QORA_SHA256_BYTES];
    size_t max = (size_t)-1;
    size_t gl;
    uint32_t i;
    int rc;
    if (n == NULL || model == NULL || (payload == NULL && len > 0u)) {
        return QORA_ERR_ARG;
    }
    if (len == 0u) {
        return QORA_OK;
    }
    c = n->crypto;
    if (n->has_announcement && n->announcement.max_frame_bytes < (uint64_t)max) {
        max = (size_t)n->announcement.max_frame_bytes;
    }
    rc = qora_frame_parse(payload, len, max, model);
    if (rc != QORA_OK) {
        return refuse(n, rc);
    }
    gl = qora_bounded_len(n->cred->gateway_id, QORA_ID_MAX);
    if (model->kind != QORA_KIND_MODEL || model->fleet_len != qora_bounded_len(n->fleet, QORA_ID_MAX)
        || memcmp(model->fleet, n->fleet, model->fleet_len) != 0 || model->node_id_len != gl
        || memcmp(model->node_id, n->cred->gateway_id, gl) != 0) {
        return refuse(n, QORA_ERR_NOT_FOR_US);
    }
    if (c == NULL || c->ed25519_verify == NULL) {
        return refuse(n, QORA_ERR_CRYPTO);
    }
    if (model->scheme != QORA_SCHEME_ED25519
        || c->ed25519_verify(c->ctx, n->cred->gateway_key, payload, model->signed_len, model->signature) != 0) {
        return refuse(n, QORA_ERR_SIGNATURE);
    }
    if (model->e < QORA_E_MIN || model->e > QORA_E_MAX) {
        return refuse(n, QORA_ERR_INVALID_BLOCK);
    }
    for (i = 0; i < model->d; i++) {
        if (model->mantissas[2u * i] == 0x80u && model->mantissas[2u * i + 1u] == 0u) {
            return refuse(n, QORA_ERR_INVALID_BLOCK);
        }
    }
    if (n->seen_any && model->round < n->newest_round) {
        return refuse(n, QORA_ERR_ROLLBACK);
    }
    rc = qora_sha256(c, model->block, 8u + 2u * (size_t)model->d, digest);
    if (rc != QORA_OK) {
        return refuse(n, rc);
    }
    n->seen_any = 1u;
    n->newest_round = model->round;
    n->has_model = 1u;
    n->model_round = model->round;
    n->model_d = model->d;
    n->model_e = model->e;
    memcpy(n->model_id, model->model_id, model->model_id_len);
    n->model_id[model->model_id_len] = '\0';
    memcpy(n->model_digest, digest, sizeof digest);
    return complete(n);
}

int qora_node_update_fields(const qora_node *n, uint64_t sequence, int32_t e, const int16_t *m, uint32_t d,
                            qora_frame_fields *f)
{
    if (n == NULL || f == NULL) {
        return QORA_ERR_ARG;
    }
    if (!n->has_current || d != n->current_dimension) {
        return QORA_ERR_STATE;
    }
    f->kind = QORA_KIND_UPDATE;
    f->scheme = n->cred->scheme;
    f->fleet = n->fleet;
    f->node_id = n->cred->node_id;
    f->model_id = n->current_model_id;
    f->round = n->current_round;
    f->sequence = sequence;
    f->e = e;
    f->d = d;
    f->m = m;
    return QORA_OK;
}

int qora_node_build_update(const qora_node *n, uint64_t sequence, int32_t e, const int16_t *m, uint32_t d,
                           uint8_t *out, size_t cap, size_t *out_len)
{
    qora_frame_fields f;
    int rc = qora_node_update_fields(n, sequence, e, m, d, &f);
    if (rc != QORA_OK) {
        return rc;
    }
    return qora_frame_build(out, cap, &f, n->cred->key, n->crypto, out_len);
}
