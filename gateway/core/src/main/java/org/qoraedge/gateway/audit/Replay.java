package org.qoraedge.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationResult;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregationSettingsException;
import org.qoraedge.gateway.aggregation.BufferedSettings;
import org.qoraedge.gateway.aggregation.CentralNoiseSettings;
import org.qoraedge.gateway.aggregation.RoundBuffer;
import org.qoraedge.gateway.aggregation.RoundBufferFactory;
import org.qoraedge.gateway.aggregation.RoundClose;
import org.qoraedge.gateway.protocol.ByzantineFraction;
import org.qoraedge.gateway.protocol.Cohort;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameException;
import org.qoraedge.gateway.protocol.FrameHeader;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.ProtocolException;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.qoraedge.gateway.state.RoundJournal;

/**
 * Replays one round: checks that a round's kept frames (its {@link RoundJournal}) are the frames
 * its audit record names, recomputes the round from them with the reference aggregators, and
 * compares every result with the record, bit for bit (docs/AUDIT.md, "Replaying a round").
 *
 * <p>The record must already be verified ({@link AuditLog#verify} or {@link AuditLog#verifyFile}):
 * this class trusts its {@code gatewayKey} to check the model frame's signature. The comparisons,
 * in order (field names as in {@link ReplayCheck#field()}):
 * <ul>
 *   <li>{@code journal.fleet}, {@code journal.round}, {@code journal.complete}: the journal is this
 *       round's and has no torn tail;</li>
 *   <li>{@code modelFrame}: the journal starts with exactly one MODEL frame of this fleet, round,
 *       gateway, model id and dimension; {@code modelFrame.signature}: it verifies with the record's
 *       gateway key; {@code modelBefore}: its block's digest;</li>
 *   <li>{@code frames.accepted}: the journal's accepted frames are exactly the record's accepted
 *       entries, matched by SHA-256 of the whole payload (when the record omitted frames beyond its
 *       cap, up to that many kept frames may be absent from it); {@code frames.header}: each is an
 *       UPDATE of this fleet, round, model id and dimension, from the node and with the sequence the
 *       record names, one per node; {@code frames.blockDigest}; {@code frames.signatures} (only with
 *       node keys);</li>
 *   <li>{@code config}: the record's aggregator, metric, f, m and minUpdates can be run;</li>
 *   <li>{@code cohort}, {@code cohort.f}, {@code cohort.frames} (cohort rounds only): the cohort drawn
 *       again from the record's model digest, round, eligible nodes and size is its expected list, f
 *       is the declared fraction of it, and the frames were sorted by it;</li>
 *   <li>{@code buffered.frames} (buffers of buffered mode only, docs/PROTOCOL.md section 6.3): every
 *       accepted entry names a version in the buffer's window, every {@code stale-update} refusal
 *       one more than {@code maxStaleness} versions behind, at most {@code bufferSize} accepted; the frames' rounds in {@code frames.header}
 *       may be any version in the window, and the weights are recomputed from them (not taken from
 *       the record) and compared in {@code weights};</li>
 *   <li>{@code frames.maxNonZero} (records of rounds with {@code round.maxNonZero} only): no accepted
 *       block has more non-zero coordinates than the recorded bound;</li>
 *   <li>{@code outcome}: the recomputation aggregates exactly when the record says it did (the
 *       quorum of {@link AggregationSettings#quorum()}, then whatever the aggregator or the model
 *       sum refuses);</li>
 *   <li>{@code canonicalOrder}, {@code scores}, {@code ranking}, {@code selected}, {@code kept},
 *       {@code weights} (a weighted round is recomputed with its recorded weights; the reputation fold
 *       checks them against the ledger), {@code deviations} (when the record has them: records written before deviations were measured
 *       have none), {@code referenceExponent}, {@code aggregateDigest}, {@code modelAfter}: for a failed round the
 *       canonical order of the accepted ids, empty scores, ranking and selection, exponent 0, no
 *       aggregate digest and {@code modelAfter} equal to the model before. A round with central
 *       noise ({@code config.centralNoise}, docs/PRIVACY.md) has its noise drawn again when the
 *       operator's secret is given, and {@code modelAfter} compared; without the secret
 *       {@code modelAfter} is not checked and {@link ReplayReport#noiseUnknown()} is set.</li>
 * </ul>
 * Every comparison is made even after a difference (the first one is named by
 * {@link ReplayReport#firstMismatch()}), except that the results are not compared when the
 * outcomes differ. Frames that cannot be parsed are left out of the recomputation. Pure: no I/O, no
 * logging; thread-safe.
 */
public final class Replay {
    /** Arrays longer than this are shown by their length and digest instead of every value. */
    static final int SHOWN_VALUES = 16;
    private static final int SHOWN_FRAMES = 3;
    private static final HexFormat HEX = HexFormat.of();

