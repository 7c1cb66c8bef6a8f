/*
 * Qora Edge node library for microcontrollers (C99).
 *
 * A node's side of the Qora Edge wire protocol (docs/PROTOCOL.md, version 1) and the BFP-16
 * codec of shared/spec/bfp16-krum.md section 2, for firmware:
 *
 *   - no heap: every buffer is the caller's, every function works in it or in a struct the
 *     caller owns;
 *   - no floating-point arithmetic: float32 inputs are read as bit patterns (memcpy to
 *     uint32_t), outputs are bit patterns;
 *   - no libc beyond memcpy, memset and memcmp (<string.h>), <stdint.h> and <stddef.h>;
 *   - no transport: the caller's MQTT stack delivers payloads to qora_node_on_round /
 *     qora_node_on_model and publishes the frames this library builds.
 *
 * Signatures go through qora_crypto: SHA-256 and HMAC-SHA256 default to the library's built-in
 * implementation (compile with -DQORA_NO_BUILTIN_SHA256 to leave it out and supply hooks);
 * Ed25519 (the gateway's MODEL frames and round announcements, and the node's own frames when
 * its key is Ed25519) is always the caller's: the library never skips a verification, it refuses
 * the message with QORA_ERR_CRYPTO when no verify hook is given.
 *
 * Every function returns QORA_OK (0), a positive status where documented, or a negative
 * QORA_ERR_* code. Nothing is thread-safe unless the caller serialises calls.
 */
#ifndef QORA_NODE_H
#define QORA_NODE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes ------------------------------------------------------------------------- */

#define QORA_OK 0
/** qora_node_on_round / qora_node_on_model: a new round is ready (announcement and model match). */
#define QORA_ROUND_READY 1
/** A NULL pointer, d = 0, an argument out of range (round >= 2^63, sequence 0, ...). */
#define QORA_ERR_ARG (-1)
/** Encode: a NaN or an infinity in the input (its index is written to *bad_index). */
#define QORA_ERR_NONFINITE (-2)
/** The caller's buffer is too small. */
#define QORA_ERR_BUFFER (-3)
/** A frame, text message or key file that breaks the format. */
#define QORA_ERR_MALFORMED (-4)
/** A signature that is missing or does not verify. */
#define QORA_ERR_SIGNATURE (-5)
/** A well-formed message that is not for this node: wrong kind, fleet, gateway id, protocol. */
#define QORA_ERR_NOT_FOR_US (-6)
/** A block outside spec section 1: e outside [-126, 113], a mantissa -32768. */
#define QORA_ERR_INVALID_BLOCK (-7)
/** A crypto hook is missing (Ed25519 verify or sign, or SHA-256 without the built-in) or failed. */
#define QORA_ERR_CRYPTO (-8)
/** An announcement or model of a round older than the newest one seen (replayed). */
#define QORA_ERR_ROLLBACK (-9)
/** An identifier (fleet, node id, model id, gateway id) that breaks PROTOCOL.md section 2. */
#define QORA_ERR_IDENTIFIER (-10)
/** No round is ready, or the update does not fit it (dimension). */
#define QORA_ERR_STATE (-11)

/* ---- Constants ---------------------------------------------------------------------------- */

#define QORA_ID_MAX 64             /* identifiers: 1..64 UTF-8 bytes */
#define QORA_E_MIN (-126)          /* block exponent range, spec section 1 */
#define QORA_E_MAX 113
#define QORA_MANTISSA_MAX 32767    /* mantissas in [-32767, 32767] */

#define QORA_KIND_UPDATE 1
#define QORA_KIND_MODEL 2
#define QORA_SCHEME_HMAC_SHA256 1  /* 32-byte signature */
#define QORA_SCHEME_ED25519 2      /* 64-byte signature */

#define QORA_SHA256_BYTES 32
#define QORA_KEY_BYTES 32
#define QORA_ED25519_SIG_BYTES 64

/** Bytes of a frame: fleet F, node id N, model id M bytes, dimension d, signature S bytes. */
#define QORA_FRAME_BYTES(F, N, M, d, S) (35u + (F) + (N) + (M) + 2u * (d) + (S))
/** The largest frame of dimension d (F = N = M = 64, S = 64): what the gateway accepts. */
#define QORA_FRAME_MAX_BYTES(d) (291u + 2u * (d))
/** Bytes the signed-text check needs in its scratch buffer (PROTOCOL.md section 6.1). */
#define QORA_SIGNED_TEXT_SCRATCH(topic_len, payload_len) (19u + (topic_len) + 1u + (payload_len))
/** The longest topic: "qora/v1/" fleet "/" leaf "/" node, with the NUL. */
#define QORA_TOPIC_MAX (8u + QORA_ID_MAX + 1u + 14u + 1u + QORA_ID_MAX + 1u)

