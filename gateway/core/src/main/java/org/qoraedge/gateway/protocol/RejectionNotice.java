package org.qoraedge.gateway.protocol;

/**
 * What the gateway tells a node whose frame it refused (docs/PROTOCOL.md, "Rejection notice").
 *
 * @param round the round being collected when the frame was refused
 * @param frameRound the frame's round field, or -1 when the frame could not be parsed that far
 * @param sequence the frame's sequence field, or -1 when the frame could not be parsed that far
 * @param reason why
 * @param detail a human-readable explanation naming the offending value
 */
public record RejectionNotice(long round, long frameRound, long sequence, RejectReason reason, String detail) {

    public TextMessage toMessage() {
        return TextMessage.builder()
                .put("protocol", RoundAnnouncement.PROTOCOL)
                .put("round", round)
                .put("frameRound", frameRound)
                .put("sequence", sequence)
                .put("reason", reason.wireName())
                .put("detail", detail)
                .build();
    }

    public static RejectionNotice parse(byte[] payload) {
        TextMessage t = TextMessage.parse(payload);
        String wire = t.require("reason");
        RejectReason reason = null;
        for (RejectReason r : RejectReason.values()) {
            if (r.wireName().equals(wire)) {
                reason = r;
            }
        }
        if (reason == null) {
            throw new ProtocolException("rejection notice has unknown reason '" + wire + "'");
        }
        return new RejectionNotice(t.requireLong("round"), t.requireLong("frameRound"), t.requireLong("sequence"), reason,
                t.require("detail"));
    }
}
