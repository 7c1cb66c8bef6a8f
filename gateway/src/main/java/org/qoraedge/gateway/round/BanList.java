package org.qoraedge.gateway.round;

/**
 * Which nodes are banned. The round worker asks once per frame (after the signature checks out),
 * so implementations must answer quickly and be safe to call from the worker thread while an
 * operator changes the list from another thread.
 */
@FunctionalInterface
public interface BanList {
    /** No node is banned. */
    BanList NONE = nodeId -> false;

    boolean isBanned(String nodeId);
}
