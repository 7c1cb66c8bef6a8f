package org.qoraedge.gateway.daemon;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.qoraedge.gateway.GatewayException;
import org.qoraedge.gateway.audit.AuditException;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.ops.Watchdog;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Identifiers;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.ProtocolException;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SignedText;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.qoraedge.gateway.reputation.NodeReputation;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.round.CoordinatorStatus;
import org.qoraedge.gateway.state.AtomicFiles;
import org.qoraedge.gateway.state.GatewayState;
import org.qoraedge.gateway.state.StateFile;
import org.qoraedge.gateway.state.StateStore;
import org.tinylog.Logger;
import org.tinylog.jul.JulTinylogBridge;
import org.tinylog.provider.ProviderRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code qora-edge-gateway} command line: {@code run}, {@code keys}, {@code status}. */
@Command(name = "qora-edge-gateway", mixinStandardHelpOptions = true, version = "qora-edge-gateway 0.1.0",
        description = "Qora Edge gateway: federated rounds over MQTT with integer BFP-16 Krum.",
        subcommands = {GatewayMain.Run.class, GatewayMain.Keys.class, GatewayMain.Status.class, GatewayMain.Reputation.class,
            GatewayMain.Unban.class, GatewayMain.VerifyAudit.class, MosquittoConfigCommand.class})
