package org.qoraedge.gateway.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.BlockBytes;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.reputation.ReputationSettings;

/**
 * Writes the seed corpus of the fuzz tests in this package: real inputs made by the project's own
 * encoders or copied from the golden files of the format tests, plus a few minimal invalid ones.
 * Run from the gateway module directory when a format changes:
 * {@code java -cp <test classpath> org.qoraedge.gateway.fuzz.SeedCorpus}. Inputs a fuzzing run
 * found are added by hand next to these (named {@code finding-*}) and are never regenerated.
 */
public final class SeedCorpus {
    private static final Path ROOT = Path.of("src/test/resources/org/qoraedge/gateway/fuzz");
    private static final Bfp16Block BLOCK = Bfp16Block.of(-3, new short[] {5, -7, 0, 32767});

    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        byte[] hmacUpdate = new Frame(FrameKind.UPDATE, SignatureScheme.HMAC_SHA256, "fleet", "node-1", 3, 11, "m", BLOCK)
                .encode(SeedKeys.HMAC_SIGNER);
        byte[] edModel = new Frame(FrameKind.MODEL, SignatureScheme.ED25519, "fleet", "gateway", 3, 4, "m", BLOCK)
                .encode(SeedKeys.ED25519_SIGNER);
        byte[] invalidBlock = new Frame(FrameKind.UPDATE, SignatureScheme.HMAC_SHA256, "f", "n", 0, 1, "m",
                Bfp16Block.of(0, new short[] {1})).encode(SeedKeys.HMAC_SIGNER);
        int mantissa = invalidBlock.length - 32 - 2;
        invalidBlock[mantissa] = (byte) 0x80;
        invalidBlock[mantissa + 1] = 0;
        byte[] oversize = new Frame(FrameKind.UPDATE, SignatureScheme.HMAC_SHA256, "f", "n", 0, 1, "m",
                Bfp16Block.of(0, new short[5])).encode(SeedKeys.HMAC_SIGNER);
        byte[] badSignature = hmacUpdate.clone();
        badSignature[badSignature.length - 1] ^= 1;
        String frames = "FrameFuzzTestInputs/framesDecodeAndReEncodeToTheSameBytesOrAreRefusedWithAFrameException/";
        write(frames + "update-hmac", hmacUpdate);
        write(frames + "model-ed25519", edModel);
        write(frames + "sparse-update-hmac",
                Files.readAllBytes(Path.of("src/test/resources/org/qoraedge/gateway/protocol/sparse-update-v1.bin")));
        write(frames + "invalid-block-mantissa-min", invalidBlock);
        write(frames + "truncated-in-node-id", Arrays.copyOf(hmacUpdate, 17));
        write(frames + "bad-magic", "QORX".getBytes(StandardCharsets.US_ASCII));
        String decode = "FrameFuzzTestInputs/framesAboveTheRoundsMaximumOrWithABadSignatureAreRefusedWithTheirReason/";
        write(decode + "update-hmac", hmacUpdate);
        write(decode + "bad-signature", badSignature);
        write(decode + "oversize", oversize);

