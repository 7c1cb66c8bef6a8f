package org.qoraedge.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.Oracle;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * One round built by hand, as the gateway would have kept and recorded it: a signed model frame,
 * update frames in a scrambled arrival order (the last node Byzantine), one rejected frame, and an
 * audit record whose expected results come straight from fixedpoint's reference Krum, Multi-Krum
 * and mean and a BigInteger model sum, never from {@link Replay} or the gateway's round buffers.
 * Fields are mutable so that a test can break one thing and rebuild the record or the journal.
 */
final class RoundFixture {
    static final byte[] GATEWAY_SEED = seed(42);
    static final String FLEET = "orchard";
    static final String GATEWAY = "gw-1";
    static final String MODEL_ID = "mlp-1";
    static final HexFormat HEX = HexFormat.of();

    final long round;
    final int d;
    final String aggregator;
    final String metric;
    final int f;
    final int m;
    final int minUpdates;
    final List<NodeCredentials> nodes;
    final FrameSigner gatewaySigner = FrameSigner.ed25519(GATEWAY_SEED);
    final String gatewayKey = HEX.formatHex(Ed25519Keys.publicKeyOf(GATEWAY_SEED));

    Bfp16Block model;
    byte[] modelFrame;
    /** Accepted update frames, in arrival order. */
    final List<byte[]> accepted = new ArrayList<>();
    /** The accepted frames' blocks by node, as generated (not parsed back). */
    final Map<String, Bfp16Block> blockByNode = new HashMap<>();
    /** Every frame received, in arrival order, as the record lists them. */
    final List<AuditRecord.FrameEntry> frames = new ArrayList<>();
    /** Extra journal entries appended after the accepted frames (rejections, restarts). */
    final List<RoundJournal.Entry> extraEntries = new ArrayList<>();

    // The record's results, computed independently.
    String outcome = "aggregated";
    String failure = "";
    List<String> canonicalOrder = List.of();
    long[] scores = new long[0];
    int[] ranking = new int[0];
    int[] selected = new int[0];
    int referenceExponent;
    String aggregateDigest = "";
    String modelAfter;

    RoundFixture(long round, int n, int d, String aggregator, String metric, int f, int m, int minUpdates) {
        this.round = round;
        this.d = d;
        this.aggregator = aggregator;
        this.metric = metric;
        this.f = f;
        this.m = m;
        this.minUpdates = minUpdates;
        this.nodes = TestNodes.fleet("n", n);
        this.model = TestNodes.update("global-model", round, d, false);
        this.modelFrame = modelFrame(model, round, gatewaySigner);
        // Arrival order: odd positions first, then even ones, so arrival order is not canonical order.
        List<NodeCredentials> arrival = new ArrayList<>();
        for (int i = 1; i < n; i += 2) {
            arrival.add(nodes.get(i));
        }
        for (int i = 0; i < n; i += 2) {
            arrival.add(nodes.get(i));
        }
        for (NodeCredentials c : arrival) {
            boolean byzantine = c == nodes.get(n - 1);
            addAccepted(c, TestNodes.update(c.nodeId(), round, d, byzantine), 3);
        }
        // One rejected frame: from a node the gateway has no key for.
        NodeCredentials forger = TestNodes.credentials("n99", true);
        byte[] forged = new Frame(FrameKind.UPDATE, SignatureScheme.ED25519, FLEET, "n99", round, 1, MODEL_ID,
                TestNodes.update("n99", round, d, true)).encode(forger.signer());
        frames.add(new AuditRecord.FrameEntry("n99", round, 1, Digests.hex(forged), "", "unknown-node"));
        extraEntries.add(new RoundJournal.Entry(RoundJournal.REJECTED,
                ("n99\n" + round + "\n1\n" + Digests.hex(forged) + "\nunknown-node").getBytes(StandardCharsets.UTF_8)));
        computeExpected();
    }

    /** Krum with COMMON, f = 1, over 7 nodes of dimension 24, round 7. */
    static RoundFixture krum() {
        return new RoundFixture(7, 7, 24, "krum", "common", 1, 0, 1);
    }

    static byte[] seed(int x) {
        byte[] s = new byte[32];
        Arrays.fill(s, (byte) x);
        return s;
    }

    static byte[] modelFrame(Bfp16Block model, long round, FrameSigner signer) {
        return new Frame(FrameKind.MODEL, SignatureScheme.ED25519, FLEET, GATEWAY, round, round + 1, MODEL_ID, model).encode(signer);
    }

