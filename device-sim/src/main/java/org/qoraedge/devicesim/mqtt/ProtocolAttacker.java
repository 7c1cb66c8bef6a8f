package org.qoraedge.devicesim.mqtt;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.qoraedge.devicesim.attack.AttackException;
import org.qoraedge.devicesim.attack.AttackKind;
import org.qoraedge.devicesim.attack.ProtocolAttackSpec;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;

/**
 * One Byzantine node's protocol-level attacks (no broker ACLs in the scenario, so it can publish
 * on any topic). Each round: the attack frames that come before its update (wrong signature,
 * stale replay, Sybil, truncated, oversized, wrong dimension, bad version: in the order given),
 * then its genuine update, then the flood (more copies of the update, re-signed with fresh
 * sequence numbers). Attack frames go out on a second connection of the node ({@link RawPublisher},
 * pipelined); the genuine update goes through its {@link NodeClient}. Each phase waits for the
 * broker's acknowledgements before the next, so the gateway receives them in that order.
 *
 * <p>Not thread-safe: one round at a time, from the scenario's thread.
 */
final class ProtocolAttacker implements AutoCloseable {
    private final List<ProtocolAttackSpec> attacks;
    private final NodeClient client;
    private final RawPublisher raw;
    private final NodeCredentials credentials;
    private final String victim;
    private final List<NodeCredentials> sybils = new ArrayList<>();
    /** This node's own update frames by round, for stale-replay; only the last {@code age} are kept. */
    private final TreeMap<Long, byte[]> history = new TreeMap<>();
    private final int replayAge;
    private final Map<AttackKind, Long> sent = new EnumMap<>(AttackKind.class);

    /**
     * @param fleetIds every node id of the fleet, canonical order (for {@code victim=next})
     */
    ProtocolAttacker(List<ProtocolAttackSpec> attacks, NodeClient client, RawPublisher raw, NodeCredentials credentials,
            List<String> fleetIds, SecureRandom random) {
        this.attacks = List.copyOf(attacks);
        this.client = client;
        this.raw = raw;
        this.credentials = credentials;
        String v = null;
        int age = 0;
        for (ProtocolAttackSpec a : attacks) {
            switch (a.kind()) {
                case WRONG_SIGNATURE:
                    v = victimOf(a.parameter("victim"), credentials.nodeId(), fleetIds);
                    break;
                case SYBIL:
                    for (int k = 1; k <= a.intParameter("identities"); k++) {
                        byte[] key = new byte[32];
                        random.nextBytes(key);
                        sybils.add(NodeCredentials.hmac("sybil-" + credentials.nodeId() + "-" + k, key));
                    }
                    break;
                case STALE_REPLAY:
                    age = a.intParameter("age");
                    break;
                default:
                    break;
            }
        }
        this.victim = v;
        this.replayAge = age;
    }

    String nodeId() {
        return credentials.nodeId();
    }