        RoundAnnouncement announcement = new RoundAnnouncement("fleet", 3, "m", 4, Frame.maxSize(4), 1_767_225_600_000L,
                "multi-krum", "common", 1, 0, Digests.block(BLOCK), "gateway");
        byte[] ann = announcement.toMessage().toBytes();
        byte[] notice = new RejectionNotice(3, 2, 11, RejectReason.WRONG_ROUND, "frame is for round 2, round 3 is open")
                .toMessage().toBytes();
        byte[] birth = TextMessage.builder().put("node", "node-1").put("state", "online").put("session", 1_767_225_600_123L)
                .build().toBytes();
        byte[] status = TextMessage.builder().put("protocol", 1).put("state", "online").put("gateway", "gateway")
                .put("fleet", "fleet").put("publicKey", HexFormat.of().formatHex(Ed25519Keys.publicKeyOf(SeedKeys.ED25519_SEED)))
                .build().toBytes();
        String text = "TextMessageFuzzTestInputs/textMessagesParseToFieldsThatSurviveReEncodingOrAreRefusedWithAProtocolException/";
        write(text + "announcement", ann);
        write(text + "rejection-notice", notice);
        write(text + "birth", birth);
        write(text + "gateway-status", status);
        write(text + "no-equals-sign", "protocol\n".getBytes(StandardCharsets.UTF_8));
        write(text + "key-twice", "a=1\na=2\n".getBytes(StandardCharsets.UTF_8));
        write(text + "invalid-utf8", new byte[] {'a', '=', (byte) 0xC3, '\n'});
        String anns = "TextMessageFuzzTestInputs/"
                + "roundAnnouncementsParseToExactlyTheNumbersTheyCarryOrAreRefusedWithAProtocolException/";
        write(anns + "announcement", ann);
        write(anns + "protocol-2", new String(ann, StandardCharsets.UTF_8).replace("protocol=1", "protocol=2")
                .getBytes(StandardCharsets.UTF_8));
        write(anns + "missing-gateway", new String(ann, StandardCharsets.UTF_8).replace("gateway=gateway\n", "")
                .getBytes(StandardCharsets.UTF_8));
        String notices = "TextMessageFuzzTestInputs/"
                + "rejectionNoticesParseToExactlyWhatTheyCarryOrAreRefusedWithAProtocolException/";
        write(notices + "rejection-notice", notice);
        write(notices + "sequence-not-a-number", new String(notice, StandardCharsets.UTF_8).replace("sequence=11", "sequence=x")
                .getBytes(StandardCharsets.UTF_8));
        write(notices + "unknown-reason", new String(notice, StandardCharsets.UTF_8).replace("wrong-round", "too-late")
                .getBytes(StandardCharsets.UTF_8));

