/*
 * A Qora Edge node for Linux on the C library, libmosquitto (MQTT 3.1.1) and OpenSSL (Ed25519).
 *
 *   qora-node --host 127.0.0.1 --port 1883 --fleet demo --key node-01.key [--rounds 3] [--timeout-s 60]
 *
 * It reads a key file written by `qora-edge-gateway keys` (the gateway's key pinned in it),
 * joins the fleet, and for each round: waits for the gateway's signed announcement and MODEL
 * frame of the same round (verified by the library with OpenSSL's Ed25519 as the hook), trains
 * (here: a made-up step towards a fixed target), encodes the delta straight into its UPDATE frame, signs
 * it (HMAC-SHA256 built in, or Ed25519 through OpenSSL) and publishes it with QoS 1. It prints
 * one line per round once the broker acknowledged the update:
 *
 *   round=1 model_d=8 model_e=0 model_digest=<64 hex> update_e=-21 sequence=... frame_bytes=...
 *
 * Rejection notices are printed as "notice round=... reason=...". Exits 0 after --rounds rounds,
 * 2 on a usage or key file error, 3 when the rounds did not come within --timeout-s.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

#include "qora_node.h"
#include "qora_openssl.h"

typedef struct {
    qora_node node;
    qora_credentials cred;
    qora_crypto crypto;
    char topic_update[QORA_TOPIC_MAX];
    char topic_reject[QORA_TOPIC_MAX];
    char topic_birth[QORA_TOPIC_MAX];
    char topic_death[QORA_TOPIC_MAX];
    uint8_t *model;         /* the newest MODEL frame the library accepted */
    size_t model_len;
    uint8_t *scratch;       /* for the signed announcement */
    size_t scratch_cap;
    int ready;              /* a round is ready and not yet answered */
    int pending_mid;        /* the update waiting for its PUBACK, or -1 */
    uint64_t pending_round;
    char pending_line[256];
    long rounds_done;
    uint64_t sequence;
} app_t;

static uint64_t now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    size_t i;
    for (i = 0; i < n; i++) {
        sprintf(out + 2 * i, "%02x", b[i]);
    }
}

static void on_connect(struct mosquitto *m, void *user, int rc)
{
    app_t *a = user;
    char birth[160];
    int len;
    if (rc != 0) {
        fprintf(stderr, "qora-node: connection refused: %s\n", mosquitto_connack_string(rc));
        return;
    }
    mosquitto_subscribe(m, NULL, a->node.topic_round, 1);
    mosquitto_subscribe(m, NULL, a->node.topic_model, 1);
    mosquitto_subscribe(m, NULL, a->topic_reject, 1);
    len = snprintf(birth, sizeof birth, "node=%s\nstate=online\nsession=%" PRIu64 "\n", a->cred.node_id,
                   now_micros() / 1000u);
    mosquitto_publish(m, NULL, a->topic_birth, len, birth, 1, false);
}

static void on_message(struct mosquitto *m, void *user, const struct mosquitto_message *msg)
{
    app_t *a = user;
    const uint8_t *p = msg->payload;
    size_t len = (size_t)msg->payloadlen;
    int rc = QORA_OK;
    (void)m;
    if (strcmp(msg->topic, a->node.topic_round) == 0) {
        size_t need = QORA_SIGNED_TEXT_SCRATCH(strlen(msg->topic), len);
        if (need > a->scratch_cap) {
            uint8_t *s = realloc(a->scratch, need);
            if (s == NULL) {
                return;
            }
            a->scratch = s;
            a->scratch_cap = need;
        }
        rc = qora_node_on_round(&a->node, p, len, a->scratch, a->scratch_cap);
    } else if (strcmp(msg->topic, a->node.topic_model) == 0) {
        qora_frame view;
        rc = qora_node_on_model(&a->node, p, len, &view);
        if ((rc == QORA_OK || rc == QORA_ROUND_READY) && len > 0u) {
            uint8_t *copy = malloc(len);
            if (copy == NULL) {
                return;
            }
            memcpy(copy, p, len);
            free(a->model);
            a->model = copy;
            a->model_len = len;
        }
    } else if (strcmp(msg->topic, a->topic_reject) == 0) {
        const uint8_t *round, *reason, *detail;
        size_t rl, rsl, dl;
        if (qora_text_get(p, len, "round", &round, &rl) == QORA_OK
            && qora_text_get(p, len, "reason", &reason, &rsl) == QORA_OK
            && qora_text_get(p, len, "detail", &detail, &dl) == QORA_OK) {
            printf("notice round=%.*s reason=%.*s detail=%.*s\n", (int)rl, (const char *)round, (int)rsl,
                   (const char *)reason, (int)dl, (const char *)detail);
            fflush(stdout);
        }
        return;
    }
    if (rc == QORA_ROUND_READY) {
        a->ready = 1;
    } else if (rc < 0) {
        fprintf(stderr, "qora-node %s: refused a message on %s (%d)\n", a->cred.node_id, msg->topic, rc);
    }
}