/* ---- Crypto hooks ------------------------------------------------------------------------- */

/**
 * The caller's cryptography. Each hook returns 0 on success. A NULL sha256 or hmac_sha256 hook
 * selects the built-in implementation (when compiled in). ed25519_verify must return 0 only when
 * the signature over data verifies under the 32-byte public key (RFC 8032, pure Ed25519):
 * anything else, including an internal failure, is a refusal. ed25519_sign is needed only by a
 * node whose own key is Ed25519 (seed: the RFC 8032 32-byte private key).
 */
typedef struct qora_crypto {
    void *ctx; /* passed to every hook */
    int (*sha256)(void *ctx, const uint8_t *data, size_t len, uint8_t out[32]);
    int (*hmac_sha256)(void *ctx, const uint8_t key[32], const uint8_t *data, size_t len, uint8_t out[32]);
    int (*ed25519_sign)(void *ctx, const uint8_t seed[32], const uint8_t *data, size_t len, uint8_t sig[64]);
    int (*ed25519_verify)(void *ctx, const uint8_t public_key[32], const uint8_t *data, size_t len,
                          const uint8_t sig[64]);
} qora_crypto;

/** SHA-256 through the hook, or the built-in. */
int qora_sha256(const qora_crypto *c, const uint8_t *data, size_t len, uint8_t out[32]);
/** HMAC-SHA256 (RFC 2104) with a 32-byte key, through the hook or the built-in. */
int qora_hmac_sha256(const qora_crypto *c, const uint8_t key[32], const uint8_t *data, size_t len, uint8_t out[32]);

#ifndef QORA_NO_BUILTIN_SHA256
/** The built-in SHA-256 (FIPS 180-4), one shot. */
void qora_builtin_sha256(const uint8_t *data, size_t len, uint8_t out[32]);
/** The built-in HMAC-SHA256 (RFC 2104) with a key of any length. */
void qora_builtin_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[32]);
#endif

/* ---- BFP-16 (spec sections 1 and 2) ------------------------------------------------------- */

/**
 * Encodes d float32 values, given as their IEEE-754 bit patterns, into one block: *e and m[0..d).
 * Integer-only, bit for bit the spec. Refuses d = 0 (QORA_ERR_ARG) and a NaN or infinity
 * (QORA_ERR_NONFINITE, the first such index in *bad_index when bad_index is not NULL).
 * On a refusal nothing is written to m or e.
 */
int qora_bfp16_encode_bits(const uint32_t *bits, size_t d, int16_t *m, int32_t *e, size_t *bad_index);
/** The same for a float array (each float is read as its bits with memcpy; no float arithmetic). */
int qora_bfp16_encode_f32(const float *x, size_t d, int16_t *m, int32_t *e, size_t *bad_index);
/**
 * The same, writing the mantissas as big-endian int16 (2d bytes): straight into an UPDATE frame
 * at qora_update_mantissa_offset(), so that the update needs no array of its own.
 */
int qora_bfp16_encode_bits_be(const uint32_t *bits, size_t d, uint8_t *m_be, int32_t *e, size_t *bad_index);
/** The float32 bit pattern of m * 2^e: exact for every valid block (|m| <= 32767, e in [-126, 113]). */
uint32_t qora_bfp16_decode_bits(int32_t m, int32_t e);
/** QORA_OK when (e, m[0..d)) is a valid block (spec section 1), else QORA_ERR_INVALID_BLOCK or QORA_ERR_ARG. */
int qora_block_check(int32_t e, const int16_t *m, size_t d);

/* ---- Identifiers and topics (PROTOCOL.md sections 2 and 3) -------------------------------- */

/** QORA_OK when bytes[0..len) is a valid identifier, else QORA_ERR_IDENTIFIER. */
int qora_identifier_check(const uint8_t *bytes, size_t len);
/**
 * Writes the NUL-terminated topic "qora/v1/{fleet}/{leaf}" or, when node is not NULL,
 * "qora/v1/{fleet}/{leaf}/{node}" (leaf: "round", "model", "update", "birth", "death", "reject",
 * "gateway/status", "audit"). *out_len (optional) gets its length without the NUL.
 */
int qora_topic(char *out, size_t cap, const char *fleet, const char *leaf, const char *node, size_t *out_len);

/* ---- Frames (PROTOCOL.md section 4) ------------------------------------------------------- */

