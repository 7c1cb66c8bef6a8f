package org.qoraedge.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.BlockBytes;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.aggregation.BufferedSettings;

class GatewayConfigTest {
    @TempDir
    Path dir;

    private GatewayConfig load(String text) throws Exception {
        Path f = dir.resolve("gw.properties");
        Files.writeString(f, text);
        return GatewayConfig.load(f);
    }

    @Test
    void appliesTheDocumentedDefaults() throws Exception {
        GatewayConfig c = load("model.dimension = 784\n");
        assertEquals("tcp://127.0.0.1:1883", c.brokerUri());
        assertEquals("qora-gateway-default", c.clientId());
        assertEquals("default", c.fleet());
        assertEquals(AggregatorKind.PIPELINE, c.aggregation().kind());
        assertEquals("nnm(1) > centered-clip(1, 3)", c.aggregation().ruleName());
        assertEquals(3, c.aggregation().quorum(), "2f + 1 with f = 1");
        assertTrue(c.aggregation().usesReference());
        assertEquals(Duration.ofSeconds(30), c.deadline());
        assertEquals(dir.resolve("keys.txt"), c.keysFile());
        assertEquals(dir.resolve("state"), c.stateDir());
        assertEquals(1883, c.embeddedPort());
        assertNull(c.expected());
        assertNull(c.initialModel());
    }

    @Test
    void readsEveryKey() throws Exception {
        GatewayConfig c = load("broker.uri = ssl://10.0.0.1:8883\nbroker.clientId = gw-1\nfleet = plant-3\n"
                + "nodes.expected = b, a ,c\naggregator = Multi-Krum\nmetric = pairwise\nf = 2\nm = 3\n"
                + "round.deadlineMillis = 1_500\nround.max = 7\nmodel.id = mlp\nmodel.dimension = 10\nstate.dir = /var/q\n"
                + "keys.file = conf/keys.txt\ninbox.capacity = 99\n");
        assertEquals("ssl://10.0.0.1:8883", c.brokerUri());
        assertEquals("gw-1", c.clientId());
        assertEquals(List.of("b", "a", "c"), c.expected());
        assertEquals(AggregatorKind.MULTI_KRUM, c.aggregation().kind());
        assertEquals(Metric.PAIRWISE, c.aggregation().metric());
        assertEquals(3, c.aggregation().m());
        assertEquals(9, c.aggregation().quorum());
        assertEquals(Duration.ofMillis(1500), c.deadline());
        assertEquals(7, c.maxRounds());
        assertEquals(Path.of("/var/q"), c.stateDir());
        assertEquals(dir.resolve("conf/keys.txt"), c.keysFile());
        assertEquals(99, c.inboxCapacity());
    }

    @Test
    void theDefaultRuleTakesFFromItsOwnKeyAndRefusesMAndMetric() throws Exception {
        assertEquals("nnm(4) > centered-clip(4, 3)", load("model.dimension = 4\nf = 4\n").aggregation().ruleName());
        GatewayConfig named = load("model.dimension = 4\naggregator = Centered-Clip\nf = 2\n");
        assertEquals("centered-clip(2, 3)", named.aggregation().ruleName());
        assertEquals(5, named.aggregation().quorum());
        for (String key : List.of("m = 3", "metric = pairwise")) {
            ConfigException e = assertThrows(ConfigException.class, () -> load("model.dimension = 4\n" + key + "\n"));
            assertTrue(e.getMessage().contains("config key " + key.substring(0, key.indexOf(' '))
                    + " does not apply to aggregator = (absent: the default): it takes only f"), e.getMessage());
            ConfigException clipOnly = assertThrows(ConfigException.class,
                    () -> load("model.dimension = 4\naggregator = centered-clip\n" + key + "\n"));
            assertTrue(clipOnly.getMessage().contains("does not apply to aggregator = centered-clip: it takes only f"),
                    clipOnly.getMessage());
        }
        ConfigException bad = assertThrows(ConfigException.class, () -> load("model.dimension = 4\nf = -1\n"));
        assertTrue(bad.getMessage().contains("config key f = -1 is invalid for aggregator = (absent: the default)"
                + " (nnm(-1) > centered-clip(-1, 3))"), bad.getMessage());
    }

