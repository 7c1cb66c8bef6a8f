package org.qoraedge.gateway.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The gateway's state directory (docs/STATE.md):
 * <pre>
 *   gateway.state          the state file ({@link StateFile}), replaced atomically at every round close
 *   audit.log              the chained, signed audit records (package {@code audit}), one line per round
 *   rounds/NNNN.journal    the current round's journal, and the kept frames of past rounds ({@link RoundJournal})
 *   control/               operator requests (ban lifts) waiting for the round worker
 *   gateway.lock           held while a gateway runs on this directory
 * </pre>
 * A round closes with one commit point: the new state file, which carries the round's audit line.
 * The line is then appended to the log; if the gateway dies between the two, the audit log's
 * recovery (in package {@code audit}, which reads this directory; this package does not read audit
 * records) appends it on the next start. Only the round worker uses a store (not thread-safe).
 */
public final class StateStore implements AutoCloseable {
    public static final String STATE_FILE = "gateway.state";
    public static final String AUDIT_LOG = "audit.log";
    public static final String ROUNDS_DIR = "rounds";
    public static final String CONTROL_DIR = "control";
    private static final String LOCK_FILE = "gateway.lock";
    private static final String UNBAN_PREFIX = "unban-";

    private final Path dir;
    private final int keepRounds;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private StateStore(Path dir, int keepRounds, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.keepRounds = keepRounds;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating) a state directory and locks it.
     *
     * @param keepRounds how many closed rounds' journals (their accepted frames) to keep: 0 none,
     *     -1 all
     * @throws StateException when another gateway holds the directory
     */
    public static StateStore open(Path dir, int keepRounds) throws IOException {
        if (keepRounds < -1) {
            throw new IllegalArgumentException("keepRounds must be -1 (all), 0 or more, got " + keepRounds);
        }
        Files.createDirectories(dir.resolve(ROUNDS_DIR));
        Files.createDirectories(dir.resolve(CONTROL_DIR));
        FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // this JVM holds it already
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            ch.close();
            throw new StateException("state directory " + dir + " is in use by another gateway (" + LOCK_FILE + " is locked)");
        }
        return new StateStore(dir, keepRounds, ch, l);
    }

    /** True when closed rounds' journals (their accepted frames) are kept for replay. */
    public boolean keepsFrames() {
        return keepRounds != 0;
    }

    public Path dir() {
        return dir;
    }

    public Path stateFile() {
        return dir.resolve(STATE_FILE);
    }

    public Path auditLog() {
        return dir.resolve(AUDIT_LOG);
    }

    /** The journal file of a round: {@code rounds/<round, 20 digits>.journal}. */
    public Path journalFile(long round) {
        return dir.resolve(ROUNDS_DIR).resolve(journalName(round));
    }

    /** {@code <round, 20 digits>.journal}, so that names sort by round. */
    public static String journalName(long round) {
        return String.format(Locale.ROOT, "%020d.journal", round);
    }

    /**
     * Loads the state, or returns null when there is none yet (a new directory). The audit log is
     * made to agree with it afterwards, by the audit package's recovery.
     *
     * @throws StateException when the state is damaged, or it is missing beside an audit log
     */
    public GatewayState load() throws IOException {
        Path sf = stateFile();
        if (!Files.exists(sf)) {
            if (Files.exists(auditLog()) && Files.size(auditLog()) > 0) {
                throw new StateException(dir + " has an audit log but no " + STATE_FILE
                        + ": the state was lost; restore it from a backup or move the directory aside");
            }
            return null;
        }
        return StateFile.read(sf);
    }

    /** Writes the state file atomically (used for a new directory's first state). */
    public void writeState(GatewayState s) throws IOException {
        StateFile.write(stateFile(), s);
    }

    /**
     * Opens the round's journal: continues an existing one (its contents added to {@code recovered})
     * or creates it with the round's model frame.
     */
    public RoundJournal openJournal(String fleet, long round, byte[] modelFrame, List<RoundJournal.Contents> recovered)
            throws IOException {
        Path f = journalFile(round);
        if (Files.exists(f)) {
            return RoundJournal.reopen(f, fleet, round, recovered);
        }
        return RoundJournal.create(f, fleet, round, modelFrame);
    }

    /**
     * Commits a closed round: the new state, which carries the round's audit line as its last
     * audit line, replaces the old atomically; then that line is appended to the log; then journals
     * beyond the retention are deleted.
     */
    public void commit(GatewayState next, long closedRound) throws IOException {
        String auditLine = next.lastAuditLine();
        if (auditLine == null) {
            throw new IllegalArgumentException("the state to commit must carry the audit line of the round it closes");
        }
        FaultInjection.check(FaultInjection.Point.BEFORE_COMMIT, closedRound);
        byte[] bytes = StateFile.encode(next);
        AtomicFiles.write(stateFile(), bytes, () -> FaultInjection.check(FaultInjection.Point.MID_STATE_WRITE, closedRound));
        FaultInjection.check(FaultInjection.Point.AFTER_STATE_WRITE, closedRound);
        AtomicFiles.appendLine(auditLog(), auditLine);
        FaultInjection.check(FaultInjection.Point.AFTER_AUDIT_APPEND, closedRound);
        prune(closedRound);
    }

    private void prune(long closedRound) throws IOException {
        if (keepRounds < 0) {
            return;
        }
        TreeMap<Long, Path> journals = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve(ROUNDS_DIR), "*.journal")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                try {
                    journals.put(Long.parseLong(n.substring(0, n.length() - ".journal".length())), p);
                } catch (NumberFormatException e) {
                    // not ours: leave it
                }
            }
        }
        for (var e : journals.entrySet()) {
            if (e.getKey() <= closedRound - keepRounds) {
                Files.deleteIfExists(e.getValue());
            }
        }
    }

    /** Asks the running gateway (or the next one to start) to lift a node's ban; returns the request file. */
    public static Path requestUnban(Path stateDir, String node, String reason) throws IOException {
        Path f = stateDir.resolve(CONTROL_DIR).resolve(UNBAN_PREFIX + HexFormat.of().formatHex(node.getBytes(StandardCharsets.UTF_8)));
        AtomicFiles.write(f, (node + "\n" + (reason == null ? "" : reason.replace('\n', ' '))).getBytes(StandardCharsets.UTF_8));
        return f;
    }

    /** A pending operator request. */
    public record UnbanRequest(String node, String reason, Path file) {
    }

    /** Pending ban-lift requests, sorted by node id (bytewise UTF-8 order of their hex file names). */
    public List<UnbanRequest> unbanRequests() throws IOException {
        TreeMap<String, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve(CONTROL_DIR), UNBAN_PREFIX + "*")) {
            for (Path p : ds) {
                if (!p.getFileName().toString().endsWith(".tmp")) {
                    files.put(p.getFileName().toString(), p);
                }
            }
        }
        List<UnbanRequest> out = new ArrayList<>();
        for (Path p : files.values()) {
            String[] lines = new String(Files.readAllBytes(p), StandardCharsets.UTF_8).split("\n", 2);
            out.add(new UnbanRequest(lines[0], lines.length > 1 ? lines[1] : "", p));
        }
        return out;
    }

    /** Removes a handled request (after the state that applied it was committed). */
    public void done(UnbanRequest r) throws IOException {
        Files.deleteIfExists(r.file());
        AtomicFiles.syncDirectory(r.file().getParent());
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
