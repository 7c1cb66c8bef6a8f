package org.qoraedge.gateway.daemon;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.qoraedge.gateway.deploy.BrokerLimits;
import org.qoraedge.gateway.deploy.DeploymentException;
import org.qoraedge.gateway.deploy.MosquittoDeployment;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.ProtocolException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mosquitto-config}: writes a locked-down Mosquitto 2.x deployment for the fleet of a
 * gateway config (docs/SECURITY.md, "Broker").
 */
@Command(name = "mosquitto-config", mixinStandardHelpOptions = true, description = {
    "Write a locked-down Mosquitto 2.x configuration, password file, ACL and MQTT credentials for the fleet.",
    "",
    "Broker configuration (TLS listener, no anonymous"
        + " access, max_packet_size and queue limits from model.dimension and the registry), hashed password file, ACL"
        + " (each node publishes only its own update/birth/death topics; only the gateway publishes round, model, status,"
        + " rejections, audit), and the MQTT credentials of the gateway and of every node of keys.file (mode 600).",
    "Files: OUT/mosquitto/{qora-edge.conf,passwd,acl}, OUT/gateway-mqtt.properties, OUT/nodes/NODE.mqtt."})
final class MosquittoConfigCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "The gateway's properties file (fleet, keys.file, model.dimension, audit.maxFrames).")
    Path config;

    @Option(names = "--out-dir", required = true, description = "Directory to write into.")
    Path outDir;

    @Option(names = "--tls-cert", description = "The broker's certificate (PEM), as the broker host will read it.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "The broker's private key (PEM), as the broker host will read it.")
    Path tlsKey;

    @Option(names = "--cafile", description = "CA certificate(s) (PEM) of the broker's chain (optional).")
    Path caFile;

    @Option(names = "--plain-loopback", description = "No TLS: a plain listener on 127.0.0.1 only (gateway and nodes on this host, tests).")
    boolean plainLoopback;

    @Option(names = "--port", description = "Listener port (default 8883 with TLS, 1883 with --plain-loopback).")
    Integer port;

    @Option(names = "--bind", description = "Listener address (default: every interface with TLS, 127.0.0.1 with --plain-loopback).")
    String bind;

    @Option(names = "--broker-dir", description = "Directory from which the broker reads passwd and acl (default: OUT/mosquitto), e.g."
            + " /etc/mosquitto/qora-edge when you install them there.")
    Path brokerDir;

    @Option(names = "--persistence-dir", defaultValue = "/var/lib/mosquitto/", description = "Mosquitto's persistence_location (default ${DEFAULT-VALUE}).")
    Path persistenceDir;

    @Option(names = "--gateway-user", description = "The gateway's MQTT username (default: broker.username of the config, else qora-gateway-FLEET).")
    String gatewayUser;

    @Option(names = "--force", description = "Overwrite existing files (every password changes).")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        try {
            return generate();
        } catch (DeploymentException | ConfigException | ProtocolException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
    }

    private int generate() throws IOException {
        if (!plainLoopback && tlsCert == null) {
            throw new DeploymentException("no TLS certificate: give --tls-cert and --tls-key (PEM files of the broker's certificate and"
                    + " key; docs/SECURITY.md, \"TLS certificates\", shows how to make a private CA and a certificate with openssl),"
                    + " or --plain-loopback for a listener on 127.0.0.1 only");
        }
        if (plainLoopback && (tlsCert != null || tlsKey != null || caFile != null)) {
            throw new DeploymentException("--plain-loopback and TLS files exclude each other");
        }
        GatewayConfig cfg = GatewayConfig.load(config);
        List<String> ids = new ArrayList<>();
        if (!Files.isRegularFile(cfg.keysFile())) {
            throw new DeploymentException("keys.file " + cfg.keysFile() + " does not exist: generate the nodes' keys first"
                    + " (qora-edge-gateway keys --registry " + cfg.keysFile() + " ...)");
        }
        for (KeyFiles.Entry e : KeyFiles.read(cfg.keysFile())) {
            ids.add(e.nodeId());
        }
        String user = gatewayUser != null ? gatewayUser : cfg.username() != null ? cfg.username() : "qora-gateway-" + cfg.fleet();
        String address = bind != null ? bind : plainLoopback ? "127.0.0.1" : null;
        int p = port != null ? port : plainLoopback ? 1883 : 8883;
        MosquittoDeployment.Listener listener = new MosquittoDeployment.Listener(p, address, tlsCert, tlsKey, caFile);
        Path out = outDir.toAbsolutePath().normalize();
        Path broker = brokerDir != null ? brokerDir : out.resolve("mosquitto");
        BrokerLimits limits = BrokerLimits.of(cfg.fleet(), ids, cfg.dimension(), cfg.auditMaxFrames());
        MosquittoDeployment d = MosquittoDeployment.generate(new MosquittoDeployment.Request(cfg.fleet(), ids, user, limits, listener,
                broker, persistenceDir), new SecureRandom());
        d.write(out, force);
        PrintWriter o = spec.commandLine().getOut();
        for (String name : d.files().keySet()) {
            o.println("wrote " + out.resolve(name) + ": " + MosquittoDeployment.describe(name));
        }
        o.println("fleet " + cfg.fleet() + ": " + ids.size() + " node users and gateway user " + user + "; listener "
                + (address == null ? "*" : address) + ":" + p + (listener.tls() ? " with TLS" : " (plain, loopback only)"));
        o.println("max_packet_size " + limits.explanation());
        o.println("next steps:");
        o.println("  1. on the broker host: install -d -m 0750 -o mosquitto -g mosquitto " + broker);
        o.println("     install -m 0600 -o mosquitto -g mosquitto " + out.resolve(MosquittoDeployment.PASSWD) + " "
                + out.resolve(MosquittoDeployment.ACL) + " " + broker + "/   (Mosquitto 2 reads them after dropping to its user)");
        o.println("     install -m 0644 " + out.resolve(MosquittoDeployment.CONF) + " /etc/mosquitto/conf.d/ && systemctl restart mosquitto");
        o.println("  2. copy the two lines of " + out.resolve(MosquittoDeployment.GATEWAY_CREDENTIALS) + " into " + config
                + (listener.tls() ? " and set broker.uri = ssl://HOST:" + p + " and broker.trustStore" : ""));
        o.println("  3. give each node its " + MosquittoDeployment.NODES_DIR + "/NODE.mqtt (with its NODE.key), over a private channel;"
                + " then delete the copies you do not need");
        o.flush();
        return 0;
    }
}