    static byte[] update(NodeCredentials c, long round, long sequence, Bfp16Block block) {
        return new Frame(FrameKind.UPDATE, c.scheme(), FLEET, c.nodeId(), round, sequence, MODEL_ID, block).encode(c.signer());
    }

    void addAccepted(NodeCredentials c, Bfp16Block block, long sequence) {
        byte[] frame = update(c, round, sequence, block);
        accepted.add(frame);
        blockByNode.put(c.nodeId(), block);
        frames.add(new AuditRecord.FrameEntry(c.nodeId(), round, sequence, Digests.hex(frame), Digests.block(block), "accepted"));
    }

    /** The expected results from the accepted frames' blocks, by fixedpoint's reference code. */
    void computeExpected() {
        List<String> ids = new ArrayList<>();
        List<Bfp16Block> blocks = new ArrayList<>();
        for (AuditRecord.FrameEntry e : frames) {
            if (e.accepted()) {
                ids.add(e.node());
            }
        }
        int n = ids.size();
        for (String id : ids) {
            blocks.add(blockByNode.get(id));
        }
        String[] idArray = ids.toArray(new String[0]);
        int[] order = n == 0 ? new int[0] : NodeIds.canonicalOrder(idArray);
        String[] canonIds = new String[n];
        Bfp16Block[] canon = new Bfp16Block[n];
        for (int k = 0; k < n; k++) {
            canonIds[k] = idArray[order[k]];
            canon[k] = blocks.get(order[k]);
        }
        canonicalOrder = List.of(canonIds);
        long quorum = aggregator.equals("mean") ? minUpdates
                : aggregator.equals("krum") ? 2L * f + 3 : Math.max(2L * f + 3, (long) m + 2L * f + 2);
        if (n < quorum) {
            outcome = "failed";
            failure = "below quorum: " + n + " accepted updates";
            scores = new long[0];
            ranking = new int[0];
            selected = new int[0];
            referenceExponent = 0;
            aggregateDigest = "";
            modelAfter = Digests.block(model);
            return;
        }
        Metric met = metric.equals("pairwise") ? Metric.PAIRWISE : Metric.COMMON;
        Bfp16Block aggregate;
        if (aggregator.equals("mean")) {
            scores = new long[0];
            ranking = new int[0];
            selected = new int[n];
            for (int i = 0; i < n; i++) {
                selected[i] = i;
            }
            referenceExponent = 0;
            aggregate = Means.mean(canon);
        } else {
            KrumResult r = aggregator.equals("krum") ? Krum.krum(canon, f, met)
                    : Krum.multiKrum(canon, f, m == 0 ? n - 2 * f - 2 : m, met);
            scores = r.scores();
            ranking = r.ranking();
            selected = r.selected();
            referenceExponent = r.referenceExponent();
            aggregate = r.aggregate();
        }
        outcome = "aggregated";
        failure = "";
        aggregateDigest = Digests.block(aggregate);
        modelAfter = Digests.block(exactSum(model, aggregate));
    }

    /** The model plus the aggregate, summed exactly with BigInteger and encoded by spec section 2 (the test oracle). */
    static Bfp16Block exactSum(Bfp16Block a, Bfp16Block b) {
        return Oracle.exactSum(a, b);
    }

    AuditRecord record() {
        return new AuditRecord(FLEET, GATEWAY, gatewayKey, round, AuditRecord.GENESIS, outcome, failure,
                new AuditRecord.Config(aggregator, metric, f, m, minUpdates, d, MODEL_ID, "default"), Digests.block(model),
                frames, 0, canonicalOrder, scores, ranking, selected, referenceExponent, aggregateDigest, modelAfter,
                List.of(), List.of(), new AuditRecord.Timing(1_000, 2_000, 150, false, 0), true);
    }

    /** The record signed and verified back, as replay receives it. */
    AuditRecord signedRecord() {
        return AuditLog.verify(AuditLog.sign(record(), AuditRecord.GENESIS, gatewaySigner), null);
    }

    List<RoundJournal.Entry> entries() {
        List<RoundJournal.Entry> out = new ArrayList<>();
        out.add(new RoundJournal.Entry(RoundJournal.MODEL, modelFrame));
        for (byte[] a : accepted) {
            out.add(new RoundJournal.Entry(RoundJournal.ACCEPTED, a));
        }
        out.addAll(extraEntries);
        return out;
    }

    RoundJournal.Contents journal() {
        return new RoundJournal.Contents(round, FLEET, entries(), 0);
    }

    Map<String, VerifyingKey> keys() {
        return TestNodes.registry(nodes);
    }
}
