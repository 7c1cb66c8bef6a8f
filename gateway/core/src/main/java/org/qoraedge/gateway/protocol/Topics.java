package org.qoraedge.gateway.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The topic tree of one fleet (docs/PROTOCOL.md, "Topics"), all under {@code qora/v1/{fleet}/}.
 * Immutable.
 */
public final class Topics {
    /** The protocol's topic root, before the fleet. */
    public static final String ROOT = "qora/v1/";

    private final String fleet;
    private final String prefix;

    public Topics(String fleet) {
        Identifiers.utf8("fleet", fleet);
        this.fleet = fleet;
        this.prefix = ROOT + fleet + "/";
    }

    public String fleet() {
        return fleet;
    }

    /** Retained round announcement (text), QoS 1, published by the gateway. */
    public String round() {
        return prefix + "round";
    }

    /** Retained global model (MODEL frame), QoS 1, published by the gateway. */
    public String model() {
        return prefix + "model";
    }

    /** A node's update topic (UPDATE frames), QoS 1, published by that node only. */
    public String update(String nodeId) {
        return prefix + "update/" + checkedNode(nodeId);
    }

    /** The gateway's subscription to every node's updates. */
    public String updateWildcard() {
        return prefix + "update/+";
    }

    /** Rejection notices for one node (text), QoS 1. */
    public String reject(String nodeId) {
        return prefix + "reject/" + checkedNode(nodeId);
    }

    /** Birth message a node publishes on every connect (text), QoS 1. */
    public String birth(String nodeId) {
        return prefix + "birth/" + checkedNode(nodeId);
    }

    public String birthWildcard() {
        return prefix + "birth/+";
    }

    /** Death message, registered by a node as its MQTT Will (text), QoS 1. */
    public String death(String nodeId) {
        return prefix + "death/" + checkedNode(nodeId);
    }

    public String deathWildcard() {
        return prefix + "death/+";
    }

    /** Retained gateway status (text), QoS 1; its Will sets {@code state=offline}. */
    public String gatewayStatus() {
        return prefix + "gateway/status";
    }

    /** One record per closed round (text), QoS 1. */
    public String audit() {
        return prefix + "audit";
    }

    /**
     * The last level of {@code topic} when it is {@code prefix + kind + "/" + level}, otherwise null:
     * the node id of an update, birth or death topic.
     */
    public String nodeIdOf(String kind, String topic) {
        String head = prefix + kind + "/";
        if (!topic.startsWith(head)) {
            return null;
        }
        String rest = topic.substring(head.length());
        return rest.isEmpty() || rest.indexOf('/') >= 0 ? null : rest;
    }

    private static String checkedNode(String nodeId) {
        Identifiers.utf8("node id", nodeId);
        return nodeId;
    }

    /**
     * The topics a gateway subscribes to: the update, birth and death topics of each node in
     * {@code nodeIds}, never a wildcard, so that messages on any other id (a Sybil flood) are not
     * queued for the gateway's session by the broker and cost it nothing.
     */
    public List<String> subscriptions(Collection<String> nodeIds) {
        List<String> out = new ArrayList<>(3 * nodeIds.size());
        for (String id : nodeIds) {
            out.add(update(id));
            out.add(birth(id));
            out.add(death(id));
        }
        return out;
    }
}