    @Test
    void aCohortDerivesFFromTheDeclaredFractionOfItsSize() throws Exception {
        GatewayConfig c = load("model.dimension = 4\nround.cohort = 10\nround.byzantineFraction = 0.3\n");
        assertEquals(10, c.cohort().size());
        assertEquals("3/10", c.cohort().byzantineFraction().toString());
        assertEquals("nnm(3) > centered-clip(3, 3)", c.aggregation().ruleName(), "f = floor(3/10 * 10)");
        assertEquals("nnm(2) > centered-clip(2, 3)", c.cohort().rule().apply(2).ruleName(), "a smaller cohort, a smaller f");
        GatewayConfig mk = load("model.dimension = 4\naggregator = multi-krum\nmetric = pairwise\nround.cohort = 12\n"
                + "round.byzantineFraction = 1/4\n");
        assertEquals(3, mk.aggregation().f());
        assertEquals(Metric.PAIRWISE, mk.aggregation().metric());
        GatewayConfig fixed = load("model.dimension = 4\naggregator = median(1)\nround.cohort = 5\n");
        assertNull(fixed.cohort().byzantineFraction(), "without a fraction the rule keeps its parameters");
        assertNull(load("model.dimension = 4\n").cohort(), "no cohort by default");
    }

    @Test
    void boundsTheInboxBytesAndRefusesABoundBelowFourOfTheModelsLargestFrames() throws Exception {
        assertEquals(8L << 20, load("model.dimension = 4\n").inboxMaxBytes());
        // dimension 100,000: the largest update frame is a sparse one of 301,082 bytes (docs/PROTOCOL.md section 4.1)
        assertEquals(1_204_328, load("model.dimension = 100000\ninbox.maxBytes = 1_204_328\n").inboxMaxBytes());
        ConfigException e = assertThrows(ConfigException.class, () -> load("model.dimension = 100000\ninbox.maxBytes = 1_204_327\n"));
        assertTrue(e.getMessage().contains("config key inbox.maxBytes = 1204327 is invalid: must be >= 1204328"), e.getMessage());
    }