/** What a frame carries; identifiers are NUL-terminated UTF-8. */
typedef struct qora_frame_fields {
    uint8_t kind;          /* QORA_KIND_UPDATE for a node */
    uint8_t scheme;        /* QORA_SCHEME_HMAC_SHA256 or QORA_SCHEME_ED25519 */
    const char *fleet;
    const char *node_id;
    const char *model_id;
    uint64_t round;        /* below 2^63 */
    uint64_t sequence;     /* 1 .. 2^63 - 1, strictly increasing per sender */
    int32_t e;             /* block exponent, [-126, 113] */
    uint32_t d;            /* block dimension, >= 1 */
    const int16_t *m;      /* d mantissas, or NULL when they are already in place (big-endian) */
} qora_frame_fields;

/** Bytes of the frame for f (0 when an identifier is not valid or the size overflows size_t). */
size_t qora_frame_size(const qora_frame_fields *f);
/** Offset of the mantissas in the frame for f (for qora_bfp16_encode_bits_be); 0 on an invalid identifier. */
size_t qora_frame_mantissa_offset(const qora_frame_fields *f);
/**
 * Builds and signs a frame into out[0..cap): HMAC-SHA256 with the 32-byte secret, or Ed25519
 * with the 32-byte seed through c->ed25519_sign. Refuses invalid identifiers, round >= 2^63,
 * sequence 0 or >= 2^63, d = 0 and invalid blocks; checks the block only when f->m is given.
 * *out_len gets the frame's length.
 */
int qora_frame_build(uint8_t *out, size_t cap, const qora_frame_fields *f, const uint8_t key[32],
                     const qora_crypto *c, size_t *out_len);

/** A parsed frame: pointers into the caller's buffer, valid while it is. */
typedef struct qora_frame {
    uint8_t kind, scheme;
    const uint8_t *fleet;    uint8_t fleet_len;
    const uint8_t *node_id;  uint8_t node_id_len;
    const uint8_t *model_id; uint8_t model_id_len;
    uint64_t round, sequence;
    int32_t e;
    uint32_t d;
    const uint8_t *block;     /* e, d, mantissas: the spec section 7 layout, 8 + 2d bytes */
    const uint8_t *mantissas; /* 2d bytes, big-endian int16 */
    size_t signed_len;        /* bytes covered by the signature (from offset 0) */
    const uint8_t *signature; /* 32 or 64 bytes */
} qora_frame;

/**
 * Checks a frame's structure (PROTOCOL.md section 5, checks 1 to 4: at most max_len bytes, magic,
 * version, kinds, flags, identifiers, round, sequence, d, exact length) and fills *out. Does not
 * verify the signature nor the block's range.
 */
int qora_frame_parse(const uint8_t *buf, size_t len, size_t max_len, qora_frame *out);
/** Mantissa i of a parsed frame (i < d). */
int16_t qora_frame_mantissa(const qora_frame *f, uint32_t i);

/* ---- Node credentials (PROTOCOL.md section 10) -------------------------------------------- */

/** A node's key file, as `qora-edge-gateway keys` writes it. */
typedef struct qora_credentials {
    char node_id[QORA_ID_MAX + 1];
    uint8_t scheme;                      /* QORA_SCHEME_* */
    uint8_t key[QORA_KEY_BYTES];         /* HMAC secret or Ed25519 seed */
    uint8_t has_gateway;                 /* 1 when the file pins the gateway's key */
    char gateway_id[QORA_ID_MAX + 1];
    uint8_t gateway_key[QORA_KEY_BYTES]; /* raw Ed25519 public key of the gateway */
} qora_credentials;

/**
 * Parses a credentials file's text: exactly one line "<node-id> hmac-sha256|ed25519 <64 hex>",
 * at most one "<gateway-id> gateway-ed25519 <64 hex>", '#' comments, blank lines.
 */
int qora_credentials_parse(const char *text, size_t len, qora_credentials *out);

/* ---- Text messages and the round announcement (PROTOCOL.md sections 6, 6.1, 7) ------------- */

/**
 * Finds key in a text payload of "key=value\n" lines: QORA_OK and *value, *value_len pointing into
 * the payload, or QORA_ERR_MALFORMED when the key is absent or given twice.
 */
int qora_text_get(const uint8_t *payload, size_t len, const char *key, const uint8_t **value, size_t *value_len);

/**
 * Verifies a signed text message (section 6.1) received on topic: its last line must be
 * "signature=<128 lowercase hex>\n", the gateway's Ed25519 signature over
 * "qora-signed-text/1\n" || topic || "\n" || the payload before that line. scratch must hold
 * QORA_SIGNED_TEXT_SCRATCH(strlen(topic), len) bytes. *body_len gets the signed body's length.
 */
