package org.qoraedge.gateway.protocol;

/** The frame's kind byte (offset 5). */
public enum FrameKind {
    /** A node's model update (a delta) for one round, on its update topic. */
    UPDATE(1),
    /** The gateway's global model that a round starts from, retained on the model topic. */
    MODEL(2),
    /**
     * A node's model update for one round sent as its nonzero-selected coordinates only
     * (docs/PROTOCOL.md section 4.1); the gateway densifies it and treats it as an {@link #UPDATE}.
     */
    SPARSE_UPDATE(3);

    private final int code;

    FrameKind(int code) {
        this.code = code;
    }

    /** The kind byte's value. */
    public int code() {
        return code;
    }

    /** True for the kinds a node sends as its update: {@link #UPDATE} and {@link #SPARSE_UPDATE}. */
    public boolean isUpdate() {
        return this == UPDATE || this == SPARSE_UPDATE;
    }

    /** The kind for a kind byte, or null for an unknown value. */
    public static FrameKind ofCode(int code) {
        for (FrameKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