static void on_publish(struct mosquitto *m, void *user, int mid)
{
    app_t *a = user;
    (void)m;
    if (a->pending_mid >= 0 && mid == a->pending_mid) {
        printf("%s\n", a->pending_line);
        fflush(stdout);
        a->pending_mid = -1;
        a->rounds_done++;
    }
}

/* A made-up training step: move half-way from the global model towards a target every node
 * shares, plus a little noise of the node's own. Returns the delta (trained minus global). */
static float train_delta(const char *node_id, uint64_t round, uint32_t i, float global)
{
    uint32_t h = 2166136261u;
    const char *c;
    float target = 0.01f * (float)((int)(i % 7u) - 3);
    for (c = node_id; *c != '\0'; c++) {
        h = (h ^ (uint8_t)*c) * 16777619u;
    }
    h = (h ^ (uint32_t)round) * 16777619u;
    h = (h ^ i) * 16777619u;
    return 0.5f * (target - global) + 0.0001f * (float)((int)(h % 2001u) - 1000) / 1000.0f;
}

/* Answers the ready round: the delta encoded straight into the frame, signed, published. */
static int answer(app_t *a, struct mosquitto *m)
{
    qora_frame model;
    qora_frame_fields f;
    uint32_t d = a->node.current_dimension;
    uint32_t *bits;
    uint8_t *frame;
    size_t size, at, len = 0;
    int32_t e = 0;
    size_t bad = 0;
    uint32_t i;
    int rc, mid = 0;
    char digest[65];
    uint64_t seq = ++a->sequence;
    if (a->model == NULL || qora_frame_parse(a->model, a->model_len, a->model_len, &model) != QORA_OK
        || model.round != a->node.current_round) {
        fprintf(stderr, "qora-node: the ready round's model is missing\n");
        return -1;
    }
    /* The global model, decoded exactly: the starting point of a real training step. */
    bits = calloc(d, sizeof *bits);
    if (bits == NULL) {
        return -1;
    }
    for (i = 0; i < d; i++) {
        float global, delta;
        uint32_t gb = qora_bfp16_decode_bits(qora_frame_mantissa(&model, i), model.e);
        memcpy(&global, &gb, sizeof global);
        delta = train_delta(a->cred.node_id, a->node.current_round, i, global);
        memcpy(&bits[i], &delta, sizeof delta);
    }
    rc = qora_node_update_fields(&a->node, seq, 0, NULL, d, &f);
    size = qora_frame_size(&f);
    at = qora_frame_mantissa_offset(&f);
    frame = rc == QORA_OK && size > 0u ? malloc(size) : NULL;
    if (frame == NULL) {
        free(bits);
        return -1;
    }
    rc = qora_bfp16_encode_bits_be(bits, d, frame + at, &e, &bad);
    if (rc == QORA_OK) {
        rc = qora_node_build_update(&a->node, seq, e, NULL, d, frame, size, &len);
    }
    if (rc == QORA_OK) {
        rc = mosquitto_publish(m, &mid, a->topic_update, (int)len, frame, 1, false) == MOSQ_ERR_SUCCESS ? QORA_OK : -1;
    }
    if (rc == QORA_OK) {
        hex(a->node.model_digest, 32, digest);
        snprintf(a->pending_line, sizeof a->pending_line,
                 "round=%" PRIu64 " model_d=%" PRIu32 " model_e=%d model_digest=%s update_e=%d sequence=%" PRIu64
                 " frame_bytes=%zu",
                 a->node.current_round, d, (int)model.e, digest, (int)e, seq, len);
        a->pending_mid = mid;
        a->pending_round = a->node.current_round;
    } else {
        fprintf(stderr, "qora-node: could not build or publish the update (%d)\n", rc);
    }
    free(bits);
    free(frame);
    return rc;
}