    private Replay() {
    }

    /** {@link #replay(AuditRecord, RoundJournal.Contents, Map)} without node keys: frame signatures are not checked. */
    public static ReplayReport replay(AuditRecord record, RoundJournal.Contents journal) {
        return replay(record, journal, null);
    }

    /**
     * Replays the round of {@code record} from {@code journal}.
     *
     * @param record a verified audit record
     * @param journal the round's journal as read by {@link RoundJournal#read}
     * @param nodeKeys node id to verifying key (the gateway's key registry); null not to check the
     *     update frames' signatures
     * @return every comparison; never throws for bad frames or a bad record, it reports them
     */
    public static ReplayReport replay(AuditRecord record, RoundJournal.Contents journal, Map<String, VerifyingKey> nodeKeys) {
        return replay(record, journal, nodeKeys, null);
    }

    /**
     * Replays the round of {@code record} from {@code journal} with centered clipping's reference
     * block: the previous round's aggregate as its own replay computed it, null for the zero block
     * (the first round, or after a failed round). A record that names a reference digest is
     * compared with this block's ({@code reference}).
     */
    public static ReplayReport replay(AuditRecord record, RoundJournal.Contents journal, Map<String, VerifyingKey> nodeKeys,
            Bfp16Block reference) {
        return replay(record, journal, nodeKeys, reference, null);
    }

    /**
     * {@link #replay(AuditRecord, RoundJournal.Contents, Map, Bfp16Block)} with the operator's central
     * noise secret (docs/PRIVACY.md): for a record with {@code config.centralNoise}, the noise is drawn
     * again from it and {@code modelAfter} compared; without it ({@code null}) everything up to the
     * aggregate is compared, {@code modelAfter} is not checked and the report says the noise is unknown.
     */
    public static ReplayReport replay(AuditRecord record, RoundJournal.Contents journal, Map<String, VerifyingKey> nodeKeys,
            Bfp16Block reference, byte[] centralSecret) {
        List<ReplayCheck> out = new ArrayList<>();
        AuditRecord.Config cfg = record.config();
        out.add(ReplayCheck.compare("journal.fleet", record.fleet(), journal.fleet(), "the journal belongs to another fleet"));
        out.add(ReplayCheck.compare("journal.round", Long.toString(record.round()), Long.toString(journal.round()),
                "the journal belongs to another round"));
        out.add(ReplayCheck.compare("journal.complete", "0 torn bytes", journal.tornBytes() + " torn bytes",
                "the journal's last entry is cut short or fails its checksum"));
        long maxBytes = Frame.maxUpdateSize(Math.max(1, cfg.dimension()));

        Bfp16Block model = modelFrame(record, journal, maxBytes, out);
        List<Kept> usable = acceptedFrames(record, journal, maxBytes, nodeKeys, out);

        AggregationSettings settings;
        try {
            // A buffer's rule is a pipeline (buffered mode weights its updates), also when its line is "mean".
            settings = cfg.buffered() != null ? AggregationSettings.pipeline(PipelineSpec.parse(cfg.aggregator()), cfg.minUpdates())
                    : AggregationSettings.of(cfg.aggregator(), cfg.metric(), cfg.f(), cfg.m(), cfg.minUpdates());
        } catch (AggregationSettingsException | FixedPointException e) {
            out.add(new ReplayCheck("config", ReplayCheck.Status.MISMATCH, describe(cfg), "cannot be run",
                    e.getMessage()));
            out.add(ReplayCheck.notChecked("outcome", "the configuration cannot be run"));
            return new ReplayReport(record.round(), record.outcome(), "not replayed", "", out);
        }
        CentralNoiseSettings noise = null;
        if (cfg.centralNoise() != null && centralSecret != null) {
            try {
                noise = CentralNoiseSettings.of(cfg.centralNoise().sigma2(), centralSecret);
            } catch (FixedPointException e) {
                out.add(new ReplayCheck("config", ReplayCheck.Status.MISMATCH, describe(cfg), "cannot be run", e.getMessage()));
                out.add(ReplayCheck.notChecked("outcome", "the configuration cannot be run"));
                return new ReplayReport(record.round(), record.outcome(), "not replayed", "", out);
            }
        }
        out.add(ReplayCheck.compare("config", describe(cfg), describe(cfg), ""));
        if (cfg.cohort() != null) {
            cohort(record, settings, out);
        }
        if (cfg.buffered() != null) {
            buffered(record, out);
        }
        if (cfg.maxNonZero() > 0) {
            maxNonZero(cfg.maxNonZero(), usable, out);
        }
        if (!record.referenceDigest().isEmpty() || settings.usesReference()) {
            String given = RoundClose.referenceDigest(reference, Math.max(1, cfg.dimension()));
            out.add(ReplayCheck.compare("reference", record.referenceDigest(), given,
                    "centered clipping's reference: the previous round's aggregate (the zero block after a failed round or"
                            + " before the first); replay the rounds in order to know it"));
        }

        RoundClose.Outcome re = recompute(record, settings, usable, model, reference, noise);
        boolean noiseUnknown = cfg.centralNoise() != null && noise == null;
        String replayedOutcome = re.aggregated() ? "aggregated" : "failed";
        out.add(ReplayCheck.compare("outcome", record.outcome(), replayedOutcome,
                (record.failure().isEmpty() ? "" : "recorded failure: " + record.failure())
                        + (record.failure().isEmpty() || re.aggregated() ? "" : "; ")
                        + (re.aggregated() ? "" : "replayed failure: " + re.failure())));
        if (!record.outcome().equals(replayedOutcome)) {
            for (String f : new String[] {"canonicalOrder", "scores", "ranking", "selected", "referenceExponent",
                "aggregateDigest", "modelAfter"}) {
                out.add(ReplayCheck.notChecked(f, "the outcomes differ"));
            }
        } else {
            results(record, re, model, noiseUnknown, out);
        }
        return new ReplayReport(record.round(), record.outcome(), replayedOutcome, re.failure(), out,
                noiseUnknown ? null : re.nextReference(), noiseUnknown && re.aggregated());
    }