public final class GatewayMain implements Runnable {
    /** Exit status of {@code run} when a thread of the MQTT library died (EX_SOFTWARE). */
    public static final int EXIT_LIBRARY_FAILURE = 70;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        JulTinylogBridge.activate();
        int code;
        try {
            code = commandLine().execute(args);
        } finally {
            shutdownLogging();
        }
        System.exit(code);
    }

    /** The CLI, for tests that run commands in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new GatewayMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Refusals (every GatewayException: config, usage, keys, state, ...) and I/O errors are the
            // user's to fix: one line. A JDK IllegalArgumentException here is the JDK refusing an argument
            // the user gave (a path, say). Anything else is a bug and keeps its stack trace.
            if (ex instanceof NoSuchFileException missing) {
                cmd.getErr().println("error: " + missing.getFile() + " not found" + missingWhat(missing.getFile(), parsed));
                return 2;
            }
            if (ex instanceof GatewayException || ex instanceof IOException || ex instanceof UncheckedIOException
                    || ex instanceof IllegalArgumentException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /** Which option or config key named a file that does not exist, for the one-line error. */
    private static String missingWhat(String file, CommandLine.ParseResult parsed) {
        CommandLine.ParseResult sub = parsed;
        while (sub.hasSubcommand()) {
            sub = sub.subcommand();
        }
        for (CommandLine.Model.OptionSpec o : sub.matchedOptions()) {
            Object v = o.getValue();
            if (v instanceof Path p && (p.toString().equals(file) || p.toAbsolutePath().toString().equals(file))) {
                return " (" + o.longestName() + ")";
            }
        }
        if (file.endsWith(".key") || file.endsWith("keys.txt")) {
            return " (the config's keys.file, or a node key file)";
        }
        return " (a file the config names: keys.file, model.initial or broker.trustStore)";
    }

    static void shutdownLogging() {
        try {
            ProviderRegistry.getLoggingProvider().shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run rounds until stopped (or round.max rounds).")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "The gateway's properties file.")
        Path config;

        @Option(names = "--embedded-broker", description = "Start an embedded MQTT broker on 127.0.0.1:embedded.port and use it.")
        boolean embedded;

        @Override
        public Integer call() throws Exception {
            GatewayConfig cfg = GatewayConfig.load(config);
            Gateway.Options options = embedded ? Gateway.Options.embeddedBroker() : Gateway.Options.external();
            // A library thread that died leaves the client in a state nobody can vouch for: exit non-zero
            // so that the service manager starts a clean process (the broker redelivers what was not acknowledged).
            options.onLibraryFailure((thread, failure) -> {
                Logger.error("the MQTT library's thread '{}' died ({}); exiting with status {} so that the service manager"
                        + " restarts the gateway", thread, failure, EXIT_LIBRARY_FAILURE);
                Thread exit = new Thread(() -> System.exit(EXIT_LIBRARY_FAILURE), "qora-exit");
                exit.start();
                return false;
            });
            Gateway gw = Gateway.start(cfg, options);
            // Under systemd (Type=notify): ready now, and the watchdog pinged while healthy (docs/OPERATIONS.md).
            Watchdog watchdog = Watchdog.fromEnvironment(System.getenv(), gw::health, gw.operations()::statusLine);
            if (watchdog != null) {
                watchdog.ready();
                Logger.info("told the service manager the gateway is ready; health checked every {} ms", watchdog.interval().toMillis());
            }
            CountDownLatch stopped = new CountDownLatch(1);
            AtomicBoolean stopping = new AtomicBoolean();
            Thread hook = new Thread(() -> {
                stopping.set(true);
                if (watchdog != null) {
                    watchdog.close();
                }
                CoordinatorStatus st = gw.status();
                Logger.info("stopping while collecting round {} ({} updates accepted in it so far, not aggregated: a restart"
                        + " resumes this round from its journal); {} rounds aggregated, {} failed closed since start; state in {}",
                        st.round(), st.accepted(), st.roundsAggregated(), st.roundsFailed(), cfg.stateDir());
                try {
                    gw.close();
                    Logger.info("stopped");
                } finally {
                    stopped.countDown();
                    shutdownLogging();
                }
            }, "qora-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            while (!gw.awaitFinished(Duration.ofSeconds(1))) {
                // rounds run until round.max or a signal
            }
            if (stopping.get()) {
                stopped.await(30, TimeUnit.SECONDS);
                return 0;
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                stopped.await(30, TimeUnit.SECONDS);
                return 0;
            }
            boolean failed = gw.coordinator().failed();
            if (watchdog != null) {
                watchdog.close();
            }
            gw.close();
            return failed ? 1 : 0;
        }
    }

    @Command(name = "reputation", mixinStandardHelpOptions = true, description = "Print every node's reputation from the state directory (safe while the gateway runs).")
    static final class Reputation extends StateDirCommand {
        @Override
        public Integer call() throws IOException {
            GatewayConfig cfg = GatewayConfig.load(config);
            Path file = stateDir().resolve(StateStore.STATE_FILE);
            PrintWriter out = spec.commandLine().getOut();
            Map<String, NodeReputation> known = new TreeMap<>();
            if (Files.exists(file)) {
                GatewayState st = StateFile.read(file);
                out.printf(Locale.ROOT, "fleet %s, collecting round %d, %d rounds aggregated, %d failed%n", st.fleet(), st.round(),
                        st.roundsAggregated(), st.roundsFailed());
                known.putAll(st.reputation());
            } else {
                out.printf(Locale.ROOT, "fleet %s: no round yet (%s does not exist: the gateway has not run with this"
                        + " state.dir)%n", cfg.fleet(), file);
            }
            Set<String> registered = Files.exists(cfg.keysFile()) ? KeyFiles.readRegistry(cfg.keysFile()).keySet() : Set.of();
            out.printf(Locale.ROOT, "%-24s %9s %-14s %6s %8s %5s %11s%n", "node", "score", "banned", "seen", "selected",
                    "far", "misbehaved");
            Set<String> all = new TreeSet<>(known.keySet());
            all.addAll(registered);
            for (String node : all) {
                NodeReputation r = known.get(node);
                if (r == null) {
                    out.printf(Locale.ROOT, "%-24s %9s %-14s %6s %8s %5s %11s%n", node, "0.500000", "no", "-", "-", "-",
                            "- (not seen yet)");
                    continue;
                }
                out.printf(Locale.ROOT, "%-24s %9s %-14s %6d %8d %5d %11d%s%n", node,
                        String.format(Locale.ROOT, "%d.%06d", r.score() / 1_000_000, r.score() % 1_000_000),
                        r.banned() ? "since round " + r.bannedSinceRound() : "no", r.roundsSeen(), r.timesSelected(), r.timesFar(),
                        r.timesMisbehaved(), registered.isEmpty() || registered.contains(node) ? "" : "  (no longer in keys.file)");
            }
            ReputationSettings rs = cfg.reputation();
            out.printf(Locale.ROOT, "score: 0 to 1, a new node starts at 0.5 and is banned below %s (reputation.ban-below)%s;"
                    + " seen: rounds that named the node (accepted, misbehaving or absent); selected: rounds its update was selected"
                    + " (Krum rules) or was among the closer half of a rule that uses every update (docs/REPUTATION.md section 3);"
                    + " far: rounds its update was far outside the round; misbehaved: signed frames that broke the round's rules"
                    + " (docs/REPUTATION.md)%n", String.format(Locale.ROOT, "%d.%06d", rs.banBelowPpm() / 1_000_000,
                    rs.banBelowPpm() % 1_000_000), rs.enabled() ? "" : "; reputation.enabled = false: nothing is scored");
            out.flush();
            return 0;
        }
    }

    @Command(name = "unban", mixinStandardHelpOptions = true, description = "Lift a node's ban: the running gateway applies it at the next round close"
            + " (and records it in that round's audit record); a stopped one when it next closes a round.")
    static final class Unban extends StateDirCommand {
        @CommandLine.Parameters(index = "0", description = "The node id.")
        String node;

        @Option(names = "--reason", defaultValue = "", description = "Why (kept in the audit record).")
        String reason;

        @Override
        public Integer call() throws IOException {
            Identifiers.utf8("node id", node);
            Path dir = stateDir();
            Path file = dir.resolve(StateStore.STATE_FILE);
            if (Files.exists(file)) {
                var r = StateFile.read(file).reputation().get(node);
                if (r == null || !r.banned()) {
                    throw new UsageException("node " + node + " is not banned in " + file);
                }
            }
            Path req = StateStore.requestUnban(dir, node, reason);
            spec.commandLine().getOut().println("unban of " + node + " requested (" + req + "); the gateway applies it when it"
                    + " closes its next round and records it in that round's audit record");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "verify-audit", mixinStandardHelpOptions = true, description = "Verify the audit log's chain and signatures (cross-check replay also recomputes rounds).")
    static final class VerifyAudit extends StateDirCommand {
        @Override
        public Integer call() throws IOException {
            Path log = stateDir().resolve(StateStore.AUDIT_LOG);
            if (!Files.exists(log)) {
                spec.commandLine().getOut().println(log + " does not exist yet: no round has closed with this state.dir");
                spec.commandLine().getOut().flush();
                return 0;
            }
            try {
                var v = AuditLog.verifyFile(log, null);
                spec.commandLine().getOut().println(log + ": " + v.records().size() + " records, chain and signatures verify; head "
                        + v.head());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (AuditException e) {
                spec.commandLine().getErr().println("audit log does not verify: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 1;
            }
        }
    }

    /** A command that works on the state directory of a gateway's config. */
    abstract static class StateDirCommand implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "The gateway's properties file.")
        Path config;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** The config's state directory. */
        Path stateDir() throws IOException {
            GatewayConfig cfg = GatewayConfig.load(config);
            if (cfg.stateDir() == null) {
                throw new UsageException(config + " has no state.dir");
            }
            return cfg.stateDir();
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "Generate node keys: appends each node's line to the gateway's key registry"
            + " and writes the node's credentials file (its secret) to --out-dir.")
    static final class Keys implements Callable<Integer> {
        @Option(names = "--node", description = "Node id (repeatable).")
        List<String> nodes = new ArrayList<>();

        @Option(names = "--count", description = "Also generate COUNT nodes named PREFIX01, PREFIX02, ...")
        int count;

        @Option(names = "--prefix", defaultValue = "node-", description = "Prefix of generated node ids (default ${DEFAULT-VALUE}).")
        String prefix;

        @Option(names = "--scheme", defaultValue = "hmac-sha256", description = "hmac-sha256 or ed25519 (default ${DEFAULT-VALUE}).")
        String scheme;

        @Option(names = "--config", description = "The gateway's properties file: its keys.file is the registry (unless --registry"
                + " is given), and the gateway key in its state.dir (created if absent) is pinned in every node's credentials.")
        Path config;

        @Option(names = "--registry", description = "The gateway's key file (keys.file); created or appended to. Default: the"
                + " config's keys.file.")
        Path registry;

        @Option(names = "--gateway-key", description = "Pin this gateway public key (64 hex) instead of the config's gateway key.")
        String gatewayKeyHex;

        @Option(names = "--gateway-id", defaultValue = "gateway", description = "The gateway id that goes with --gateway-key"
                + " (default ${DEFAULT-VALUE}).")
        String gatewayIdOption;

        @Option(names = "--out-dir", required = true, description = "Directory for the nodes' credentials files NODE.key.")
        Path outDir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            SignatureScheme s = SignatureScheme.ofKeyFileName(scheme);
            String gatewayId;
            byte[] gatewayKey;
            if (gatewayKeyHex != null) {
                try {
                    gatewayKey = HexFormat.of().parseHex(gatewayKeyHex);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--gateway-key is not hex: " + gatewayKeyHex);
                }
                if (gatewayKey.length != 32) {
                    throw new UsageException("--gateway-key has " + gatewayKey.length + " bytes; an ed25519 public key has 32");
                }
                try {
                    Ed25519Keys.publicPoint(gatewayKey);
                } catch (ProtocolException e) {
                    // Nodes would refuse it when they load their credentials: refuse it before writing any.
                    throw new UsageException("--gateway-key " + gatewayKeyHex + ": " + e.getMessage());
                }
                gatewayId = gatewayIdOption;
            } else if (config != null) {
                GatewayConfig cfg = GatewayConfig.load(config);
                if (cfg.stateDir() == null) {
                    throw new UsageException(config + " has no state.dir, so no gateway key to pin: give --gateway-key");
                }
                Files.createDirectories(cfg.stateDir());
                gatewayKey = Ed25519Keys.publicKeyOf(Gateway.gatewaySeed(cfg));
                gatewayId = cfg.gatewayId();
            } else {
                throw new UsageException("nodes trust only the gateway key they are provisioned with: give --config"
                        + " (the gateway's properties file) or --gateway-key");
            }
            if (registry == null) {
                if (config == null) {
                    throw new UsageException("give --registry or --config (whose keys.file is the registry)");
                }
                registry = GatewayConfig.load(config).keysFile();
            }
            Set<String> ids = new TreeSet<>(nodes);
            int width = Math.max(2, Integer.toString(count).length());
            for (int i = 1; i <= count; i++) {
                ids.add(prefix + String.format("%0" + width + "d", i));
            }
            if (ids.isEmpty()) {
                throw new UsageException("no node ids: give --node ID or --count N");
            }
            Set<String> existing = new TreeSet<>();
            if (Files.exists(registry)) {
                for (KeyFiles.Entry e : KeyFiles.read(registry)) {
                    existing.add(e.nodeId());
                }
            }
            for (String id : ids) {
                if (existing.contains(id)) {
                    throw new UsageException("node " + id + " already has a key in " + registry);
                }
            }
            Files.createDirectories(outDir);
            SecureRandom random = new SecureRandom();
            StringBuilder lines = new StringBuilder();
            PrintWriter out = spec.commandLine().getOut();
            for (String id : ids) {
                NodeCredentials c = NodeCredentials.generate(id, s, random).withGateway(gatewayId, gatewayKey);
                Path credFile = outDir.resolve(id + ".key");
                if (Files.exists(credFile)) {
                    throw new UsageException(credFile + " exists; refusing to overwrite a node's key");
                }
                AtomicFiles.write(credFile, c.credentialsFile().getBytes(StandardCharsets.UTF_8));
                lines.append(c.registryLine()).append('\n');
                out.println("generated " + s.keyFileName() + " key for " + id + " -> " + credFile);
            }
            Path parent = registry.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            if (Files.exists(registry) && Files.size(registry) > 0) {
                byte[] existingBytes = Files.readAllBytes(registry);
                if (existingBytes[existingBytes.length - 1] != '\n') {
                    lines.insert(0, '\n');
                }
            }
            if (!Files.exists(registry)) {
                // It holds the nodes' HMAC secrets: readable by its owner only, from the first byte.
                try {
                    Files.createFile(registry, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createFile(registry);
                }
            }
            Files.writeString(registry, lines.toString(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            try {
                Files.setPosixFilePermissions(registry, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // not a POSIX file system: its own access rules apply
            }
            out.println("appended " + ids.size() + " line(s) to " + registry + "; every node pins gateway " + gatewayId + " key "
                    + HexFormat.of().formatHex(gatewayKey));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Print the gateway status and the current round announcement (retained messages).")
    static final class Status implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "The gateway's properties file (broker and fleet are read from it).")
        Path config;

        @Option(names = "--timeout-ms", defaultValue = "3000", description = "How long to wait for retained messages (default ${DEFAULT-VALUE}).")
        long timeoutMs;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            GatewayConfig cfg = GatewayConfig.load(config);
            Topics t = new Topics(cfg.fleet());
            AtomicReference<byte[]> status = new AtomicReference<>();
            AtomicReference<byte[]> round = new AtomicReference<>();
            CountDownLatch both = new CountDownLatch(2);
            MqttSettings settings = mqttSettings(cfg, Duration.ofMillis(timeoutMs));
            try (MqttLink link = new MqttLink(settings, List.of(new MqttLink.Subscription(t.gatewayStatus(), 1),
                    new MqttLink.Subscription(t.round(), 1)), (topic, msg) -> {
                        if (topic.equals(t.gatewayStatus()) && status.getAndSet(msg.getPayload()) == null) {
                            both.countDown();
                        } else if (topic.equals(t.round()) && round.getAndSet(msg.getPayload()) == null) {
                            both.countDown();
                        }
                    }, null, null)) {
                link.connect();
                both.await(timeoutMs, TimeUnit.MILLISECONDS);
            }
            // The retained messages are informational: check them against this gateway's own key.
            VerifyingKey key = null;
            Path keyFile = cfg.stateDir() == null ? null : cfg.stateDir().resolve("gateway.key");
            if (keyFile != null && Files.exists(keyFile)) {
                key = VerifyingKey.ed25519(
                        Ed25519Keys.publicKeyOf(Gateway.gatewaySeed(cfg)));
            }
            PrintWriter out = spec.commandLine().getOut();
            boolean forged = false;
            for (String[] topicAndName : new String[][] {{t.gatewayStatus(), "status"}, {t.round(), "round"}}) {
                byte[] p = topicAndName[1].equals("status") ? status.get() : round.get();
                out.println("# " + topicAndName[0]);
                if (p == null) {
                    out.println(topicAndName[1].equals("status") ? "(no retained status: no gateway has run on this fleet)"
                            : "(no retained round announcement)");
                    continue;
                }
                out.print(new String(p, StandardCharsets.UTF_8));
                if (key == null) {
                    out.println("# signature not checked: no gateway key in the config's state.dir");
                    continue;
                }
                try {
                    SignedText.verify(topicAndName[0], p, key);
                    out.println("# signed by this gateway's key");
                } catch (ProtocolException e) {
                    forged = true;
                    out.println("# WARNING: " + e.getMessage() + " (" + keyFile + "): another client published it");
                }
            }
            out.flush();
            if (forged) {
                return 3;
            }
            return status.get() == null ? 1 : 0;
        }

        /**
         * The command's connection: the config's broker, credentials and trust store, a client id of
         * its own ({@code qora-status-} and 8 random hex digits), a clean session, no Will.
         */
        static MqttSettings mqttSettings(GatewayConfig cfg, Duration timeout) {
            return Gateway.mqttSettings(cfg, cfg.brokerUri(), "qora-status-" + UUID.randomUUID().toString().substring(0, 8))
                    .firstConnectTimeout(timeout)
                    .build();
        }
    }

}
