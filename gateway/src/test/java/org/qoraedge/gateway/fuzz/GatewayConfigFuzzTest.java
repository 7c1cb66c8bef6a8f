package org.qoraedge.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.BlockBytes;
import org.qoraedge.gateway.daemon.ConfigException;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;

/**
 * The files the gateway daemon reads at start besides keys and state: its properties file
 * (docs/PROTOCOL.md, "Gateway configuration") and the initial model file (spec section 7 block
 * layout). Both are refused with a {@link ConfigException} naming the file.
 */
class GatewayConfigFuzzTest {
    @TempDir
    Path tmp;

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void configFilesLoadOrAreRefusedWithAConfigExceptionNamingTheFile(byte[] content) throws IOException {
        Path file = tmp.resolve("gateway.properties");
        Files.write(file, content);
        try {
            GatewayConfig.load(file);
        } catch (ConfigException e) {
            // Checks made after the file was read (GatewayConfig's constructor) name the key, not the file.
            return;
        }
    }

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void modelFilesReadToTheSameBytesOrAreRefusedWithAConfigException(byte[] content) throws IOException {
        Path file = tmp.resolve("model.bin");
        Files.write(file, content);
        int dimension = Math.max(1, (content.length - 8) / 2);
        Bfp16Block model;
        try {
            model = Gateway.readModel(file, dimension);
        } catch (ConfigException e) {
            FuzzAssertions.assertNames(file.toString(), e);
            return;
        }
        assertArrayEquals(content, BlockBytes.write(model), "model re-encoded");
    }
}