    // ---------------------------------------------------------------------------------------------
    // Buffered mode

    /** A buffer's {@code buffered.frames} check (see the class comment). */
    private static void buffered(AuditRecord r, List<ReplayCheck> out) {
        long oldest = r.round() - r.config().buffered().maxStaleness();
        List<String> wrong = new ArrayList<>();
        for (AuditRecord.FrameEntry e : r.frames()) {
            if (e.accepted() && (e.round() > r.round() || e.round() < oldest)) {
                wrong.add(NodeIds.escape(e.node()) + " accepted from version " + e.round());
            } else if (e.status().equals(RejectReason.STALE_UPDATE.wireName()) && e.round() >= oldest) {
                wrong.add(NodeIds.escape(e.node()) + " refused as stale-update from version " + e.round());
            }
        }
        long accepted = r.frames().stream().filter(AuditRecord.FrameEntry::accepted).count();
        if (accepted > r.config().buffered().bufferSize()) {
            wrong.add(accepted + " accepted frames in a buffer of " + r.config().buffered().bufferSize());
        }
        String window = "every frame sorted by the window " + oldest + " .. " + r.round() + ", at most "
                + r.config().buffered().bufferSize() + " accepted";
        out.add(wrong.isEmpty() ? ReplayCheck.compare("buffered.frames", window, window, "")
                : new ReplayCheck("buffered.frames", ReplayCheck.Status.MISMATCH, window, wrong.size() + " frames sorted otherwise",
                        firstFew(wrong)));
    }


    /** {@code frames.maxNonZero}: no accepted block has more non-zero coordinates than the record's bound. */
    private static void maxNonZero(int bound, List<Kept> usable, List<ReplayCheck> out) {
        List<String> over = new ArrayList<>();
        for (Kept k : usable) {
            int n = k.block.nonZeroCount();
            if (n > bound) {
                over.add(k.name() + " has " + n);
            }
        }
        String want = "every accepted block with at most " + bound + " non-zero coordinates";
        out.add(over.isEmpty() ? ReplayCheck.compare("frames.maxNonZero", want, want, "")
                : new ReplayCheck("frames.maxNonZero", ReplayCheck.Status.MISMATCH, want, over.size() + " blocks have more",
                        firstFew(over)));
    }

    // ---------------------------------------------------------------------------------------------
    // The cohort