    /**
     * Publishes this round's traffic: the attack frames, the genuine update of {@code block}, the
     * flood.
     */
    void playRound(RoundStart start, Bfp16Block block) throws IOException {
        long round = start.round();
        String modelId = start.announcement().modelId();
        String fleet = client.topics().fleet();
        ProtocolAttackSpec flood = null;
        for (ProtocolAttackSpec a : attacks) {
            switch (a.kind()) {
                case WRONG_SIGNATURE:
                    if (victim.equals(credentials.nodeId())) {
                        publish(a.kind(), victim, ProtocolFrames.corruptedSignature(client.encodeUpdate(round, modelId, block)));
                    } else {
                        // The victim's id and topic, the attacker's key: the gateway verifies with the victim's.
                        Frame f = new Frame(FrameKind.UPDATE, credentials.scheme(), fleet, victim, round,
                                client.nextSequence(), modelId, block);
                        publish(a.kind(), victim, f.encode(credentials.signer()));
                    }
                    break;
                case STALE_REPLAY: {
                    byte[] old = history.get(round - replayAge);
                    if (old != null) {
                        publish(a.kind(), credentials.nodeId(), old);
                    }
                    break;
                }
                case SYBIL:
                    for (NodeCredentials s : sybils) {
                        Frame f = new Frame(FrameKind.UPDATE, s.scheme(), fleet, s.nodeId(), round, client.nextSequence(),
                                modelId, block);
                        publish(a.kind(), s.nodeId(), f.encode(s.signer()));
                    }
                    break;
                case MALFORMED_TRUNCATED: {
                    byte[] frame = client.encodeUpdate(round, modelId, block);
                    String keep = a.parameter("keep");
                    int n = keep.toLowerCase(Locale.ROOT).equals("half") ? frame.length / 2 : a.intParameter("keep");
                    publish(a.kind(), credentials.nodeId(), ProtocolFrames.truncated(frame, n));
                    break;
                }
                case MALFORMED_OVERSIZED:
                    publish(a.kind(), credentials.nodeId(), ProtocolFrames.oversized(client.encodeUpdate(round, modelId, block),
                            start.announcement().maxFrameBytes(), a.doubleParameter("factor")));
                    break;
                case MALFORMED_WRONG_DIMENSION: {
                    int d = block.dimension() + a.intParameter("delta");
                    byte[] frame = client.encodeUpdate(round, modelId, ProtocolFrames.withDimension(block, d));
                    if (frame.length > start.announcement().maxFrameBytes()) {
                        throw new AttackException("malformed-wrong-dimension: dimension " + d + " gives a frame of "
                                + frame.length + " bytes, above the round's maximum " + start.announcement().maxFrameBytes()
                                + " (the gateway would count it as oversize); use a smaller delta");
                    }
                    publish(a.kind(), credentials.nodeId(), frame);
                    break;
                }
                case MALFORMED_BAD_VERSION:
                    publish(a.kind(), credentials.nodeId(),
                            ProtocolFrames.badVersion(client.encodeUpdate(round, modelId, block), a.intParameter("version")));
                    break;
                case FLOODING:
                    flood = a;
                    break;
                default:
                    throw new AttackException("no wire implementation for " + a.kind().id());
            }
        }
        // Every attack frame acknowledged (so routed to the gateway) before the genuine update.
        raw.flush();
        byte[] update = client.encodeUpdate(round, modelId, block);
        client.publishRaw(client.topics().update(credentials.nodeId()), update);
        if (replayAge > 0) {
            history.put(round, update);
            history.headMap(round - replayAge + 1).clear();
        }
        if (flood != null) {
            for (int k = 0; k < flood.intParameter("frames"); k++) {
                publish(flood.kind(), credentials.nodeId(), client.encodeUpdate(round, modelId, block));
            }
            raw.flush();
        }
    }

    /** Attack frames published so far, by kind. */
    Map<AttackKind, Long> sent() {
        return new EnumMap<>(sent.isEmpty() ? new EnumMap<>(AttackKind.class) : sent);
    }

    private void publish(AttackKind kind, String topicNode, byte[] payload) throws IOException {
        raw.publish(client.topics().update(topicNode), payload);
        sent.merge(kind, 1L, Long::sum);
    }

    /** Closes the attacker's raw connection (its node client belongs to the scenario). */
    @Override
    public void close() {
        raw.close();
    }

    private static String victimOf(String spec, String self, List<String> fleetIds) {
        if (spec.equalsIgnoreCase("self")) {
            return self;
        }
        if (spec.equalsIgnoreCase("next")) {
            int i = fleetIds.indexOf(self);
            return fleetIds.get((i + 1) % fleetIds.size());
        }
        if (!fleetIds.contains(spec)) {
            throw new AttackException("wrong-signature: victim " + spec + " is not a node of the fleet (" + fleetIds.get(0)
                    + " .. " + fleetIds.get(fleetIds.size() - 1) + ")");
        }
        return spec;
    }
}
