package org.qoraedge.devicesim.mqtt;

import java.util.Arrays;
import org.qoraedge.devicesim.attack.AttackException;
import org.qoraedge.devicesim.attack.AttackKind;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.protocol.RejectReason;

/**
 * Crafts the payloads of the protocol-level attacks from valid frames (docs/PROTOCOL.md, section
 * 4), and names the reason the gateway must give for each (section 5). Pure functions: nothing is
 * published here, inputs are never modified.
 */
public final class ProtocolFrames {
    /** Offset of the version byte. */
    static final int VERSION_OFFSET = 4;
    /** The smallest truncation that still reaches the structural checks (magic, version, kind, scheme, flags). */
    public static final int MIN_TRUNCATED_BYTES = 9;

    private ProtocolFrames() {
    }

    /** What the scenario reports for an attack whose frames the gateway never receives. */
    public static final String NOT_DELIVERED = "not-delivered";

    /**
     * The reason a gateway must count for a frame of this protocol-level attack, or null for
     * {@code sybil}: the gateway subscribes to the topics of registered nodes only, so the broker
     * never delivers frames under other ids to it and it counts nothing.
     *
     * @throws AttackException for a model-level kind
     */
    public static RejectReason expectedReason(AttackKind kind) {
        switch (kind) {
            case STALE_REPLAY:
                return RejectReason.WRONG_ROUND;
            case WRONG_SIGNATURE:
                return RejectReason.BAD_SIGNATURE;
            case SYBIL:
                return null;
            case MALFORMED_TRUNCATED:
                return RejectReason.MALFORMED;
            case MALFORMED_OVERSIZED:
                return RejectReason.OVERSIZE;
            case MALFORMED_WRONG_DIMENSION:
                return RejectReason.WRONG_DIMENSION;
            case MALFORMED_BAD_VERSION:
                return RejectReason.BAD_VERSION;
            case FLOODING:
                return RejectReason.DUPLICATE_UPDATE;
            default:
                throw new AttackException(kind.id() + " is a model-level attack: nothing on the wire to reject");
        }
    }

    /** {@link #expectedReason}'s wire name, or {@link #NOT_DELIVERED}. */
    public static String expectedOutcome(AttackKind kind) {
        RejectReason r = expectedReason(kind);
        return r == null ? NOT_DELIVERED : r.wireName();
    }

    /**
     * The first {@code keep} bytes of {@code frame}.
     *
     * @throws AttackException unless {@code 9 <= keep < frame.length}
     */
    public static byte[] truncated(byte[] frame, int keep) {
        if (keep < MIN_TRUNCATED_BYTES || keep >= frame.length) {
            throw new AttackException("malformed-truncated: keep = " + keep + " must be in [" + MIN_TRUNCATED_BYTES + ", "
                    + (frame.length - 1) + "] for a frame of " + frame.length + " bytes");
        }
        return Arrays.copyOf(frame, keep);
    }

    /**
     * {@code frame} followed by zero bytes up to {@code ceil(factor * maxFrameBytes)} bytes.
     *
     * @throws AttackException when that is not above {@code maxFrameBytes} or not below 2^31
     */
    public static byte[] oversized(byte[] frame, long maxFrameBytes, double factor) {
        double target = Math.ceil(factor * maxFrameBytes);
        if (!(target > maxFrameBytes) || target >= Integer.MAX_VALUE) {
            throw new AttackException("malformed-oversized: factor " + factor + " x " + maxFrameBytes + " bytes gives "
                    + target + " bytes; it must be above the maximum and below 2^31");
        }
        return Arrays.copyOf(frame, Math.max(frame.length, (int) target));
    }

    /**
     * {@code frame} with its version byte replaced by {@code version}.
     *
     * @throws AttackException when {@code version} is outside [0, 255]
     */
    public static byte[] badVersion(byte[] frame, int version) {
        if (version < 0 || version > 255) {
            throw new AttackException("malformed-bad-version: version = " + version + " is not a byte value");
        }
        byte[] out = frame.clone();
        out[VERSION_OFFSET] = (byte) version;
        return out;
    }

    /** {@code frame} with the last byte of its signature flipped. */
    public static byte[] corruptedSignature(byte[] frame) {
        byte[] out = frame.clone();
        out[out.length - 1] ^= 0x01;
        return out;
    }

    /**
     * {@code block} with {@code dimension} coordinates: its first ones, then zeros; same exponent.
     *
     * @throws AttackException when {@code dimension < 1}
     */
    public static Bfp16Block withDimension(Bfp16Block block, int dimension) {
        if (dimension < 1) {
            throw new AttackException("malformed-wrong-dimension: the published dimension would be " + dimension
                    + " (round's d = " + block.dimension() + "); it must be >= 1");
        }
        short[] m = Arrays.copyOf(block.mantissas(), dimension);
        return Bfp16Block.of(block.exponent(), m);
    }
}