        byte[] edPublic = Ed25519Keys.publicKeyOf(SeedKeys.ED25519_SEED);
        String registry = "# the gateway's key registry\n" + KeyFiles.line("node-1", SignatureScheme.HMAC_SHA256, SeedKeys.HMAC_SECRET)
                + "\n" + KeyFiles.line("node-2", SignatureScheme.ED25519, edPublic) + "  # a comment\n\n";
        String keys = "KeyFileFuzzTestInputs/keyFilesReadToEntriesThatSurviveRewritingOrAreRefusedWithAProtocolException/";
        write(keys + "registry", registry.getBytes(StandardCharsets.UTF_8));
        write(keys + "credentials-ed25519", (KeyFiles.line("node-2", SignatureScheme.ED25519, SeedKeys.ED25519_SEED) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        write(keys + "key-not-hex", "node-1 hmac-sha256 zz\n".getBytes(StandardCharsets.UTF_8));
        write(keys + "unknown-scheme", "node-1 rsa 00\n".getBytes(StandardCharsets.UTF_8));
        write(keys + "two-fields", "node-1 hmac-sha256\n".getBytes(StandardCharsets.UTF_8));

        String config = "GatewayConfigFuzzTestInputs/configFilesLoadOrAreRefusedWithAConfigExceptionNamingTheFile/";
        write(config + "minimal", "model.dimension=4\n".getBytes(StandardCharsets.UTF_8));
        write(config + "full", ("# a gateway\nbroker.uri=tcp://127.0.0.1:1883\nfleet=fleet\ngateway.id=gateway\n"
                + "keys.file=keys.txt\nnodes.expected=node-1, node-2,node-3\naggregator=multi-krum\nmetric=pairwise\nf=1\nm=2\n"
                + "round.minUpdates=3\nround.deadlineMillis=30_000\nround.pauseMillis=0\nround.first=1\nround.max=0\n"
                + "model.id=m\nmodel.dimension=1000\nmodel.initial=model.bin\nstate.dir=state\ninbox.capacity=64\n"
                + "state.keepFrames=-1\naudit.maxFrames=100\nround.bansLowerF=true\nreputation.enabled=true\n"
                + "reputation.decay=0.05\nreputation.far-factor=4\n").getBytes(StandardCharsets.UTF_8));
        write(config + "unknown-key", "model.dimension=4\nmodel.dimensions=4\n".getBytes(StandardCharsets.UTF_8));
        write(config + "dimension-not-a-number", "model.dimension=four\n".getBytes(StandardCharsets.UTF_8));
        String model = "GatewayConfigFuzzTestInputs/modelFilesReadToTheSameBytesOrAreRefusedWithAConfigException/";
        write(model + "model", BlockBytes.write(BLOCK));
        byte[] badExponent = BlockBytes.write(Bfp16Block.of(0, new short[] {1, 2}));
        badExponent[0] = 0x7F;
        write(model + "exponent-out-of-range", badExponent);
        write(model + "header-only", Arrays.copyOf(BlockBytes.write(BLOCK), 8));

        byte[] golden = resource("/org/qoraedge/gateway/state/gateway-state-v1.bin");
        String state = "StateFileFuzzTestInputs/stateFilesDecodeToAStateThatSurvivesReEncodingOrAreRefusedWithAStateException/";
        write(state + "golden-v1", golden);
        write(state + "checksum-damaged", flipLast(golden));
        write(state + "version-2", withByte(golden, 5, 2));
        String checked = "StateFileFuzzTestInputs/"
                + "stateFilesWithAValidChecksumDecodeToAStateThatSurvivesReEncodingOrAreRefused/";
        byte[] body = Arrays.copyOf(golden, golden.length - 32);
        write(checked + "golden-v1-without-checksum", body);
        write(checked + "json-length-past-end", withByte(body, 6, 0x7F));
        String json = "{\"fleet\":\"f\",\"sequences\":[]}";
        byte[] wrongTypes = ByteBuffer.allocate(4 + 2 + 4 + json.length() + 4 + 10).put(new byte[] {'Q', 'S', 'T', 'A', 0, 1})
                .putInt(json.length()).put(json.getBytes(StandardCharsets.UTF_8)).putInt(10).putInt(0).putInt(1).putShort((short) 1)
                .array();
        write(checked + "fields-of-the-wrong-type", wrongTypes);

        byte[] journal = resource("/org/qoraedge/gateway/state/round-journal-v1.bin");
        String journals = "RoundJournalFuzzTestInputs/"
                + "journalsReadToEntriesThatAccountForEveryByteOrAreRefusedWithAStateException/";
        write(journals + "golden-v1", journal);
        write(journals + "torn-last-entry", Arrays.copyOf(journal, journal.length - 3));
        write(journals + "damaged-first-entry", withByte(journal, 4 + 2 + 8 + 2 + 6 + 7, 0x55));

        byte[] log = resource("/org/qoraedge/gateway/audit/audit-v1.jsonl");
        String[] lines = new String(log, StandardCharsets.UTF_8).split("\n");
        String audit = "AuditFuzzTestInputs/";
        String bodies = audit + "auditRecordBodiesParseToRecordsThatSurviveReEncodingOrAreRefusedWithAnAuditException/";
        String signed = audit + "auditLinesVerifyOrAreRefusedWithAnAuditException/";
        for (int i = 0; i < lines.length; i++) {
            String b = lines[i].substring(0, lines[i].lastIndexOf(",\"signature\":")) + "}";
            write(bodies + "golden-v1-line-" + (i + 1), b.getBytes(StandardCharsets.UTF_8));
            write(signed + "golden-v1-line-" + (i + 1), lines[i].getBytes(StandardCharsets.UTF_8));
        }
        write(bodies + "other-format", "{\"format\":\"qora-audit/2\"}".getBytes(StandardCharsets.UTF_8));
        write(signed + "no-signature", lines[0].substring(0, lines[0].lastIndexOf(",\"signature\":")).concat("}")
                .getBytes(StandardCharsets.UTF_8));
        String logs = audit + "auditLogsVerifyOrAreRefusedWithAnAuditExceptionNamingTheFile/";
        write(logs + "golden-v1", log);
        write(logs + "torn-last-line", Arrays.copyOf(log, log.length - 1));
        write(logs + "lines-swapped", (lines[1] + "\n" + lines[0] + "\n").getBytes(StandardCharsets.UTF_8));
        String rep = audit + "reputationSettingsParseOnlyFromTheirCanonicalTextOrAreRefused/";
        write(rep + "defaults", ReputationSettings.defaults().toCanonicalString().getBytes(StandardCharsets.UTF_8));
        String recorded = AuditRecord.parse(
                lines[0].substring(0, lines[0].lastIndexOf(",\"signature\":")) + "}").config().reputationSettings();
        write(rep + "golden-v1-line-1", recorded.getBytes(StandardCharsets.UTF_8));
        write(rep + "not-canonical", ReputationSettings.defaults().toCanonicalString().replace("=0.05\n", "=0.050\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] flipLast(byte[] b) {
        return withByte(b, b.length - 1, b[b.length - 1] ^ 1);
    }

    private static byte[] withByte(byte[] b, int at, int value) {
        byte[] c = b.clone();
        c[at] = (byte) value;
        return c;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SeedCorpus.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }

    private static void write(String name, byte[] bytes) throws IOException {
        Path p = ROOT.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
    }
}