    @Test
    void refusesACohortThatCannotBeRunNamingTheNumbers() {
        String[][] cases = {
            {"round.cohort = 10\nround.byzantineFraction = 0.4\naggregator = krum\n",
                "config key round.cohort = 10 is too small: krum with f = floor(2/5 * 10) = 4 needs 11 updates per round"},
            {"round.cohort = 10\nround.byzantineFraction = 0.3\nf = 2\n", "config key f does not apply with round.byzantineFraction"},
            {"round.cohort = 10\nround.byzantineFraction = 0.3\naggregator = median(2)\n",
                "config key round.byzantineFraction does not apply to a pipeline line (aggregator = median(2))"},
            {"round.byzantineFraction = 0.3\n", "config key round.byzantineFraction applies only with round.cohort"},
            {"round.cohort = 0\n", "config key round.cohort = 0 is invalid: must be a number of nodes >= 1"},
            {"round.cohort = 10\nround.byzantineFraction = 1.3\n", "config key round.byzantineFraction = 1.3 is invalid"},
            {"round.cohort = 2\n", "config key round.cohort = 2 is too small: nnm(1) > centered-clip(1, 3) needs 3 updates"},
        };
        for (String[] c : cases) {
            ConfigException e = assertThrows(ConfigException.class, () -> load("model.dimension = 4\n" + c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void bufferedModeReadsItsKeysAndSyncIsTheDefault() throws Exception {
        assertNull(load("model.dimension = 4\n").buffered(), "sync by default");
        assertNull(load("model.dimension = 4\nround.mode = sync\n").buffered());
        GatewayConfig c = load("model.dimension = 4\nround.mode = buffered\nround.bufferSize = 5\n");
        assertEquals(new BufferedSettings(5, 4), c.buffered(), "round.maxStaleness defaults to 4");
        assertEquals(new BufferedSettings(3, 0), load("model.dimension = 4\nround.mode = buffered\nround.bufferSize = 3\n"
                + "round.maxStaleness = 0\n").buffered());
        assertEquals(new BufferedSettings(3, 4, 2), load("model.dimension = 4\nround.mode = buffered\nround.bufferSize = 3\n"
                + "round.serverStepShift = 2\n").buffered(), "a server step of 2^-2");
    }

    @Test
    void refusesBufferedSettingsThatCannotBeRunNamingTheKey() {
        String[][] cases = {
            {"round.mode = async\n", "config key round.mode = async is invalid: must be sync or buffered"},
            {"round.bufferSize = 4\n", "config key round.bufferSize applies only with round.mode = buffered"},
            {"round.mode = sync\nround.maxStaleness = 2\n", "config key round.maxStaleness applies only with round.mode = buffered"},
            {"round.mode = buffered\n", "config key round.bufferSize is required with round.mode = buffered"},
            {"round.mode = buffered\nround.bufferSize = 0\n", "config key round.bufferSize = 0 is invalid"},
            {"round.mode = buffered\nround.bufferSize = 4\nround.maxStaleness = 17\n",
                "config key round.maxStaleness = 17 is invalid: must be in 0..16"},
            {"round.mode = sync\nround.serverStepShift = 1\n", "config key round.serverStepShift applies only with round.mode = buffered"},
            {"round.mode = buffered\nround.bufferSize = 4\nround.serverStepShift = 17\n",
                "config key round.serverStepShift = 17 is invalid: must be in 0..16"},
        };
        for (String[] c : cases) {
            ConfigException e = assertThrows(ConfigException.class, () -> load("model.dimension = 4\n" + c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    private Path secretFile(String name, String text, String permissions) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(permissions));
        return f;
    }

    @Test
    void readsTheBoundOnAnUpdatesNonZeroCoordinates() throws Exception {
        assertEquals(Integer.MAX_VALUE, load("model.dimension = 100\n").maxNonZero(), "no bound by default");
        assertEquals(10, load("model.dimension = 100\nround.maxNonZero = 10\n").maxNonZero());
        for (String bad : new String[] {"0", "101", "-1"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> load("model.dimension = 100\nround.maxNonZero = " + bad + "\n"));
            assertTrue(e.getMessage().contains("config key round.maxNonZero = " + bad + " is invalid: must be in 1..100"), e.getMessage());
        }
    }

    @Test
    void readsCentralNoiseAndRefusesItsBadSettingsNamingTheKey() throws Exception {
        String hex = "0f".repeat(32);
        secretFile("central.secret", hex + "\n", "rw-------");
        GatewayConfig c = load("model.dimension = 4\nprivacy.central.sigma2 = 18/4\nprivacy.central.secretFile = central.secret\n");
        assertEquals("9/2", c.centralNoise().sigma2(), "kept in lowest terms");
        assertNull(load("model.dimension = 4\n").centralNoise(), "no noise unless configured");

        secretFile("short.secret", "0f".repeat(31), "rw-------");
        secretFile("text.secret", "not a hex secret at all, but long enough to be one if it were hex digits only", "rw-------");
        secretFile("open.secret", hex, "rw-r--r--");
        String[][] cases = {
            {"privacy.central.sigma2 = 4\n", "privacy.central.sigma2 and privacy.central.secretFile go together"},
            {"privacy.central.secretFile = central.secret\n", "(sigma2 is missing)"},
            {"privacy.central.sigma2 = 0\nprivacy.central.secretFile = central.secret\n", "sigma^2 is 0/1; it must be positive"},
            {"privacy.central.sigma2 = 1.5\nprivacy.central.secretFile = central.secret\n",
                "sigma^2 = 1.5 is not an integer or a fraction p/q"},
            {"privacy.central.sigma2 = 1/0\nprivacy.central.secretFile = central.secret\n", "denominator is 0"},
            {"privacy.central.sigma2 = 18446744073709551617\nprivacy.central.secretFile = central.secret\n", "at most 2^64"},
            {"privacy.central.sigma2 = 4\nprivacy.central.secretFile = short.secret\n", "has 31 bytes; it must have at least 32"},
            {"privacy.central.sigma2 = 4\nprivacy.central.secretFile = text.secret\n", "hexadecimal digits and nothing else"},
            {"privacy.central.sigma2 = 4\nprivacy.central.secretFile = open.secret\n", "can be read by its group"},
            {"privacy.central.sigma2 = 4\nprivacy.central.secretFile = missing.secret\n", "cannot read"},
        };
        for (String[] k : cases) {
            ConfigException e = assertThrows(ConfigException.class, () -> load("model.dimension = 4\n" + k[0]), k[0]);
            assertTrue(e.getMessage().contains(k[1]), e.getMessage());
        }
    }

    @Test
    void aPipelineLineIsTheAggregatorAndItsQuorumIsEveryStepsOwn() throws Exception {
        GatewayConfig c = load("model.dimension = 4\naggregator = norm-screen(2,2) > nnm(2) >multi-krum(2)\n");
        assertEquals(AggregatorKind.PIPELINE, c.aggregation().kind());
        assertEquals("norm-screen(2, 2) > nnm(2) > multi-krum(2, auto, common)", c.aggregation().ruleName());
        assertEquals(11, c.aggregation().quorum());
        assertEquals("none", c.aggregation().metricName());
        assertEquals(0, c.aggregation().f());
        assertTrue(load("model.dimension = 4\naggregator = nnm(1) > centered-clip(1, 3)\n").aggregation().usesReference());
        GatewayConfig median = load("model.dimension = 4\naggregator = median(1)\nround.minUpdates = 4\n");
        assertEquals(4, median.aggregation().quorum(), "round.minUpdates raises a pipeline's quorum");
    }

    @Test
    void aPipelineLineIsRefusedNamingTheKeyAndTheProblem() {
        String[][] bad = {
            {"aggregator = norm-screen(2) > mean", "config key aggregator = norm-screen(2) > mean is invalid: norm-screen takes two numbers"},
            {"aggregator = nnm(1)", "is invalid: "},
            {"aggregator = median(1)\nf = 1", "config key f does not apply to aggregator = median(1)"},
            {"aggregator = trimmed-mean(1)\nmetric = pairwise", "config key metric does not apply"},
        };
        for (String[] b : bad) {
            ConfigException e = assertThrows(ConfigException.class, () -> load("model.dimension = 4\n" + b[0] + "\n"), b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + ": " + e.getMessage());
        }
    }

    @Test
    void reputationWeightingNeedsTheLedgerAndAnAveragingAggregator() throws Exception {
        assertTrue(load("model.dimension = 4\naggregator = centered-clip(1, 3)\nreputation.weighting = true\n").reputation()
                .weighting());
        assertTrue(load("model.dimension = 4\naggregator = nnm(1) > multi-krum(1)\nreputation.weighting = true\n").reputation()
                .weighting());
        String[][] bad = {
            {"aggregator = median(1)", "config key reputation.weighting = true is invalid: must be an aggregator that averages, but"
                    + " aggregator = median(1): weights apply to averaging aggregators (mean, multi-krum, centered-clip), not median"},
            {"aggregator = krum\nf = 1", "the krum aggregator is not weighted"},
            {"aggregator = multi-krum\nf = 1", "write it as a pipeline (multi-krum(f)) to weight it"},
            {"aggregator = mean\nreputation.enabled = false", "only with reputation.enabled = true"},
        };
        for (String[] b : bad) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> load("model.dimension = 4\n" + b[0] + "\nreputation.weighting = true\n"), b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + ": " + e.getMessage());
        }
    }

    @Test
    void refusesUnknownKeysMissingDimensionAndBadValues() {
        assertTrue(assertThrows(ConfigException.class, () -> load("model.dimension = 4\nagregator = krum\n"))
                .getMessage().contains("unknown config key(s) [agregator]"));
        assertTrue(assertThrows(ConfigException.class, () -> load("f = 1\n")).getMessage().contains("model.dimension is required"));
        assertTrue(assertThrows(ConfigException.class, () -> load("model.dimension = 0\n")).getMessage().contains("model.dimension = 0"));
        assertTrue(assertThrows(ConfigException.class, () -> load("model.dimension = 4\naggregator = krum\nf = -1\n")).getMessage()
                .contains("f must be >= 0"));
        assertTrue(assertThrows(ConfigException.class, () -> load("model.dimension = 4\naggregator = medoid\n")).getMessage()
                .contains("unknown rule 'medoid'"));
        assertTrue(assertThrows(ConfigException.class, () -> load("model.dimension = 4\nfleet = a/b\n")).getMessage().contains("fleet"));
        assertTrue(assertThrows(ConfigException.class, () -> load("model.dimension = x\n")).getMessage().contains("not an integer"));
        assertTrue(assertThrows(ConfigException.class, () -> load("model.dimension = 4\nbroker.uri = mqtt://h\n")).getMessage()
                .contains("broker.uri"));
    }

    /** Found by GatewayConfigFuzzTest (corpus input finding-not-utf8): the reader's MalformedInputException leaked. */
    @Test
    void refusesAConfigFileThatIsNotUtf8NamingTheFile() throws Exception {
        Path f = dir.resolve("gw.properties");
        Files.write(f, new byte[] {'m', 'o', 'd', 'e', 'l', '.', 'i', 'd', '=', (byte) 0x8A, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfig.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    /** Found by GatewayConfigFuzzTest (corpus input finding-nul-in-a-path): Path.resolve's InvalidPathException leaked. */
    @Test
    void refusesAPathKeyHoldingANulCharacterNamingTheKey() {
        for (String key : new String[] {"keys.file", "broker.trustStore", "model.initial", "state.dir"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> load("model.dimension = 4\n" + key + " = a\u0000b\n"));
            assertTrue(e.getMessage().contains("gw.properties: config key " + key + " is not a path"), e.getMessage());
        }
    }

    /** Seen while reading GatewayConfig.load for its fuzz test (corpus input review-malformed-unicode-escape). */
    @Test
    void refusesAMalformedUnicodeEscapeNamingTheFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("model.dimension = 4\nfleet = \\u12\n"));
        assertTrue(e.getMessage().contains("gw.properties: Malformed \\uxxxx encoding"), e.getMessage());
    }

    @Test
    void readsAnInitialModelInTheSection7LayoutAndRefusesOtherSizes() throws Exception {
        Bfp16Block b = Bfp16Block.of(-5, new short[] {1, 2, -3});
        Path f = dir.resolve("init.bin");
        Files.write(f, BlockBytes.write(b));
        assertEquals(b, Gateway.readModel(f, 3));
        assertTrue(assertThrows(ConfigException.class, () -> Gateway.readModel(f, 4)).getMessage().contains("has 14 bytes"));
    }
}
