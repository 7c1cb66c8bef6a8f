package org.qoraedge.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.ProtocolException;

/**
 * The key files (docs/PROTOCOL.md, "Keys"): the gateway's registry and a node's credentials. Any
 * file either reads to entries whose lines read back to the same entries, or is refused with a
 * {@link ProtocolException} naming the file.
 */
class KeyFileFuzzTest {
    @TempDir
    Path tmp;

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void keyFilesReadToEntriesThatSurviveRewritingOrAreRefusedWithAProtocolException(byte[] content) throws IOException {
        Path file = tmp.resolve("keys.txt");
        Files.write(file, content);
        List<KeyFiles.Entry> entries;
        try {
            entries = KeyFiles.read(file);
        } catch (ProtocolException e) {
            FuzzAssertions.assertNames(file.toString(), e);
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (KeyFiles.Entry e : entries) {
            sb.append(KeyFiles.line(e.nodeId(), e.scheme(), e.key())).append('\n');
        }
        Path again = tmp.resolve("again.txt");
        Files.writeString(again, sb, StandardCharsets.UTF_8);
        StringBuilder back = new StringBuilder();
        for (KeyFiles.Entry e : KeyFiles.read(again)) {
            back.append(KeyFiles.line(e.nodeId(), e.scheme(), e.key())).append('\n');
        }
        assertEquals(sb.toString(), back.toString(), "entries after rewriting");
        try {
            KeyFiles.readRegistry(file);
        } catch (ProtocolException e) {
            // An Ed25519 public key the JDK refuses: refused with the protocol's type.
        }
        try {
            KeyFiles.readCredentials(file);
        } catch (ProtocolException e) {
            // Not exactly one key, or a seed the JDK refuses.
        }
    }
}
