package org.qoraedge.crosscheck.replay;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.gateway.aggregation.CentralNoiseSettings;
import org.qoraedge.gateway.audit.AuditException;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayCheck;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.audit.ReputationReplay;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.ProtocolException;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cross-check replay AUDIT_LOG [FRAMES...]}: verifies a gateway's audit log (every signature,
 * the hash chain, increasing rounds) and replays every round whose kept frames (round journals) are
 * at hand, on this machine, comparing every recorded result bit for bit ({@link Replay}).
 *
 * <p>Journals are indexed by the round in their header and read one round at a time, so a state
 * directory with many kept rounds is never held in memory at once.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Verifies a gateway's audit log (signatures, hash chain) and recomputes every recorded round "
            + "whose frames were kept, comparing canonical order, scores, ranking, selection, aggregate and model "
            + "digests bit for bit.",
            "FRAMES are round journals or directories of them (default: the rounds/ directory next to AUDIT_LOG)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the log verified and every replayed round matched",
            "1:a signature, the chain or a replayed round failed (the line, round and field are named)",
            "2:usage error or unreadable input"})
public final class ReplayCommand implements Callable<Integer> {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    private static final HexFormat HEX = HexFormat.of();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "AUDIT_LOG", description = "The gateway's audit log (<state dir>/audit.log).")
    Path auditLog;

    @Parameters(index = "1..*", paramLabel = "FRAMES",
            description = "Round journal files (<round>.journal) or directories of them.")
    List<Path> frames = new ArrayList<>();

    @Option(names = "--round", paramLabel = "N", description = "Replay only this round (repeatable); the whole chain is still verified.")
    List<Long> rounds = new ArrayList<>();

    @Option(names = "--gateway-key", paramLabel = "HEX",
            description = "The gateway's Ed25519 public key (64 hex digits): every record must be signed by it. "
                    + "Without it the log is checked against the key its first record names.")
    String gatewayKey;

    @Option(names = "--keys", paramLabel = "KEYFILE",
            description = "The gateway's node key registry: also verify every kept update frame's signature.")
    Path keys;

    @Option(names = "--central-secret", paramLabel = "FILE",
            description = "The operator's central noise secret (hex, as the gateway's privacy.central.secretFile): draw "
                    + "the noise of rounds with central noise again and check their model after. Without it those rounds' "
                    + "model after is not checked, and a centered-clipping round after one is not replayed.")
    Path centralSecret;

    @Option(names = "--details", description = "Print every comparison of every replayed round, not only the differences.")
    boolean details;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the result as JSON here.")
    Path json;

    /** A usage error or unreadable input: reported on stderr, exit 2. */
    private static final class UsageProblem extends Exception {
        private static final long serialVersionUID = 1L;

        UsageProblem(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JsonObject result = new JsonObject();
        result.addProperty("auditLog", auditLog.toString());
        int code;
        try {
            code = replay(out, result);
        } catch (UsageProblem e) {
            err.println("replay: " + e.getMessage());
            result.addProperty("error", e.getMessage());
            code = USAGE;
        }
        out.flush();
        result.addProperty("exitCode", code);
        if (json != null) {
            try {
                Path parent = json.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(json, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(result)
                        + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("replay: cannot write " + json + ": " + e.getMessage());
                return USAGE;
            }
        }
        return code;
    }

    private int replay(PrintWriter out, JsonObject result) throws UsageProblem {
        byte[] pinned = pinnedKey();
        if (!Files.isRegularFile(auditLog) || !Files.isReadable(auditLog)) {
            throw new UsageProblem("cannot read the audit log " + auditLog + " (no such readable file)");
        }
        Map<String, VerifyingKey> nodeKeys = nodeKeys();
        Map<Long, Path> journals = indexJournals();
        byte[] secret = centralSecret();

        AuditLog.Verified log;
        try {
            log = AuditLog.verifyFile(auditLog, pinned);
        } catch (IOException e) {
            throw new UsageProblem("cannot read the audit log " + auditLog + ": " + e.getMessage());
        } catch (AuditException e) {
            out.println("audit log: VERIFICATION FAILED: " + e.getMessage());
            out.println("replay: FAILED (the log does not verify; no round was replayed)");
            result.addProperty("verified", false);
            result.addProperty("verificationError", e.getMessage());
            return FAILED;
        }
        List<AuditRecord> records = log.records();
        result.addProperty("verified", true);
        result.addProperty("records", records.size());
        result.addProperty("head", log.head());
        String key = records.isEmpty() ? (pinned == null ? "" : HEX.formatHex(pinned)) : records.get(0).gatewayKey();
        result.addProperty("gatewayKey", key);
        result.addProperty("pinned", pinned != null);
        if (records.isEmpty()) {
            out.println("audit log: " + auditLog + ": no records");
        } else {
            out.println("audit log: " + auditLog + ": " + records.size() + " records (rounds " + records.get(0).round() + " to "
                    + records.get(records.size() - 1).round() + "), signatures and chain verified, head " + log.head());
            out.println("gateway key: " + key + (pinned != null ? " (pinned)"
                    : " (not pinned: pass --gateway-key to check that this is your gateway's key)"));
        }

        Set<Long> wanted = new LinkedHashSet<>(rounds);
        Set<Long> present = new LinkedHashSet<>();
        for (AuditRecord r : records) {
            present.add(r.round());
        }
        for (long n : wanted) {
            if (!present.contains(n)) {
                throw new UsageProblem("round " + n + " is not in the audit log"
                        + (records.isEmpty() ? "" : " (rounds " + records.get(0).round() + " to "
                                + records.get(records.size() - 1).round() + ")"));
            }
        }

        JsonArray roundsJson = new JsonArray();
        int replayed = 0;
        int matched = 0;
        int mismatched = 0;
        int withoutFrames = 0;
        int withoutSecret = 0;
        // Centered clipping's reference for round r is round r - 1's aggregate, as its replay recomputed it
        // (noised when that round had central noise: unknown without the secret).
        long previousRound = Long.MIN_VALUE;
        Bfp16Block previousAggregate = null;
        boolean previousNoiseUnknown = false;
        for (AuditRecord r : records) {
            if (!wanted.isEmpty() && !wanted.contains(r.round())) {
                continue;
            }
            Bfp16Block reference = previousRound == r.round() - 1 ? previousAggregate : null;
            boolean referenceUnknown = previousRound == r.round() - 1 && previousNoiseUnknown;
            previousRound = Long.MIN_VALUE;
            previousAggregate = null;
            previousNoiseUnknown = false;
            JsonObject rj = new JsonObject();
            rj.addProperty("round", r.round());
            rj.addProperty("outcome", r.outcome());
            roundsJson.add(rj);
            String head = String.format("round %-8d %-10s ", r.round(), r.outcome());
            if (referenceUnknown && !r.referenceDigest().isEmpty()) {
                withoutSecret++;
                String why = "not replayed: its centered-clipping reference is round " + (r.round() - 1)
                        + "'s noised aggregate; give --central-secret";
                rj.addProperty("status", why);
                out.println(head + why);
                journals.remove(r.round());
                previousRound = r.round(); // its aggregate, the next round's reference, is unknown too
                previousNoiseUnknown = true;
                continue;
            }
            Path file = journals.remove(r.round());
            if (file == null) {
                withoutFrames++;
                String why = r.framesKept() ? "frames not found" : "frames not kept";
                rj.addProperty("status", why);
                out.println(head + why);
                continue;
            }
            rj.addProperty("journal", file.toString());
            RoundJournal.Contents contents;
            try {
                contents = RoundJournal.read(file, true);
            } catch (IOException e) {
                throw new UsageProblem("cannot read the journal " + file + ": " + e.getMessage());
            } catch (StateException e) {
                replayed++;
                mismatched++;
                rj.addProperty("status", "journal damaged");
                rj.addProperty("error", e.getMessage());
                out.println(head + "replayed  FAILED: journal damaged: " + e.getMessage());
                continue;
            }
            ReplayReport report = Replay.replay(r, contents, nodeKeys, reference, secret);
            previousRound = r.round();
            previousAggregate = report.replayedAggregate();
            previousNoiseUnknown = report.noiseUnknown();
            if (report.noiseUnknown()) {
                withoutSecret++;
            }
            replayed++;
            rj.addProperty("status", report.matches() ? "match" : "mismatch");
            rj.addProperty("replayedOutcome", report.replayedOutcome());
            if (!report.replayedFailure().isEmpty()) {
                rj.addProperty("replayedFailure", report.replayedFailure());
            }
            JsonArray checks = new JsonArray();
            for (ReplayCheck c : report.checks()) {
                JsonObject cj = new JsonObject();
                cj.addProperty("field", c.field());
                cj.addProperty("status", c.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
                cj.addProperty("recorded", c.recorded());
                cj.addProperty("replayed", c.replayed());
                cj.addProperty("note", c.note());
                checks.add(cj);
            }
            rj.add("checks", checks);
            if (report.matches()) {
                matched++;
                out.println(head + "replayed  match (" + compared(report) + " fields compared)");
            } else {
                mismatched++;
                ReplayCheck first = report.firstMismatch().orElseThrow();
                rj.addProperty("firstMismatch", first.field());
                out.println(head + "replayed  MISMATCH in " + first.field() + " (" + report.mismatches().size() + " of "
                        + compared(report) + " fields differ)");
            }
            for (ReplayCheck c : report.checks()) {
                if (details || c.mismatch()) {
                    out.println("    " + c.line());
                }
            }
        }
        result.add("rounds", roundsJson);
        if (wanted.isEmpty()) {
            for (Map.Entry<Long, Path> e : journals.entrySet()) {
                out.println("note: " + e.getValue() + " (round " + e.getKey() + ") has no record in the log"
                        + " (the round in progress, or a journal of another gateway)");
            }
        }
        // Reputation: folded from the log's first record, every round's changes compared.
        ReputationReplay.Result rep = ReputationReplay.check(records);
        JsonObject repJson = new JsonObject();
        repJson.addProperty("roundsChecked", rep.roundsChecked());
        repJson.addProperty("matches", rep.matches());
        if (rep.mismatch() != null) {
            repJson.addProperty("mismatch", rep.mismatch());
            out.println("reputation: MISMATCH: " + rep.mismatch());
            mismatched++;
        } else if (records.isEmpty()) {
            out.println("reputation: no records");
        } else {
            out.println("reputation: recomputed over " + rep.roundsChecked() + " round" + (rep.roundsChecked() == 1 ? "" : "s")
                    + ", every recorded change matches" + (rep.stoppedAt().isEmpty() ? "" : "; stopped: " + rep.stoppedAt()));
        }
        if (!rep.stoppedAt().isEmpty()) {
            repJson.addProperty("stopped", rep.stoppedAt());
        }
        result.add("reputation", repJson);
        int code = mismatched == 0 ? OK : FAILED;
        JsonObject summary = new JsonObject();
        summary.addProperty("replayed", replayed);
        summary.addProperty("matched", matched);
        summary.addProperty("mismatched", mismatched);
        summary.addProperty("withoutFrames", withoutFrames);
        summary.addProperty("withoutSecret", withoutSecret);
        result.add("summary", summary);
        out.println("replayed " + replayed + " round" + (replayed == 1 ? "" : "s") + ": " + matched + " match, " + mismatched
                + " mismatch; " + withoutFrames + " without frames"
                + (withoutSecret == 0 ? "" : "; " + withoutSecret + " with central noise not checked (no --central-secret)"));
        out.println(code == OK ? "replay: OK" : "replay: FAILED (" + mismatched + " round" + (mismatched == 1 ? "" : "s")
                + " did not reproduce)");
        return code;
    }

    private static long compared(ReplayReport r) {
        return r.checks().stream().filter(c -> c.status() != ReplayCheck.Status.NOT_CHECKED).count();
    }

    private byte[] pinnedKey() throws UsageProblem {
        if (gatewayKey == null) {
            return null;
        }
        byte[] k;
        try {
            k = HEX.parseHex(gatewayKey.strip().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageProblem("--gateway-key is not hex: " + gatewayKey);
        }
        if (k.length != 32) {
            throw new UsageProblem("--gateway-key has " + k.length + " bytes; an Ed25519 public key has 32 (64 hex digits)");
        }
        return k;
    }

    private byte[] centralSecret() throws UsageProblem {
        if (centralSecret == null) {
            return null;
        }
        try {
            return CentralNoiseSettings.readSecret(centralSecret);
        } catch (IOException e) {
            throw new UsageProblem("cannot read the central noise secret " + centralSecret + ": " + e);
        } catch (FixedPointException e) {
            throw new UsageProblem(e.getMessage());
        }
    }

    private Map<String, VerifyingKey> nodeKeys() throws UsageProblem {
        if (keys == null) {
            return null;
        }
        try {
            return KeyFiles.readRegistry(keys);
        } catch (IOException e) {
            throw new UsageProblem("cannot read the key file " + keys + ": " + e);
        } catch (ProtocolException e) {
            throw new UsageProblem("key file: " + e.getMessage());
        }
    }

    /** Round to journal file, from each journal's header only. */
    private Map<Long, Path> indexJournals() throws UsageProblem {
        List<Path> sources = new ArrayList<>(frames);
        if (sources.isEmpty()) {
            Path parent = auditLog.toAbsolutePath().getParent();
            Path dflt = parent == null ? null : parent.resolve("rounds");
            if (dflt != null && Files.isDirectory(dflt)) {
                sources.add(dflt);
            }
        }
        Map<Long, Path> byRound = new TreeMap<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Path s : sources) {
            List<Path> files = new ArrayList<>();
            if (Files.isDirectory(s)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(s, "*.journal")) {
                    ds.forEach(files::add);
                } catch (IOException e) {
                    throw new UsageProblem("cannot list " + s + ": " + e);
                }
                files.sort(null);
            } else if (Files.isRegularFile(s)) {
                files.add(s);
            } else {
                throw new UsageProblem("no such journal file or directory: " + s);
            }
            for (Path f : files) {
                Path real;
                try {
                    real = f.toRealPath();
                } catch (IOException e) {
                    throw new UsageProblem("cannot read " + f + ": " + e);
                }
                if (!seen.add(real)) {
                    continue;
                }
                long round = journalRound(f);
                Path before = byRound.put(round, f);
                if (before != null) {
                    throw new UsageProblem("two journals for round " + round + ": " + before + " and " + f);
                }
            }
        }
        return byRound;
    }

    /** The round in a journal's header. */
    private static long journalRound(Path f) throws UsageProblem {
        try {
            return RoundJournal.roundOf(f);
        } catch (IOException e) {
            throw new UsageProblem("cannot read " + f + ": " + e);
        } catch (StateException e) {
            throw new UsageProblem(e.getMessage());
        }
    }
}
