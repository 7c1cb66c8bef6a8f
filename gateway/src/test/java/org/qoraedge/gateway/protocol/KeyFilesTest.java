package org.qoraedge.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;

class KeyFilesTest {
    @TempDir
    Path dir;

    @Test
    void registryLinesOfGeneratedCredentialsVerifyTheirFrames() throws IOException {
        SecureRandom r = new SecureRandom();
        NodeCredentials a = NodeCredentials.generate("node-a", SignatureScheme.HMAC_SHA256, r);
        NodeCredentials b = NodeCredentials.generate("node-b", SignatureScheme.ED25519, r);
        Path reg = dir.resolve("keys.txt");
        Files.writeString(reg, "# comment\n\n" + a.registryLine() + "  # trailing comment\n" + b.registryLine() + "\n");
        Map<String, VerifyingKey> keys = KeyFiles.readRegistry(reg);
        assertEquals(2, keys.size());
        for (NodeCredentials c : new NodeCredentials[] {a, b}) {
            byte[] f = new Frame(FrameKind.UPDATE, c.scheme(), "x", c.nodeId(), 1, 1, "m", Bfp16Block.of(0, new short[] {1}))
                    .encode(c.signer());
            assertTrue(FrameCodec.parseHeader(f, f.length).signatureValid(keys.get(c.nodeId())));
        }
        Path cred = dir.resolve("node-b.key");
        Files.writeString(cred, b.credentialsLine() + "\n");
        assertEquals(b.registryLine(), KeyFiles.readCredentials(cred).registryLine());
    }

    /** Found by KeyFileFuzzTest (corpus input finding-not-utf8): the reader's MalformedInputException leaked. */
    @Test
    void refusesAKeyFileThatIsNotUtf8NamingTheFile() throws IOException {
        Path f = dir.resolve("keys.txt");
        Files.write(f, new byte[] {'n', 'o', 'd', 'e', '-', '1', ' ', (byte) 0xFF, '\n'});
        ProtocolException e = assertThrows(ProtocolException.class, () -> KeyFiles.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void refusesMalformedLinesNamingTheLine() throws IOException {
        String key = "00".repeat(32);
        String[] bad = {"node-a hmac-sha256", "node-a rsa " + key, "node-a hmac-sha256 " + "00".repeat(31),
            "node-a hmac-sha256 zz" + "00".repeat(31), "no/de hmac-sha256 " + key,
            "node-a hmac-sha256 " + key + "\nnode-a ed25519 " + key};
        for (String line : bad) {
            Path f = dir.resolve("bad.txt");
            Files.writeString(f, "# header\n" + line + "\n");
            ProtocolException e = assertThrows(ProtocolException.class, () -> KeyFiles.readRegistry(f), line);
            assertTrue(e.getMessage().contains("line "), e.getMessage());
        }
        // A public key that is not a point of the prime-order subgroup (here the neutral element) is refused by name.
        Path f = dir.resolve("weak.txt");
        Files.writeString(f, "node-a ed25519 01" + "00".repeat(31) + "\n");
        ProtocolException e = assertThrows(ProtocolException.class, () -> KeyFiles.readRegistry(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("node node-a: not a valid Ed25519 public key"),
                e.getMessage());
        Path cred = dir.resolve("weak.key");
        Files.writeString(cred, "node-a hmac-sha256 " + "00".repeat(32) + "\ngw gateway-ed25519 01" + "00".repeat(31) + "\n");
        e = assertThrows(ProtocolException.class, () -> KeyFiles.readCredentials(cred));
        assertTrue(e.getMessage().contains(cred + " line 2: not a valid Ed25519 public key"), e.getMessage());
    }
}