int qora_signed_text_verify(const uint8_t *payload, size_t len, const char *topic, const uint8_t gateway_key[32],
                            const qora_crypto *c, uint8_t *scratch, size_t scratch_cap, size_t *body_len);

/** A verified round announcement. */
typedef struct qora_announcement {
    uint64_t round;
    uint32_t dimension;
    uint64_t max_frame_bytes;
    int64_t deadline_ms;
    int32_t f, m;
    uint8_t model_digest[QORA_SHA256_BYTES];
    char fleet[QORA_ID_MAX + 1];
    char model_id[QORA_ID_MAX + 1];
    char gateway_id[QORA_ID_MAX + 1];
} qora_announcement;

/**
 * Verifies (qora_signed_text_verify) and parses a round announcement: protocol=1, every field of
 * section 6, identifiers valid, the digest 64 lowercase hex digits.
 */
int qora_announcement_verify(const uint8_t *payload, size_t len, const char *topic, const uint8_t gateway_key[32],
                             const qora_crypto *c, uint8_t *scratch, size_t scratch_cap, qora_announcement *out);

/* ---- A node's rounds (PROTOCOL.md section 6.1, "A node's round") -------------------------- */

/** A node's state: its credentials (gateway key pinned), fleet, hooks, and what it has verified. */
typedef struct qora_node {
    const qora_credentials *cred;
    const qora_crypto *crypto;
    char fleet[QORA_ID_MAX + 1];
    char topic_round[QORA_TOPIC_MAX];
    char topic_model[QORA_TOPIC_MAX];
    uint8_t seen_any;          /* newest_round is set */
    uint64_t newest_round;     /* newest round a verified announcement or model named */
    uint8_t has_announcement;
    qora_announcement announcement;
    uint8_t has_model;         /* the newest verified MODEL frame: */
    uint64_t model_round;
    uint32_t model_d;
    int32_t model_e;
    char model_id[QORA_ID_MAX + 1];
    uint8_t model_digest[QORA_SHA256_BYTES];
    uint8_t has_current;       /* a round is ready: */
    uint64_t current_round;
    uint32_t current_dimension;
    char current_model_id[QORA_ID_MAX + 1];
    uint32_t refused;          /* announcements and models refused */
} qora_node;

/**
 * Starts a node of fleet with credentials that pin the gateway's key (QORA_ERR_ARG otherwise).
 * cred and crypto must outlive the node.
 */
int qora_node_init(qora_node *n, const char *fleet, const qora_credentials *cred, const qora_crypto *crypto);

/**
 * A payload received on the round topic (retained announcement): verified with the pinned key,
 * checked for this fleet and gateway id, refused when older than the newest round seen
 * (QORA_ERR_ROLLBACK). An empty payload (a cleared retained message) is ignored (QORA_OK).
 * Returns QORA_ROUND_READY when the model of that round has been verified and matches (digest,
 * model id, dimension). scratch: QORA_SIGNED_TEXT_SCRATCH(strlen(topic), len) bytes.
 */
int qora_node_on_round(qora_node *n, const uint8_t *payload, size_t len, uint8_t *scratch, size_t scratch_cap);

/**
 * A payload received on the model topic: a MODEL frame of this fleet, by the pinned gateway id,
 * Ed25519-signed with the pinned key, with a valid block, not older than the newest round seen.
 * Its parsed view goes to *model (pointers into payload). Returns QORA_ROUND_READY as above. The
 * caller keeps the newest accepted model frame's bytes: they are the round's global model.
 */
int qora_node_on_model(qora_node *n, const uint8_t *payload, size_t len, qora_frame *model);

/**
 * Builds this node's signed UPDATE frame for the ready round: the announced model id, dimension
 * d (QORA_ERR_STATE if d differs or no round is ready), the given sequence, block (e, m); m NULL
 * when the mantissas are already in place in out (qora_frame_mantissa_offset).
 */
int qora_node_build_update(const qora_node *n, uint64_t sequence, int32_t e, const int16_t *m, uint32_t d,
                           uint8_t *out, size_t cap, size_t *out_len);

/** The fields of this node's update for the ready round (for qora_frame_size / _mantissa_offset). */
int qora_node_update_fields(const qora_node *n, uint64_t sequence, int32_t e, const int16_t *m, uint32_t d,
                            qora_frame_fields *f);

#ifdef __cplusplus
}
#endif

#endif /* QORA_NODE_H */
