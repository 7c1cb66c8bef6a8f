package org.qoraedge.gateway.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.ProtocolException;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.state.AtomicFiles;
import org.qoraedge.gateway.state.StateException;

/**
 * The audit log: one signed record per line (UTF-8, {@code \n}-terminated), chained by hash.
 *
 * <p>A line is the record's body ({@link AuditRecord#toJson()}) with {@code ,"signature":"<128 hex>"}
 * inserted before its final {@code }}; the signature is Ed25519 by the gateway's key over the
 * body's UTF-8 bytes, so a verifier strips that exact suffix and needs no JSON re-serialisation.
 * A record's {@code prev} is the SHA-256 of the previous line's UTF-8 bytes (without the newline).
 * See docs/AUDIT.md.
 */
public final class AuditLog {
    private static final Pattern SIGNATURE_SUFFIX = Pattern.compile(",\"signature\":\"([0-9a-f]{128})\"}$");
    private static final HexFormat HEX = HexFormat.of();

    private AuditLog() {
    }

    /** Sets {@code prev}, signs, and returns the line (without newline). */
    public static String sign(AuditRecord record, String prev, FrameSigner gatewaySigner) {
        if (gatewaySigner.scheme() != SignatureScheme.ED25519) {
            throw new AuditException("audit records are signed with Ed25519, not " + gatewaySigner.scheme());
        }
        String body = record.withPrev(prev).toJson();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String sig = HEX.formatHex(gatewaySigner.sign(bytes, bytes.length));
        return body.substring(0, body.length() - 1) + ",\"signature\":\"" + sig + "\"}";
    }

