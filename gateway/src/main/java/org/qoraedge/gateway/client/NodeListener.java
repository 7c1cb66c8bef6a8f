package org.qoraedge.gateway.client;

import org.qoraedge.gateway.protocol.RejectionNotice;

/**
 * Callbacks of a {@link NodeClient}, run on the client's own dispatch thread (never on Paho's),
 * one at a time, in arrival order. They may take their time (a slow listener delays only later
 * callbacks of the same client) and should not throw (exceptions are logged and swallowed).
 */
public interface NodeListener {
    /** A new round was announced and its global model has arrived. */
    default void roundStarted(RoundStart round) {
    }

    /** The gateway refused one of this node's frames. */
    default void rejected(RejectionNotice notice) {
    }
}