static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(65537);
    size_t n;
    if (f == NULL || buf == NULL) {
        free(buf);
        if (f != NULL) {
            fclose(f);
        }
        return -1;
    }
    n = fread(buf, 1, 65537, f);
    fclose(f);
    if (n > 65536u) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

int main(int argc, char **argv)
{
    static app_t a;
    const char *host = "127.0.0.1", *fleet = NULL, *key_file = NULL;
    int port = 1883;
    long rounds = 1;
    double timeout = 60.0, deadline;
    char *text = NULL;
    size_t text_len = 0;
    char client_id[160], death[120];
    struct mosquitto *m;
    int i, death_len, exit_code = 0;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--host") == 0) {
            host = argv[i + 1];
        } else if (strcmp(argv[i], "--port") == 0) {
            port = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--fleet") == 0) {
            fleet = argv[i + 1];
        } else if (strcmp(argv[i], "--key") == 0) {
            key_file = argv[i + 1];
        } else if (strcmp(argv[i], "--rounds") == 0) {
            rounds = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--timeout-s") == 0) {
            timeout = atof(argv[i + 1]);
        } else {
            break;
        }
    }
    if (i != argc || fleet == NULL || key_file == NULL || rounds < 1) {
        fprintf(stderr, "usage: qora-node --fleet FLEET --key NODE.key [--host H] [--port P] [--rounds N]"
                        " [--timeout-s S]\n");
        return 2;
    }
    if (read_file(key_file, &text, &text_len) != 0 || qora_credentials_parse(text, text_len, &a.cred) != QORA_OK) {
        fprintf(stderr, "qora-node: %s is not a node key file\n", key_file);
        free(text);
        return 2;
    }
    free(text);
    a.crypto.ed25519_sign = qora_openssl_ed25519_sign;
    a.crypto.ed25519_verify = qora_openssl_ed25519_verify;
    if (qora_node_init(&a.node, fleet, &a.cred, &a.crypto) != QORA_OK
        || qora_topic(a.topic_update, sizeof a.topic_update, fleet, "update", a.cred.node_id, NULL) != QORA_OK
        || qora_topic(a.topic_reject, sizeof a.topic_reject, fleet, "reject", a.cred.node_id, NULL) != QORA_OK
        || qora_topic(a.topic_birth, sizeof a.topic_birth, fleet, "birth", a.cred.node_id, NULL) != QORA_OK
        || qora_topic(a.topic_death, sizeof a.topic_death, fleet, "death", a.cred.node_id, NULL) != QORA_OK) {
        fprintf(stderr, "qora-node: %s pins no gateway key, or fleet %s is not an identifier\n", key_file, fleet);
        return 2;
    }
    a.pending_mid = -1;
    a.sequence = now_micros(); /* increasing across restarts, as the JVM node client does */

    mosquitto_lib_init();
    snprintf(client_id, sizeof client_id, "qora-node-%s-%s", fleet, a.cred.node_id);
    m = mosquitto_new(client_id, true, &a);
    if (m == NULL) {
        fprintf(stderr, "qora-node: mosquitto_new failed\n");
        return 2;
    }
    death_len = snprintf(death, sizeof death, "node=%s\nstate=offline\n", a.cred.node_id);
    mosquitto_will_set(m, a.topic_death, death_len, death, 1, false);
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_message_callback_set(m, on_message);
    mosquitto_publish_callback_set(m, on_publish);
    deadline = now_seconds() + timeout;
    while (mosquitto_connect(m, host, port, 30) != MOSQ_ERR_SUCCESS) {
        struct timespec pause = {0, 200000000L};
        if (now_seconds() > deadline) {
            fprintf(stderr, "qora-node: cannot connect to %s:%d\n", host, port);
            return 3;
        }
        nanosleep(&pause, NULL);
    }
    while (a.rounds_done < rounds) {
        if (now_seconds() > deadline) {
            fprintf(stderr, "qora-node %s: %ld of %ld rounds within %.0f s\n", a.cred.node_id, a.rounds_done, rounds,
                    timeout);
            exit_code = 3;
            break;
        }
        if (mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS) {
            struct timespec pause = {0, 200000000L};
            nanosleep(&pause, NULL);
            mosquitto_reconnect(m);
            continue;
        }
        if (a.ready && a.pending_mid < 0) {
            a.ready = 0;
            if (answer(&a, m) != QORA_OK) {
                exit_code = 1;
                break;
            }
        }
    }
    mosquitto_disconnect(m);
    mosquitto_loop(m, 100, 1);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    free(a.model);
    free(a.scratch);
    return exit_code;
}