    /**
     * A cohort round's checks: {@code cohort} (the cohort drawn again from the record's model digest,
     * round, eligible nodes and size is the record's {@code config.expected}), {@code cohort.f} (with a
     * declared fraction: f is {@code floor(fraction * cohort size)}, and the rule's f when it has one),
     * {@code cohort.frames} (every accepted frame is from a member, every {@code not-in-cohort} refusal
     * from a node outside it).
     */
    private static void cohort(AuditRecord r, AggregationSettings settings, List<ReplayCheck> out) {
        AuditRecord.CohortInputs c = r.config().cohort();
        List<String> drawn;
        try {
            drawn = c.eligible().isEmpty() ? List.of() : Cohort.select(r.modelBefore(), r.round(), c.eligible(), c.size());
        } catch (ProtocolException | FixedPointException e) {
            out.add(new ReplayCheck("cohort", ReplayCheck.Status.MISMATCH, showStrings(r.config().expected()), "cannot be drawn",
                    e.getMessage()));
            return;
        }
        out.add(strings("cohort", r.config().expected(), drawn));
        if (!c.byzantineFraction().isEmpty()) {
            String replayed;
            try {
                int f = ByzantineFraction.parse(c.byzantineFraction()).of(drawn.size());
                replayed = "f " + f + (settings.pipeline() == null ? ", rule f " + settings.f() : "");
            } catch (ProtocolException e) {
                replayed = "cannot be read: " + e.getMessage();
            }
            String recorded = "f " + c.f() + (settings.pipeline() == null ? ", rule f " + c.f() : "");
            out.add(ReplayCheck.compare("cohort.f", recorded, replayed,
                    "f = floor(" + c.byzantineFraction() + " * " + drawn.size() + ") and the rule's f must equal it"));
        }
        Set<String> members = new HashSet<>(drawn);
        List<String> wrong = new ArrayList<>();
        for (AuditRecord.FrameEntry e : r.frames()) {
            boolean member = members.contains(e.node());
            if (e.accepted() && !member) {
                wrong.add(NodeIds.escape(e.node()) + " accepted outside the cohort");
            } else if (e.status().equals(RejectReason.NOT_IN_COHORT.wireName()) && member) {
                wrong.add(NodeIds.escape(e.node()) + " refused as not-in-cohort but in it");
            }
        }
        out.add(wrong.isEmpty() ? ReplayCheck.compare("cohort.frames", "every frame sorted by the cohort",
                "every frame sorted by the cohort", "")
                : new ReplayCheck("cohort.frames", ReplayCheck.Status.MISMATCH, "every frame sorted by the cohort",
                        wrong.size() + " frames not", "first: " + wrong.get(0)));
    }

    // ---------------------------------------------------------------------------------------------
    // The model frame

    private static Bfp16Block modelFrame(AuditRecord r, RoundJournal.Contents j, long maxBytes, List<ReplayCheck> out) {
        AuditRecord.Config cfg = r.config();
        String expected = describeFrame(FrameKind.MODEL.name(), r.fleet(), r.round(), cfg.modelId(), cfg.dimension())
                + " from " + r.gatewayId();
        int models = 0;
        for (RoundJournal.Entry e : j.entries()) {
            if (e.type() == RoundJournal.MODEL) {
                models++;
            }
        }
        String problem = null;
        FrameHeader h = null;
        if (j.entries().isEmpty()) {
            problem = "no entries";
        } else if (models != 1 || j.entries().get(0).type() != RoundJournal.MODEL) {
            problem = models + " model entries, the first entry is " + entryName(j.entries().get(0).type());
        } else {
            try {
                h = FrameCodec.parseHeader(j.entries().get(0).payload(), maxBytes);
            } catch (FrameException e) {
                problem = "unreadable: " + e.getMessage();
            }
        }
        if (h == null) {
            out.add(new ReplayCheck("modelFrame", ReplayCheck.Status.MISMATCH, expected, problem,
                    "the journal must start with exactly one model frame"));
            out.add(ReplayCheck.notChecked("modelFrame.signature", "no usable model frame"));
            out.add(new ReplayCheck("modelBefore", ReplayCheck.Status.MISMATCH, r.modelBefore(), "(no usable model frame)", ""));
            return null;
        }
        String actual = describeFrame(h.kind().name(), h.fleet(), h.round(), h.modelId(), h.dimension()) + " from " + h.nodeId();
        out.add(ReplayCheck.compare("modelFrame", expected, actual, "the journal's model frame is not the one this round announced"));
        VerifyingKey gatewayKey;
        try {
            gatewayKey = VerifyingKey.ed25519(HEX.parseHex(r.gatewayKey()));
        } catch (IllegalArgumentException | ProtocolException e) {
            gatewayKey = null;
        }
        String expectedSig = "valid (Ed25519, gateway key " + r.gatewayKey() + ")";
        if (gatewayKey == null) {
            out.add(new ReplayCheck("modelFrame.signature", ReplayCheck.Status.MISMATCH, expectedSig, "unchecked",
                    "the record's gateway key is not an Ed25519 public key"));
        } else {
            boolean ok = h.signatureValid(gatewayKey);
            out.add(new ReplayCheck("modelFrame.signature", ok ? ReplayCheck.Status.MATCH : ReplayCheck.Status.MISMATCH,
                    expectedSig, ok ? expectedSig : "invalid (" + h.scheme() + ")",
                    ok ? "" : "the model frame was not signed by the gateway that signed the record, or was altered"));
        }
        Bfp16Block block;
        try {
            block = h.block();
        } catch (FrameException e) {
            out.add(new ReplayCheck("modelBefore", ReplayCheck.Status.MISMATCH, r.modelBefore(), "(no block)", e.getMessage()));
            return null;
        }
        out.add(ReplayCheck.compare("modelBefore", r.modelBefore(), Digests.block(block),
                "the model frame holds another model than the one the record names"));
        return block;
    }

