package org.qoraedge.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qoraedge.gateway.daemon.GatewayMain;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.testing.TestNodes;
import picocli.CommandLine;

/** {@code mosquitto-config} without a broker: what it writes, with which modes, and what it refuses. */
class MosquittoConfigCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result exec(String... args) {
        CommandLine cl = GatewayMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    private Path config(String registryText, String extra) throws Exception {
        Files.writeString(dir.resolve("keys.txt"), registryText, StandardCharsets.UTF_8);
        Path cfg = dir.resolve("gateway.properties");
        Files.writeString(cfg, "fleet = plant-3\nkeys.file = keys.txt\nmodel.dimension = 7850\n" + extra);
        return cfg;
    }

    private Path config() throws Exception {
        StringBuilder reg = new StringBuilder();
        for (NodeCredentials c : TestNodes.fleet("node-", 3)) {
            reg.append(c.registryLine()).append('\n');
        }
        return config(reg.toString(), "");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void writesConfigPasswordsAclAndCredentialsWithSecretsReadableByTheOwnerOnly() throws Exception {
        Path cfg = config();
        Path out = dir.resolve("out");
        Result r = exec("mosquitto-config", "--config", cfg.toString(), "--out-dir", out.toString(), "--tls-cert", "/etc/qora/server.crt",
                "--tls-key", "/etc/qora/server.key", "--broker-dir", "/etc/mosquitto/qora-edge");
        assertEquals(0, r.code(), r.err());
        String conf = Files.readString(out.resolve(MosquittoDeployment.CONF));
        for (String line : List.of("allow_anonymous false", "password_file /etc/mosquitto/qora-edge/passwd",
                "acl_file /etc/mosquitto/qora-edge/acl", "listener 8883", "certfile /etc/qora/server.crt", "keyfile /etc/qora/server.key",
                "persistence true", "persistence_location /var/lib/mosquitto/", "max_queued_messages 1000")) {
            assertTrue(conf.lines().anyMatch(line::equals), "missing line " + line + " in\n" + conf);
        }
        // the three nodes' ids have 7 bytes; the longest topic is qora/v1/plant-3/update/node-0N (30 bytes)
        BrokerLimits l = BrokerLimits.of("plant-3", List.of("node-01", "node-02", "node-03"), 7850, 10_000);
        assertEquals(30, l.topicBytes());
        assertEquals(23_906, l.frameBytes()); // the sparse bound, docs/PROTOCOL.md section 4.1
        assertEquals(8192 + 3 * (6 * 9 + 1024) + 10_000L * (9 + 320), l.auditBytes()); // 6 copies of an id: a cohort round's eligible list is one
        assertEquals(9 + 30 + l.auditBytes(), l.maxPacketSize());
        assertTrue(conf.lines().anyMatch(("max_packet_size " + l.maxPacketSize())::equals), conf);

        String acl = Files.readString(out.resolve(MosquittoDeployment.ACL));
        assertTrue(acl.contains("user node-02\ntopic write qora/v1/plant-3/update/node-02\ntopic write qora/v1/plant-3/birth/node-02\n"
                + "topic write qora/v1/plant-3/death/node-02\ntopic read qora/v1/plant-3/round\n"), acl);
        assertTrue(acl.contains("user qora-gateway-plant-3\ntopic readwrite qora/v1/plant-3/round\n"), acl);
        assertFalse(acl.lines().anyMatch(s -> s.startsWith("topic") && acl.indexOf(s) < acl.indexOf("user ")), "a rule before any user");

        assertEquals("rw-------", mode(out.resolve(MosquittoDeployment.PASSWD)));
        assertEquals("rw-------", mode(out.resolve(MosquittoDeployment.GATEWAY_CREDENTIALS)));
        for (int i = 1; i <= 3; i++) {
            assertEquals("rw-------", mode(out.resolve("nodes/node-0" + i + ".mqtt")));
        }
        // every password of the credentials files verifies against its hashed line, and they differ
        List<String> passwd = Files.readAllLines(out.resolve(MosquittoDeployment.PASSWD));
        assertEquals(4, passwd.size());
        String pw1 = password(out.resolve("nodes/node-01.mqtt"), "password");
        String pw2 = password(out.resolve("nodes/node-02.mqtt"), "password");
        assertNotEquals(pw1, pw2);
        assertTrue(passwd.stream().anyMatch(line -> MosquittoPasswords.verify(line, "node-01", pw1)));
        assertFalse(passwd.stream().anyMatch(line -> MosquittoPasswords.verify(line, "node-01", pw2)));
        String gw = password(out.resolve(MosquittoDeployment.GATEWAY_CREDENTIALS), "broker.password");
        assertTrue(MosquittoPasswords.verify(passwd.get(0), "qora-gateway-plant-3", gw));

        // a second run refuses to overwrite, names the files, and changes nothing
        byte[] before = Files.readAllBytes(out.resolve(MosquittoDeployment.PASSWD));
        Result again = exec("mosquitto-config", "--config", cfg.toString(), "--out-dir", out.toString(), "--plain-loopback");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("refusing to overwrite 7 existing file(s)") && again.err().contains("--force"), again.err());
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(out.resolve(MosquittoDeployment.PASSWD)));
        Result forced = exec("mosquitto-config", "--config", cfg.toString(), "--out-dir", out.toString(), "--plain-loopback", "--force");
        assertEquals(0, forced.code(), forced.err());
        assertNotEquals(new String(before, StandardCharsets.UTF_8), Files.readString(out.resolve(MosquittoDeployment.PASSWD)));
        assertEquals("rw-------", mode(out.resolve(MosquittoDeployment.PASSWD)));
        assertTrue(Files.readString(out.resolve(MosquittoDeployment.CONF)).contains("\nlistener 1883 127.0.0.1\n"));
    }

    private static String password(Path file, String key) throws Exception {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return p.getProperty(key);
    }

    @Test
    void refusesToRunWithoutTlsUnlessThePlainListenerIsOnLoopback() throws Exception {
        Path cfg = config();
        Result r = exec("mosquitto-config", "--config", cfg.toString(), "--out-dir", dir.resolve("out").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no TLS certificate") && r.err().contains("--plain-loopback"), r.err());
        r = exec("mosquitto-config", "--config", cfg.toString(), "--out-dir", dir.resolve("out").toString(), "--plain-loopback", "--bind",
                "0.0.0.0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("must be bound to a loopback address"), r.err());
        assertFalse(Files.exists(dir.resolve("out")), "nothing is written when the command refuses");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node:1", "node\u00a01", "node\u20281", "node\u30001"})
    void refusesNodeIdsThatAreUnsafeInAPasswordOrAclFile(String id) throws Exception {
        // The registry's own parser already refuses / + #, ASCII whitespace and control characters;
        // these pass it and must be refused here.
        Path cfg = config(TestNodes.credentials("node-ok", false).registryLine() + "\n"
                + NodeCredentials.hmac(id, new byte[32]).registryLine() + "\n", "");
        Result r = exec("mosquitto-config", "--config", cfg.toString(), "--out-dir", dir.resolve("out").toString(), "--plain-loopback");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("cannot go into a Mosquitto password or ACL file"), r.err());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a+b", "a#b", "a/b", "a:b", "a b", "a\tb", "a\nb", "a\rb", "a\u0085b", "a\u2029b", ""})
    void brokerNamesRefuseWildcardsSeparatorsAndWhitespace(String name) {
        DeploymentException e = assertThrows(DeploymentException.class, () -> BrokerNames.check("node id", name));
        assertTrue(e.getMessage().startsWith("node id"), e.getMessage());
    }

    @Test
    void refusesAMissingKeyRegistryWithAHint() throws Exception {
        Path cfg = dir.resolve("gateway.properties");
        Files.writeString(cfg, "fleet = plant-3\nkeys.file = missing.txt\nmodel.dimension = 8\n");
        Result r = exec("mosquitto-config", "--config", cfg.toString(), "--out-dir", dir.resolve("out").toString(), "--plain-loopback");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing.txt does not exist: generate the nodes' keys first"), r.err());
    }

    @Test
    void refusesAGatewayUserThatIsAlsoANodeId() throws Exception {
        Path cfg = config();
        Result r = exec("mosquitto-config", "--config", cfg.toString(), "--out-dir", dir.resolve("out").toString(), "--plain-loopback",
                "--gateway-user", "node-02");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("gateway user node-02 is also a node id"), r.err());
    }

    @Test
    void hashesLikeMosquittoPasswd2011() {
        // written by mosquitto_passwd 2.0.11 (Debian 2.0.11-1.2+deb12u2): mosquitto_passwd -b -c FILE alice secret
        String line = "alice:$7$101$S9ULZ3/sVbXhoEUP$t6xMySKniuxoejnlO792I5+GIOdFtLAwi2HtHG0LVcb/trAULi2KO613q6GEEM2bL7HsuFwyX42lGhnb4r4Mlw==";
        assertTrue(MosquittoPasswords.verify(line, "alice", "secret"));
        assertFalse(MosquittoPasswords.verify(line, "alice", "Secret"));
        assertFalse(MosquittoPasswords.verify(line, "bob", "secret"));
        byte[] salt = Base64.getDecoder().decode("S9ULZ3/sVbXhoEUP");
        assertEquals(line.substring("alice:".length()), MosquittoPasswords.hash("secret", salt, 101));
        String generated = MosquittoPasswords.line("node-07", "pw", new SecureRandom());
        assertTrue(generated.matches("node-07:\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}=="), generated);
        assertTrue(MosquittoPasswords.verify(generated, "node-07", "pw"));
        assertTrue(MosquittoPasswords.generatePassword(new SecureRandom()).matches("[A-Za-z0-9_-]{32}"));
    }
}