    /** SHA-256 (hex) of a line's UTF-8 bytes: what the next record's {@code prev} must be. */
    public static String hash(String line) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256", e);
        }
    }

    /**
     * Checks one line's signature against the key the record names (and, when {@code pinnedKey}
     * is not null, that this is the pinned key) and parses it.
     *
     * @throws AuditException naming what is wrong
     */
    public static AuditRecord verify(String line, byte[] pinnedKey) {
        var m = SIGNATURE_SUFFIX.matcher(line);
        if (!m.find()) {
            throw new AuditException("audit line does not end with a signature field ,\"signature\":\"<128 hex digits>\"}");
        }
        String body = line.substring(0, m.start()) + "}";
        AuditRecord r = AuditRecord.parse(body);
        byte[] key;
        try {
            key = HEX.parseHex(r.gatewayKey());
        } catch (IllegalArgumentException e) {
            throw new AuditException("round " + r.round() + ": gatewayKey is not hex: " + r.gatewayKey());
        }
        if (pinnedKey != null && !Arrays.equals(pinnedKey, key)) {
            throw new AuditException("round " + r.round() + ": signed by key " + r.gatewayKey() + ", expected "
                    + HEX.formatHex(pinnedKey));
        }
        boolean ok;
        try {
            byte[] signed = body.getBytes(StandardCharsets.UTF_8);
            ok = Ed25519Keys.verify(Ed25519Keys.publicPoint(key), signed, signed.length, HEX.parseHex(m.group(1)), 0);
        } catch (ProtocolException e) {
            throw new AuditException("round " + r.round() + ": signature cannot be checked: " + e.getMessage(), e);
        }
        if (!ok) {
            throw new AuditException("round " + r.round() + ": signature does not verify with gateway key " + r.gatewayKey()
                    + " (the record was altered or signed by another key)");
        }
        return r;
    }

    /** A verified log: its records in order, and the hash of its last line (the chain head). */
    public record Verified(List<AuditRecord> records, List<String> lines, String head) {
        public Verified {
            records = List.copyOf(records);
            lines = List.copyOf(lines);
        }
    }

    /**
     * Verifies a whole log: every signature (all by one key: the pinned one, or the first record's),
     * every {@code prev} link from {@link AuditRecord#GENESIS}, and strictly increasing rounds.
     *
     * @throws AuditException naming the line and what is wrong
     * @throws IOException when the file cannot be read
     */
    public static Verified verifyFile(Path file, byte[] pinnedKey) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no audit log there");
        }
        List<String> lines = readCompleteLines(file);
        List<AuditRecord> records = new ArrayList<>();
        String prev = AuditRecord.GENESIS;
        byte[] key = pinnedKey;
        long lastRound = Long.MIN_VALUE;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            AuditRecord r;
            try {
                r = verify(line, key);
            } catch (AuditException e) {
                throw new AuditException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
            if (key == null) {
                key = HEX.parseHex(r.gatewayKey());
            }
            if (!r.prev().equals(prev)) {
                throw new AuditException(file + " line " + (i + 1) + " (round " + r.round() + "): prev is " + r.prev()
                        + " but the previous line hashes to " + prev + " (a record was removed, reordered or altered)");
            }
            if (r.round() <= lastRound) {
                throw new AuditException(file + " line " + (i + 1) + ": round " + r.round() + " does not follow round " + lastRound);
            }
            lastRound = r.round();
            prev = hash(line);
            records.add(r);
        }
        return new Verified(records, lines, prev);
    }

    /**
     * The log's lines. A last line without its newline is a torn append (the gateway died while
     * writing it; its next start cuts it off): it is refused.
     */
    private static List<String> readCompleteLines(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        byte[] all = Files.readAllBytes(file);
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                lines.add(new String(all, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < all.length) {
            throw new AuditException(file + ": the last line (" + (all.length - start) + " bytes at offset " + start
                    + ") has no newline: a torn write");
        }
        return lines;
    }

    /**
     * Opens the log for appending: a torn last line (bytes after the last newline) is cut off and
     * its length returned, so that the caller can log it; complete lines are never touched.
     */
    public static long truncateTorn(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = lastNewlineBefore(ch, size) + 1;
            if (keep < size) {
                ch.truncate(keep);
                ch.force(true);
            }
            return size - keep;
        }
    }

    /**
     * The last complete line, or null for an empty or missing log (a torn tail is not a line).
     * Reads only the log's end, so a gateway's start does not grow with the log's age.
     */
    public static String lastLine(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long end = lastNewlineBefore(ch, ch.size());
            if (end < 0) {
                return null;
            }
            long start = lastNewlineBefore(ch, end) + 1;
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(end - start));
            while (b.hasRemaining() && ch.read(b, start + b.position()) >= 0) {
                // read until full
            }
            return new String(b.array(), StandardCharsets.UTF_8);
        }
    }

    /** Position of the last newline before {@code end}, or -1; reads backwards in 64 KiB blocks. */
    private static long lastNewlineBefore(FileChannel ch, long end) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        long pos = end;
        while (pos > 0) {
            int n = (int) Math.min(b.capacity(), pos);
            b.clear().limit(n);
            long from = pos - n;
            while (b.hasRemaining() && ch.read(b, from + b.position()) >= 0) {
                // read until full
            }
            for (int k = n - 1; k >= 0; k--) {
                if (b.get(k) == '\n') {
                    return from + k;
                }
            }
            pos = from;
        }
        return -1;
    }

    /**
     * What {@link #recover} did to a log.
     *
     * @param tornBytes bytes of a torn last line cut off (0 when none)
     * @param appendedLine the state's last audit line, appended because the log did not end with
     *     it (to be published again), or null
     */
    public record Recovery(long tornBytes, String appendedLine) {
    }

    /**
     * Makes the audit log agree with the state the gateway restarts from: a torn last line is cut
     * off; when the state's last committed audit line is missing from the log's end (the gateway
     * died between the state write and the append), it is appended.
     *
     * @param log the audit log
     * @param stateFile the state file, for messages
     * @param committed the state's last audit line, null when it has none
     * @throws StateException when the log does not lead up to the state
     */
    public static Recovery recover(Path log, Path stateFile, String committed) throws IOException {
        long torn = truncateTorn(log);
        String last = lastLine(log);
        if (committed == null) {
            if (last != null) {
                throw new StateException(log + " has records but " + stateFile + " has none committed: they do not belong together");
            }
            return new Recovery(torn, null);
        }
        if (committed.equals(last)) {
            return new Recovery(torn, null);
        }
        AuditRecord pending;
        try {
            pending = verify(committed, null);
        } catch (AuditException e) {
            throw new StateException(stateFile + ": its last audit line does not verify: " + e.getMessage(), e);
        }
        String expectedPrev = last == null ? AuditRecord.GENESIS : hash(last);
        if (!pending.prev().equals(expectedPrev)) {
            throw new StateException(log + " does not end where the state's last audit record (round "
                    + pending.round() + ") continues: the log or the state was replaced or damaged");
        }
        AtomicFiles.appendLine(log, committed);
        return new Recovery(torn, committed);
    }
}