    // ---------------------------------------------------------------------------------------------
    // The accepted frames

    /** One accepted frame of the journal: its digest, header and block, or why it could not be read. */
    private static final class Kept {
        final int entry;
        final String digest;
        FrameHeader header;
        Bfp16Block block;
        String problem;
        AuditRecord.FrameEntry recorded;

        Kept(int entry, String digest) {
            this.entry = entry;
            this.digest = digest;
        }

        String name() {
            String who = header != null ? header.nodeId() + " seq " + header.sequence() : "journal entry " + entry;
            return who + " (frame " + digest.substring(0, 16) + ")";
        }
    }

    private static List<Kept> acceptedFrames(AuditRecord r, RoundJournal.Contents j, long maxBytes,
            Map<String, VerifyingKey> nodeKeys, List<ReplayCheck> out) {
        AuditRecord.Config cfg = r.config();
        List<Kept> kept = new ArrayList<>();
        List<RoundJournal.Entry> entries = j.entries();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).type() != RoundJournal.ACCEPTED) {
                continue;
            }
            byte[] payload = entries.get(i).payload();
            Kept k = new Kept(i, Digests.hex(payload));
            try {
                k.header = FrameCodec.parseHeader(payload, maxBytes);
                k.block = k.header.block();
            } catch (FrameException e) {
                k.problem = e.getMessage();
            }
            kept.add(k);
        }

        // Match the kept frames with the record's accepted entries by the digest of the whole payload.
        Map<String, Deque<AuditRecord.FrameEntry>> byDigest = new LinkedHashMap<>();
        int recordedCount = 0;
        for (AuditRecord.FrameEntry e : r.frames()) {
            if (e.accepted()) {
                byDigest.computeIfAbsent(e.frameDigest(), x -> new ArrayDeque<>()).add(e);
                recordedCount++;
            }
        }
        List<Kept> extra = new ArrayList<>();
        for (Kept k : kept) {
            Deque<AuditRecord.FrameEntry> q = byDigest.get(k.digest);
            if (q != null && !q.isEmpty()) {
                k.recorded = q.poll();
            } else {
                extra.add(k);
            }
        }
        List<AuditRecord.FrameEntry> missing = new ArrayList<>();
        byDigest.values().forEach(missing::addAll);
        boolean omittedExplains = r.framesOmitted() > 0 && extra.size() <= r.framesOmitted();
        String recordedFrames = recordedCount + " frames" + (r.framesOmitted() > 0 ? " (+ " + r.framesOmitted()
                + " frames beyond the record's cap)" : "");
        if (missing.isEmpty() && (extra.isEmpty() || omittedExplains)) {
            out.add(new ReplayCheck("frames.accepted", ReplayCheck.Status.MATCH, recordedFrames, kept.size() + " frames",
                    extra.isEmpty() ? "" : extra.size() + " kept frames lie beyond the record's cap"));
        } else {
            List<String> why = new ArrayList<>();
            if (!missing.isEmpty()) {
                List<String> names = new ArrayList<>();
                for (AuditRecord.FrameEntry e : missing) {
                    names.add(e.node() + " seq " + e.sequence() + " (frame " + shortDigest(e.frameDigest()) + ")");
                }
                why.add(missing.size() + " recorded frames missing from the journal: " + firstFew(names));
            }
            if (!extra.isEmpty()) {
                List<String> names = new ArrayList<>();
                for (Kept k : extra) {
                    names.add(k.name());
                }
                why.add(extra.size() + " kept frames not in the record: " + firstFew(names));
            }
            out.add(new ReplayCheck("frames.accepted", ReplayCheck.Status.MISMATCH, recordedFrames,
                    kept.size() + " frames (" + missing.size() + " missing, " + extra.size() + " not recorded)",
                    String.join("; ", why)));
        }

        // Each frame is an update of this round, from the node and with the sequence the record names.
        List<String[]> headerIssues = new ArrayList<>(); // {expected, actual, where}
        Map<String, Integer> perNode = new HashMap<>();
        for (Kept k : kept) {
            String expected = describeFrame(FrameKind.UPDATE.name(), r.fleet(), updateRound(r, k.header), cfg.modelId(),
                    cfg.dimension());
            if (k.recorded != null) {
                expected += " from " + k.recorded.node() + " seq " + k.recorded.sequence();
            }
            if (k.header == null) {
                headerIssues.add(new String[] {expected, "unreadable: " + k.problem, k.name()});
                continue;
            }
            FrameHeader h = k.header;
            String actual = describeFrame(h.kind().isUpdate() ? FrameKind.UPDATE.name() : h.kind().name(), h.fleet(), h.round(),
                    h.modelId(), h.dimension());
            if (k.recorded != null) {
                actual += " from " + h.nodeId() + " seq " + h.sequence();
            }
            if (!expected.equals(actual)) {
                headerIssues.add(new String[] {expected, actual, k.name()});
            } else if (k.recorded != null && k.recorded.round() != h.round()) {
                headerIssues.add(new String[] {"round " + h.round(), "round " + k.recorded.round() + " in the record's entry",
                    k.name()});
            } else if (k.problem != null) {
                headerIssues.add(new String[] {expected, "block refused: " + k.problem, k.name()});
            }
            perNode.merge(h.nodeId(), 1, Integer::sum);
        }
        for (Map.Entry<String, Integer> e : perNode.entrySet()) {
            if (e.getValue() > 1) {
                headerIssues.add(new String[] {"one accepted frame per node", e.getValue() + " from " + e.getKey(), e.getKey()});
            }
        }
        String expectedAll = kept.size() + " frames: " + describeFrame(FrameKind.UPDATE.name(), r.fleet(), r.round(),
                cfg.modelId(), cfg.dimension()) + ", one per node, as recorded";
        if (headerIssues.isEmpty()) {
            out.add(new ReplayCheck("frames.header", ReplayCheck.Status.MATCH, expectedAll, expectedAll, ""));
        } else {
            String[] first = headerIssues.get(0);
            out.add(new ReplayCheck("frames.header", ReplayCheck.Status.MISMATCH, first[0], first[1],
                    "first: " + first[2] + "; " + headerIssues.size() + " problems in " + kept.size() + " frames"));
        }

        // Block digests of the matched frames.
        int compared = 0;
        List<String[]> blockIssues = new ArrayList<>();
        for (Kept k : kept) {
            if (k.recorded == null || k.block == null) {
                continue;
            }
            compared++;
            String got = Digests.block(k.block);
            if (!got.equals(k.recorded.blockDigest())) {
                blockIssues.add(new String[] {k.recorded.blockDigest(), got, k.name()});
            }
        }
        if (blockIssues.isEmpty()) {
            out.add(new ReplayCheck("frames.blockDigest", ReplayCheck.Status.MATCH, compared + " block digests",
                    compared + " block digests", ""));
        } else {
            String[] first = blockIssues.get(0);
            out.add(new ReplayCheck("frames.blockDigest", ReplayCheck.Status.MISMATCH, first[0], first[1],
                    "first: " + first[2] + "; " + blockIssues.size() + " of " + compared + " differ"));
        }

        // Signatures, with the node keys.
        if (nodeKeys == null) {
            out.add(ReplayCheck.notChecked("frames.signatures", "no node keys given"));
        } else {
            List<String> bad = new ArrayList<>();
            int checked = 0;
            for (Kept k : kept) {
                if (k.header == null) {
                    continue;
                }
                checked++;
                VerifyingKey key = nodeKeys.get(k.header.nodeId());
                if (key == null) {
                    bad.add(k.name() + ": no key for node " + k.header.nodeId());
                } else if (!k.header.signatureValid(key)) {
                    bad.add(k.name() + ": does not verify with the node's " + key.scheme() + " key");
                }
            }
            String all = checked + " signatures valid";
            out.add(bad.isEmpty() ? new ReplayCheck("frames.signatures", ReplayCheck.Status.MATCH, all, all, "")
                    : new ReplayCheck("frames.signatures", ReplayCheck.Status.MISMATCH, all,
                            (checked - bad.size()) + " signatures valid", bad.size() + " fail; first: " + bad.get(0)));
        }

        List<Kept> usable = new ArrayList<>();
        for (Kept k : kept) {
            if (k.block != null) {
                usable.add(k);
            }
        }
        return usable;
    }

    // ---------------------------------------------------------------------------------------------
    // Recomputation

    private static RoundClose.Outcome recompute(AuditRecord r, AggregationSettings settings, List<Kept> usable, Bfp16Block model,
            Bfp16Block reference, CentralNoiseSettings noise) {
        RoundBuffer buffer = RoundBufferFactory.reference().open(r.round(), r.config().dimension(), settings);
        List<String> ids = new ArrayList<>(usable.size());
        for (Kept k : usable) {
            ids.add(k.header.nodeId());
            buffer.add(k.header.nodeId(), k.block);
        }
        ToLongFunction<String> weights = null;
        AuditRecord.BufferedInputs b = r.config().buffered();
        if (b != null) {
            // A buffer: each update's staleness weight from the version its signed frame names, not from the record.
            Map<String, Long> byId = new HashMap<>();
            for (Kept k : usable) {
                long staleness = r.round() - k.header.round();
                // A frame outside the window was reported by frames.header; the rule refuses its weight 0.
                byId.put(k.header.nodeId(), staleness < 0 || staleness > b.maxStaleness() || b.maxStaleness() > 62
                        ? 0L : 1L << (b.maxStaleness() - staleness));
            }
            weights = id -> byId.getOrDefault(id, 0L);
        } else if (r.weights().length != 0 && settings.whyNotWeighted().isEmpty()) {
            // (Weights recorded for a rule that cannot take them: recomputed unweighted, so that weights differs.)
            // The recorded weights, by the recorded canonical order; ReputationReplay checks them against the ledger.
            Map<String, Long> byId = new HashMap<>();
            long[] w = r.weights();
            List<String> order = r.canonicalOrder();
            for (int k = 0; k < Math.min(w.length, order.size()); k++) {
                byId.put(order.get(k), w[k]);
            }
            weights = id -> byId.getOrDefault(id, 0L); // an update without a recorded weight: the rule refuses 0
        }
        int stepShift = b == null ? 0 : b.serverStepShift();
        if (stepShift < 0 || stepShift > BufferedSettings.MAX_SERVER_STEP_SHIFT) {
            return RoundClose.failed(ids, model, "the record's serverStepShift " + stepShift + " is outside 0.."
                    + BufferedSettings.MAX_SERVER_STEP_SHIFT);
        }
        return RoundClose.close(settings, buffer, ids, model, reference, weights, stepShift,
                noise == null ? null : aggregate -> noise.apply(r.round(), aggregate));
    }

    private static void results(AuditRecord r, RoundClose.Outcome re, Bfp16Block model, boolean noiseUnknown,
            List<ReplayCheck> out) {
        String noModel = "(no usable model frame)";
        AggregationResult a = re.result();
        out.add(strings("canonicalOrder", r.canonicalOrder(), re.acceptedIds()));
        if (a == null) {
            // A failed round: nothing computed, the model unchanged.
            out.add(longs("scores", r.scores(), new long[0], null));
            out.add(ints("ranking", r.ranking(), new int[0]));
            out.add(ints("selected", r.selected(), new int[0]));
            out.add(ReplayCheck.compare("referenceExponent", Integer.toString(r.referenceExponent()), "0", ""));
            out.add(ReplayCheck.compare("aggregateDigest", r.aggregateDigest(), "", "a failed round has no aggregate"));
            out.add(ReplayCheck.compare("modelAfter", r.modelAfter(), model == null ? noModel : Digests.block(model),
                    "a failed round leaves the model unchanged"));
            return;
        }
        String[] ids = a.canonicalIds();
        out.add(longs("scores", r.scores(), a.scores(), ids));
        out.add(ints("ranking", r.ranking(), a.ranking()));
        out.add(ints("selected", r.selected(), a.selected()));
        if (!r.kept().isEmpty() || !a.kept().isEmpty()) {
            out.add(ReplayCheck.compare("kept", showKept(r.kept()), showKept(a.kept()), "what each norm screen kept"));
        }
        if (r.weights().length != 0 || a.weights().length != 0) {
            out.add(longs("weights", r.weights(), a.weights(), ids));
        }
        if (r.deviations().length != 0 || a.deviations().length == 0) {
            out.add(longs("deviations", r.deviations(), a.deviations(), ids));
        } else {
            out.add(ReplayCheck.notChecked("deviations", "the record has none: written before the gateway measured deviations"
                    + " (its reputation folded these rounds as not measured)"));
        }
        out.add(ReplayCheck.compare("referenceExponent", Integer.toString(r.referenceExponent()),
                Integer.toString(a.referenceExponent()), ""));
        out.add(ReplayCheck.compare("aggregateDigest", r.aggregateDigest(), a.aggregateDigest(), ""));
        if (noiseUnknown) {
            out.add(ReplayCheck.notChecked("modelAfter", "the model after includes central noise (sigma^2 = "
                    + r.config().centralNoise().sigma2() + ") drawn from the operator's secret; replay with the secret to check it"));
            return;
        }
        out.add(ReplayCheck.compare("modelAfter", r.modelAfter(), re.modelAfter() == null ? noModel : Digests.block(re.modelAfter()),
                "the model before plus the aggregate"));
    }

    // ---------------------------------------------------------------------------------------------
    // Formatting

    private static ReplayCheck longs(String field, long[] recorded, long[] replayed, String[] ids) {
        if (Arrays.equals(recorded, replayed)) {
            return new ReplayCheck(field, ReplayCheck.Status.MATCH, showLongs(recorded), showLongs(recorded), "");
        }
        int i = firstDifference(recorded.length, replayed.length, k -> recorded[k] == replayed[k]);
        String note = i < 0 ? lengths(recorded.length, replayed.length)
                : "first difference at index " + i + (ids != null && i < ids.length ? " (" + ids[i] + ")" : "") + ": recorded "
                        + recorded[i] + ", replayed " + replayed[i];
        return new ReplayCheck(field, ReplayCheck.Status.MISMATCH, showLongs(recorded), showLongs(replayed), note);
    }

    private static ReplayCheck ints(String field, int[] recorded, int[] replayed) {
        if (Arrays.equals(recorded, replayed)) {
            return new ReplayCheck(field, ReplayCheck.Status.MATCH, showInts(recorded), showInts(recorded), "");
        }
        int i = firstDifference(recorded.length, replayed.length, k -> recorded[k] == replayed[k]);
        String note = i < 0 ? lengths(recorded.length, replayed.length)
                : "first difference at position " + i + ": recorded " + recorded[i] + ", replayed " + replayed[i];
        return new ReplayCheck(field, ReplayCheck.Status.MISMATCH, showInts(recorded), showInts(replayed), note);
    }

    private static ReplayCheck strings(String field, List<String> recorded, List<String> replayed) {
        if (recorded.equals(replayed)) {
            return new ReplayCheck(field, ReplayCheck.Status.MATCH, showStrings(recorded), showStrings(recorded), "");
        }
        int i = firstDifference(recorded.size(), replayed.size(), k -> recorded.get(k).equals(replayed.get(k)));
        String note = i < 0 ? lengths(recorded.size(), replayed.size())
                : "first difference at index " + i + ": recorded " + NodeIds.escape(recorded.get(i)) + ", replayed "
                        + NodeIds.escape(replayed.get(i));
        return new ReplayCheck(field, ReplayCheck.Status.MISMATCH, showStrings(recorded), showStrings(replayed), note);
    }

    private interface Same {
        boolean at(int k);
    }

    /** The first index where the two differ within the shorter length, or -1 when one is a prefix of the other. */
    private static int firstDifference(int a, int b, Same same) {
        for (int k = 0; k < Math.min(a, b); k++) {
            if (!same.at(k)) {
                return k;
            }
        }
        return -1;
    }

    private static String lengths(int recorded, int replayed) {
        return "recorded " + recorded + " values, replayed " + replayed;
    }

    private static String showLongs(long[] v) {
        return v.length <= SHOWN_VALUES ? Arrays.toString(v)
                : "[" + v.length + " values, SHA-256 " + shortDigest(Digests.scores(v)) + "]";
    }

    private static String showInts(int[] v) {
        return v.length <= SHOWN_VALUES ? Arrays.toString(v)
                : "[" + v.length + " values, SHA-256 " + shortDigest(Digests.indices(v)) + "]";
    }

    private static String showStrings(List<String> v) {
        if (v.size() <= SHOWN_VALUES) {
            return v.toString();
        }
        return "[" + v.size() + " ids, SHA-256 " + shortDigest(Digests.hex(String.join("\n", v).getBytes(StandardCharsets.UTF_8)))
                + "]";
    }

    private static String showKept(List<int[]> kept) {
        List<String> parts = new ArrayList<>();
        for (int[] k : kept) {
            parts.add(showInts(k));
        }
        return parts.toString();
    }

    private static String shortDigest(String hex) {
        return hex.length() > 16 ? hex.substring(0, 16) : hex;
    }

    private static String firstFew(List<String> names) {
        return names.size() <= SHOWN_FRAMES ? String.join(", ", names)
                : String.join(", ", names.subList(0, SHOWN_FRAMES)) + ", ...";
    }

    /**
     * The round an accepted update must name: the record's round, or in a buffer of buffered mode the
     * version the frame names when it lies in the buffer's window {@code round - maxStaleness .. round}
     * (docs/PROTOCOL.md section 6.3).
     */
    private static long updateRound(AuditRecord r, FrameHeader h) {
        AuditRecord.BufferedInputs b = r.config().buffered();
        if (b == null || h == null || h.round() > r.round() || r.round() - h.round() > b.maxStaleness()) {
            return r.round();
        }
        return h.round();
    }

    private static String describeFrame(String kind, String fleet, long round, String modelId, int dimension) {
        return kind + " of fleet " + fleet + " round " + round + " model " + modelId + " d " + dimension;
    }

    private static String describe(AuditRecord.Config c) {
        return c.aggregator() + " metric " + c.metric() + " f " + c.f() + " m " + c.m() + " minUpdates " + c.minUpdates()
                + " d " + c.dimension() + (c.centralNoise() == null ? "" : " central noise sigma^2 " + c.centralNoise().sigma2())
                + (c.maxNonZero() == 0 ? "" : " maxNonZero " + c.maxNonZero());
    }

    private static String entryName(byte type) {
        switch (type) {
            case RoundJournal.MODEL:
                return "a model frame";
            case RoundJournal.ACCEPTED:
                return "an accepted frame";
            case RoundJournal.REJECTED:
                return "a rejection";
            default:
                return "a restart";
        }
    }
}
