package org.qoraedge.gateway.client;

import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.protocol.RoundAnnouncement;

/**
 * A round a node can train for: the gateway's announcement and the global model it starts from,
 * whose digest matched the announcement's {@code modelDigest}. Immutable.
 */
public record RoundStart(RoundAnnouncement announcement, Bfp16Block model) {
    /** The round number to put in the update frame. */
    public long round() {
        return announcement.round();
    }
}
