package org.qoraedge.gateway.protocol;

import java.util.Locale;

/**
 * Why the gateway refused an update frame. The names are the wire names used in rejection notices
 * and round records (docs/PROTOCOL.md, "Rejections"); they are checked in this order.
 */
public enum RejectReason {
    /** The payload is longer than the round's maximum frame size (checked before parsing). */
    OVERSIZE,
    /** The first four bytes are not {@code QORA}. */
    BAD_MAGIC,
    /** The version byte is not one this gateway speaks. */
    BAD_VERSION,
    /** Truncated, trailing bytes, a length field out of range, a bad identifier, an unknown scheme or kind. */
    MALFORMED,
    /** A SPARSE UPDATE frame whose count {@code k} is 0 or above its dimension {@code d}. */
    SPARSE_COUNT,
    /**
     * A SPARSE UPDATE frame whose index stream has a varint that is truncated by the end of the
     * frame, longer than 5 bytes, above 2^31 - 1, or not in its shortest (minimal) form.
     */
    SPARSE_VARINT,
    /** A SPARSE UPDATE frame whose indices are not strictly increasing (a gap of 0: a duplicate). */
    SPARSE_UNSORTED,
    /** A SPARSE UPDATE frame with an index {@code >= d}. */
    SPARSE_INDEX_RANGE,
    /** A SPARSE UPDATE frame with bytes left over after its {@code k} mantissas and signature. */
    SPARSE_TRAILING,
    /** A frame of another kind than UPDATE or SPARSE UPDATE on an update topic. */
    WRONG_KIND,
    /** The frame's fleet is not the gateway's. */
    WRONG_FLEET,
    /** The node id in the frame differs from the node id of the topic it was published on. */
    TOPIC_MISMATCH,
    /** No key is registered for the node id. */
    UNKNOWN_NODE,
    /** The signature scheme differs from the node's registered one, or the signature does not verify. */
    BAD_SIGNATURE,
    /** The node is on the ban list. */
    BANNED,
    /** The frame is for another round than the one being collected. */
    WRONG_ROUND,
    /**
     * Buffered mode (docs/PROTOCOL.md section 6.3): the model version the update was trained from is
     * more than {@code round.maxStaleness} versions behind the current model.
     */
    STALE_UPDATE,
    /**
     * The round draws a cohort (docs/PROTOCOL.md section 6.2) and the node is not in it: a node that
     * was not asked, or one that missed the announcement's {@code cohort} key.
     */
    NOT_IN_COHORT,
    /** The sequence number is not above the node's last accepted one. */
    REPLAYED_SEQUENCE,
    /** The block's dimension differs from the round's. */
    WRONG_DIMENSION,
    /** The model id differs from the round's. */
    WRONG_MODEL,
    /** The node already has an accepted update in this round. */
    DUPLICATE_UPDATE,
    /** The block breaks spec section 1 (exponent out of range, mantissa -32768). */
    INVALID_BLOCK,
    /**
     * The (densified) block has more non-zero coordinates than the round allows
     * ({@code round.maxNonZero}, docs/PROTOCOL.md section 5): a fleet of sparse nodes bounds what
     * one update may touch, so that a dense attacker cannot outweigh sparse honest updates.
     */
    TOO_DENSE;

    /**
     * Whether a frame refused for this reason is evidence of an attack: forged, malformed, replayed,
     * from outside the fleet or the registry, or signed content that breaks the round's rules. Not:
     * {@link #BANNED} (a node already dealt with), {@link #WRONG_ROUND} (an update that arrived after
     * its round closed: a slow node), {@link #STALE_UPDATE} (a slow node in buffered mode), {@link #NOT_IN_COHORT} (a node that was not asked this round:
     * an older node that ignores the cohort, or one that missed the announcement) and
     * {@link #DUPLICATE_UPDATE} (a node that sent again, for example after a reconnect).
     */
    public boolean evidenceOfAttack() {
        return this != BANNED && this != WRONG_ROUND && this != STALE_UPDATE && this != NOT_IN_COHORT && this != DUPLICATE_UPDATE;
    }

    /** The name used on the wire and in logs, for example {@code bad-signature}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The reason whose {@link #wireName()} is {@code wire}, or null when there is none. */
    public static RejectReason fromWireName(String wire) {
        for (RejectReason r : values()) {
            if (r.wireName().equals(wire)) {
                return r;
            }
        }
        return null;
    }
}
