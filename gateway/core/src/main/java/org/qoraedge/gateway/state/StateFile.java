package org.qoraedge.gateway.state;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.BlockBytes;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.gateway.reputation.NodeReputation;
import org.qoraedge.gateway.reputation.ReputationException;

/**
 * The state file's format (docs/STATE.md), big-endian:
 * {@code "QSTA"}, u16 version, u32 n, n bytes of UTF-8 JSON (every field but the blocks), u32 k,
 * k bytes of the model block (spec section 7: i32 exponent, i32 dimension, mantissas as i16),
 * in version 2 then u32 r and r bytes of centered clipping's reference block, then the SHA-256 of
 * every byte before it. A state with no reference is written as version 1, byte for byte as
 * before; both versions are read. A reader refuses another magic, another version, a
 * length past the end, trailing bytes, a checksum mismatch, and any field out of range: a state
 * file is never half-read.
 */
public final class StateFile {
    /** The version of a state without a reference block. */
    public static final int VERSION = 1;
    /** The version of a state with centered clipping's reference block. */
    public static final int VERSION_WITH_REFERENCE = 2;
    private static final byte[] MAGIC = {'Q', 'S', 'T', 'A'};

    private StateFile() {
    }

    /** The file's bytes. */
    public static byte[] encode(GatewayState s) {
        JsonObject o = new JsonObject();
        o.addProperty("fleet", s.fleet());
        o.addProperty("gatewayId", s.gatewayId());
        o.addProperty("round", s.round());
        o.addProperty("modelId", s.modelId());
        JsonObject seq = new JsonObject();
        for (Map.Entry<String, Long> e : s.sequences().entrySet()) {
            seq.addProperty(e.getKey(), e.getValue());
        }
        o.add("sequences", seq);
        JsonObject rep = new JsonObject();
        for (Map.Entry<String, NodeReputation> e : s.reputation().entrySet()) {
            NodeReputation r = e.getValue();
            JsonObject x = new JsonObject();
            x.addProperty("score", r.score());
            x.addProperty("banned", r.banned());
            x.addProperty("bannedSinceRound", r.bannedSinceRound());
            x.addProperty("roundsSeen", r.roundsSeen());
            x.addProperty("timesSelected", r.timesSelected());
            x.addProperty("timesFar", r.timesFar());
            x.addProperty("timesMisbehaved", r.timesMisbehaved());
            rep.add(e.getKey(), x);
        }
        o.add("reputation", rep);
        JsonObject reg = new JsonObject();
        for (Map.Entry<String, String> e : s.registry().entrySet()) {
            reg.addProperty(e.getKey(), e.getValue());
        }
        o.add("registry", reg);
        if (s.lastAuditLine() != null) {
            o.addProperty("lastAuditLine", s.lastAuditLine());
        }
        o.addProperty("roundsAggregated", s.roundsAggregated());
        o.addProperty("roundsFailed", s.roundsFailed());
        byte[] json = o.toString().getBytes(StandardCharsets.UTF_8);
        byte[] model = BlockBytes.write(s.model());
        byte[] reference = s.reference() == null ? null : BlockBytes.write(s.reference());
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 4 + json.length + 4 + model.length + (reference == null ? 0 : 4 + reference.length)
                + 32).order(ByteOrder.BIG_ENDIAN);
        b.put(MAGIC).putShort((short) (reference == null ? VERSION : VERSION_WITH_REFERENCE)).putInt(json.length).put(json)
                .putInt(model.length).put(model);
        if (reference != null) {
            b.putInt(reference.length).put(reference);
        }
        MessageDigest md = Digests.sha256();
        md.update(b.array(), 0, b.position());
        b.put(md.digest());
        return b.array();
    }

    /** Writes the state atomically (temp file, fsync, atomic rename, fsync of the directory). */
    public static void write(Path file, GatewayState s) throws IOException {
        AtomicFiles.write(file, encode(s));
    }

    /** Reads a state file; refuses anything but an intact version-1 file, naming the problem. */
    public static GatewayState read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** Decodes the bytes of a state file; {@code name} appears in error messages. */
    public static GatewayState decode(byte[] all, String name) {
        if (all.length < 4 + 2 + 4 + 4 + 32 || !Arrays.equals(Arrays.copyOf(all, 4), MAGIC)) {
            throw new StateException(name + " is not a gateway state file (no QSTA header)");
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.BIG_ENDIAN);
        b.position(4);
        int version = Short.toUnsignedInt(b.getShort());
        if (version != VERSION && version != VERSION_WITH_REFERENCE) {
            throw new StateException(name + " is a state file of version " + version + "; this gateway reads versions "
                    + VERSION + " and " + VERSION_WITH_REFERENCE);
        }
        MessageDigest md = Digests.sha256();
        md.update(all, 0, all.length - 32);
        if (!MessageDigest.isEqual(md.digest(), Arrays.copyOfRange(all, all.length - 32, all.length))) {
            throw new StateException(name + ": checksum mismatch (the file is damaged; restore it from a backup,"
                    + " or move the state directory aside to start from scratch)");
        }
        int n = b.getInt();
        if (n < 0 || n > all.length - 32 - b.position() - 4) {
            throw new StateException(name + ": JSON length " + n + " runs past the end");
        }
        String json = new String(all, b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        Bfp16Block model = block(all, b, name, "model", version == VERSION);
        Bfp16Block reference = version == VERSION ? null : block(all, b, name, "reference", true);
        try {
            JsonElement root = JsonParser.parseString(json);
            JsonObject o = root.getAsJsonObject();
            SortedMap<String, Long> seq = new TreeMap<>();
            for (Map.Entry<String, JsonElement> x : o.getAsJsonObject("sequences").entrySet()) {
                seq.put(x.getKey(), x.getValue().getAsLong());
            }
            SortedMap<String, NodeReputation> rep = new TreeMap<>();
            for (Map.Entry<String, JsonElement> x : o.getAsJsonObject("reputation").entrySet()) {
                JsonObject r = x.getValue().getAsJsonObject();
                try {
                    rep.put(x.getKey(), new NodeReputation(r.get("score").getAsInt(), r.get("banned").getAsBoolean(),
                            r.get("bannedSinceRound").getAsLong(), r.get("roundsSeen").getAsLong(),
                            r.get("timesSelected").getAsLong(), r.get("timesFar").getAsLong(),
                            r.get("timesMisbehaved").getAsLong()));
                } catch (ReputationException bad) {
                    throw new StateException(name + ": reputation of " + x.getKey() + " is invalid: " + bad.getMessage(), bad);
                }
            }
            SortedMap<String, String> reg = new TreeMap<>();
            for (Map.Entry<String, JsonElement> x : o.getAsJsonObject("registry").entrySet()) {
                reg.put(x.getKey(), x.getValue().getAsString());
            }
            JsonElement last = o.get("lastAuditLine");
            return new GatewayState(o.get("fleet").getAsString(), o.get("gatewayId").getAsString(), o.get("round").getAsLong(),
                    o.get("modelId").getAsString(), model, seq, rep, reg, last == null ? null : last.getAsString(),
                    o.get("roundsAggregated").getAsLong(), o.get("roundsFailed").getAsLong(), reference);
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException
                | NumberFormatException | ClassCastException ex) {
            throw new StateException(name + ": state fields are missing or of the wrong type: " + ex, ex);
        }
    }

    /** Reads a u32 length and that many bytes of a block at {@code b}'s position; {@code last}: nothing but the checksum may follow. */
    private static Bfp16Block block(byte[] all, ByteBuffer b, String name, String what, boolean last) {
        int left = all.length - 32 - b.position();
        if (left < 4) {
            throw new StateException(name + ": the " + what + " block's length is missing");
        }
        int k = b.getInt();
        left -= 4;
        if (last ? k != left : (k < 0 || k > left)) {
            throw new StateException(name + ": " + what + " length " + k + " does not match the " + left + " bytes left");
        }
        try {
            Bfp16Block block = BlockBytes.read(all, b.position(), k);
            b.position(b.position() + k);
            return block;
        } catch (FixedPointException ex) {
            throw new StateException(name + ": " + what + " block is invalid: " + ex.getMessage(), ex);
        }
    }
}
