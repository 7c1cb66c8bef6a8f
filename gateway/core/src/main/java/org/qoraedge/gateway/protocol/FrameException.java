package org.qoraedge.gateway.protocol;

/** A frame refused while parsing or verifying; carries the reason reported to the node. */
public final class FrameException extends ProtocolException {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    public FrameException(RejectReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
