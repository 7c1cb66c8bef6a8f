package org.qoraedge.gateway.deploy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.qoraedge.gateway.protocol.Topics;

/**
 * A Mosquitto 2.x deployment for one fleet: the broker configuration (one listener, TLS unless
 * plain loopback was asked for, no anonymous access, password and ACL files, packet and queue
 * limits from {@link BrokerLimits}, persistence), the hashed password file, the ACL, and the MQTT
 * credentials of the gateway and of each node. Passwords are generated here, 192 random bits
 * each, and exist in clear only in the credentials files, which are created readable by their
 * owner only (0600). Built once by {@link #generate}, then written by {@link #write}.
 */
public final class MosquittoDeployment {
    /** Name of the broker configuration file, under {@code mosquitto/}. */
    public static final String CONF = "mosquitto/qora-edge.conf";
    /** Name of the password file, under {@code mosquitto/}. */
    public static final String PASSWD = "mosquitto/passwd";
    /** Name of the ACL file, under {@code mosquitto/}. */
    public static final String ACL = "mosquitto/acl";
    /** Name of the gateway's credentials (lines for gateway.properties). */
    public static final String GATEWAY_CREDENTIALS = "gateway-mqtt.properties";
    /** Directory of the nodes' credentials, {@code NODE.mqtt}. */
    public static final String NODES_DIR = "nodes";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");

    /**
     * What to generate.
     *
     * @param fleet the fleet (topic level)
     * @param nodeIds every registered node id: each becomes a Mosquitto user of that name
     * @param gatewayUser the gateway's Mosquitto user (must not be a node id)
     * @param limits packet and queue limits
     * @param listener the listener
     * @param brokerDir the directory where the broker will read {@code passwd} and {@code acl}
     * @param persistenceDir Mosquitto's {@code persistence_location}
     */
    public record Request(String fleet, List<String> nodeIds, String gatewayUser, BrokerLimits limits, Listener listener,
            Path brokerDir, Path persistenceDir) {
        public Request {
            nodeIds = List.copyOf(new TreeSet<>(nodeIds));
        }
    }

    /**
     * The listener: a port, an optional bind address, and TLS files (PEM) or none.
     *
     * @param port TCP port
     * @param bindAddress address to bind, or null for every interface
     * @param certFile server certificate (PEM), null for plain TCP
     * @param keyFile server key (PEM), null for plain TCP
     * @param caFile CA certificate(s) to send with the chain or to check client certificates, may be null
     */
    public record Listener(int port, String bindAddress, Path certFile, Path keyFile, Path caFile) {
        public Listener {
            if (port < 1 || port > 65535) {
                throw new DeploymentException("listener port " + port + " is out of range 1..65535");
            }
            if ((certFile == null) != (keyFile == null)) {
                throw new DeploymentException("TLS needs both the certificate and its key; got " + (certFile == null ? "only the key" : "only the certificate"));
            }
            if (certFile == null && caFile != null) {
                throw new DeploymentException("a CA file without a certificate and key: TLS needs --tls-cert and --tls-key");
            }
            if (certFile == null && !isLoopback(bindAddress)) {
                throw new DeploymentException("a plain (non-TLS) listener must be bound to a loopback address (127.0.0.1 or ::1), got "
                        + (bindAddress == null ? "every interface" : bindAddress) + ": passwords would cross the network in clear");
            }
        }

        public boolean tls() {
            return certFile != null;
        }

        static boolean isLoopback(String address) {
            return address != null && (address.equals("localhost") || address.startsWith("127.") || address.equals("::1"));
        }
    }

    private final Map<String, byte[]> files;
    private final Map<String, Set<PosixFilePermission>> modes;
    private final Request request;

    private MosquittoDeployment(Request request, Map<String, byte[]> files, Map<String, Set<PosixFilePermission>> modes) {
        this.request = request;
        this.files = files;
        this.modes = modes;
    }

    /** Checks every name and builds every file's content; passwords come from {@code random}. */
    public static MosquittoDeployment generate(Request r, SecureRandom random) {
        BrokerNames.check("fleet", r.fleet());
        BrokerNames.check("gateway user", r.gatewayUser());
        if (r.nodeIds().isEmpty()) {
            throw new DeploymentException("the key registry lists no node: there is nobody to give broker credentials to");
        }
        for (String id : r.nodeIds()) {
            BrokerNames.check("node id", id);
        }
        if (r.nodeIds().contains(r.gatewayUser())) {
            throw new DeploymentException("gateway user " + r.gatewayUser() + " is also a node id in the key registry; choose another"
                    + " gateway user (--gateway-user), or a node could log in as the gateway");
        }
        Topics t = new Topics(r.fleet());
        Map<String, byte[]> files = new LinkedHashMap<>();
        Map<String, Set<PosixFilePermission>> modes = new LinkedHashMap<>();
        StringBuilder passwd = new StringBuilder();
        String gwPassword = MosquittoPasswords.generatePassword(random);
        passwd.append(MosquittoPasswords.line(r.gatewayUser(), gwPassword, random)).append('\n');
        put(files, modes, GATEWAY_CREDENTIALS, "# MQTT credentials of the gateway of fleet " + r.fleet() + " (written by qora-edge-gateway"
                + " mosquitto-config).\n# Copy these two lines into gateway.properties (and keep that file private).\n"
                + "broker.username = " + r.gatewayUser() + "\nbroker.password = " + gwPassword + "\n", OWNER_ONLY);
        for (String id : r.nodeIds()) {
            String pw = MosquittoPasswords.generatePassword(random);
            passwd.append(MosquittoPasswords.line(id, pw, random)).append('\n');
            put(files, modes, NODES_DIR + "/" + id + ".mqtt", "# MQTT credentials of node " + id + " of fleet " + r.fleet()
                    + "; keep private.\n# The MQTT client id is free; give the node the gateway's CA certificate to check the broker.\n"
                    + "username = " + id + "\npassword = " + pw + "\n", OWNER_ONLY);
        }
        put(files, modes, PASSWD, passwd.toString(), OWNER_ONLY);
        put(files, modes, ACL, acl(r, t), READABLE);
        put(files, modes, CONF, conf(r), READABLE);
        return new MosquittoDeployment(r, files, modes);
    }

    private static void put(Map<String, byte[]> files, Map<String, Set<PosixFilePermission>> modes, String name, String text,
            Set<PosixFilePermission> mode) {
        files.put(name, text.getBytes(StandardCharsets.UTF_8));
        modes.put(name, mode);
    }

    private static String acl(Request r, Topics t) {
        StringBuilder b = new StringBuilder();
        b.append("# Mosquitto ACL of Qora Edge fleet ").append(r.fleet()).append(" (written by qora-edge-gateway mosquitto-config).\n")
                .append("# Nothing is granted before the first \"user\" line, so an anonymous client (refused anyway:\n")
                .append("# allow_anonymous false) may neither publish nor subscribe; nor may any user outside this file.\n\n")
                .append("# The gateway: the only publisher of the round, the model, its status, rejections and audit\n")
                .append("# records; the only reader of updates, births and deaths. It reads its retained topics back\n")
                .append("# to notice when they are overwritten.\n")
                .append("user ").append(r.gatewayUser()).append('\n');
        for (String topic : List.of(t.round(), t.model(), t.gatewayStatus())) {
            b.append("topic readwrite ").append(topic).append('\n');
        }
        b.append("topic write ").append(t.audit()).append('\n');
        b.append("topic write ").append(Topics.ROOT).append(r.fleet()).append("/reject/+").append('\n');
        b.append("topic read ").append(t.updateWildcard()).append('\n');
        b.append("topic read ").append(t.birthWildcard()).append('\n');
        b.append("topic read ").append(t.deathWildcard()).append('\n');
        for (String id : r.nodeIds()) {
            b.append("\n# node ").append(id).append(": publishes only its own update, birth and death (its Will);\n")
                    .append("# reads the round, the model, the gateway's status and its own rejections.\n")
                    .append("user ").append(id).append('\n')
                    .append("topic write ").append(t.update(id)).append('\n')
                    .append("topic write ").append(t.birth(id)).append('\n')
                    .append("topic write ").append(t.death(id)).append('\n')
                    .append("topic read ").append(t.round()).append('\n')
                    .append("topic read ").append(t.model()).append('\n')
                    .append("topic read ").append(t.gatewayStatus()).append('\n')
                    .append("topic read ").append(t.reject(id)).append('\n');
        }
        return b.toString();
    }

    private static String conf(Request r) {
        BrokerLimits l = r.limits();
        Listener li = r.listener();
        StringBuilder b = new StringBuilder();
        b.append("# Mosquitto 2.x configuration of Qora Edge fleet ").append(r.fleet())
                .append(", written by qora-edge-gateway mosquitto-config\n")
                .append("# from the gateway's config and key registry (").append(r.nodeIds().size()).append(" nodes, model dimension ")
                .append(l.dimension()).append("). Run the command again (--force) after adding nodes or\n")
                .append("# changing model.dimension or audit.maxFrames. docs/SECURITY.md explains every line.\n\n")
                .append("# One set of rules for every listener; no anonymous client; a password per client; an ACL per topic.\n")
                .append("per_listener_settings false\n")
                .append("allow_anonymous false\n")
                .append("password_file ").append(r.brokerDir().resolve("passwd")).append('\n')
                .append("acl_file ").append(r.brokerDir().resolve("acl")).append('\n')
                .append("allow_zero_length_clientid false\n\n");
        if (li.tls()) {
            b.append("# TLS: nodes and gateway check this certificate (broker.trustStore; the nodes' CA file).\n");
        } else {
            b.append("# Plain TCP, loopback only: for a gateway and nodes on this host, or tests. Use TLS otherwise.\n");
        }
        b.append("listener ").append(li.port());
        if (li.bindAddress() != null) {
            b.append(' ').append(li.bindAddress());
        }
        b.append('\n');
        if (li.tls()) {
            if (li.caFile() != null) {
                b.append("cafile ").append(li.caFile().toAbsolutePath()).append('\n');
            }
            b.append("certfile ").append(li.certFile().toAbsolutePath()).append('\n');
            b.append("keyfile ").append(li.keyFile().toAbsolutePath()).append('\n');
        }
        b.append("\n# The largest PUBLISH of this fleet, in Mosquitto's measure (1 + remaining length);\n")
                .append("# a client that sends a larger packet is disconnected and the packet dropped.\n# ")
                .append(l.explanation()).append('\n')
                .append("max_packet_size ").append(l.maxPacketSize()).append('\n')
                .append("\n# Queues of a client that is away (the gateway's session persists across its restarts):\n")
                .append("# room for every node's update, birth and death of several rounds; what does not fit is dropped\n")
                .append("# and counted by the broker.\n")
                .append("max_queued_messages ").append(l.maxQueuedMessages()).append('\n')
                .append("max_queued_bytes ").append(l.maxQueuedBytes()).append('\n')
                .append("\n# The retained round, model and status and the gateway's queued updates survive a broker restart.\n")
                .append("persistence true\n")
                .append("persistence_location ").append(dir(r.persistenceDir())).append('\n')
                .append("\nset_tcp_nodelay true\n");
        return b.toString();
    }

    private static String dir(Path p) {
        String s = p.toString();
        return s.endsWith("/") ? s : s + "/";
    }

    /** File names (relative to the output directory) and contents, in writing order. */
    public Map<String, byte[]> files() {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        files.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    public Request request() {
        return request;
    }

    /**
     * Writes every file under {@code outDir}. Refuses, before writing anything, when one of them
     * exists and {@code force} is false. Secret files are created with mode 0600 (set when the
     * file is created, not afterwards), written to a temporary file, forced to the device and
     * moved into place atomically.
     *
     * @return the paths written
     */
    public List<Path> write(Path outDir, boolean force) throws IOException {
        List<String> existing = new ArrayList<>();
        for (String name : files.keySet()) {
            if (Files.exists(outDir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                existing.add(outDir.resolve(name).toString());
            }
        }
        if (!existing.isEmpty() && !force) {
            throw new DeploymentException("refusing to overwrite " + existing.size() + " existing file(s) (" + String.join(", ",
                    existing.subList(0, Math.min(3, existing.size()))) + (existing.size() > 3 ? ", ..." : "")
                    + "); give --force to replace them (every password changes)");
        }
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path target = outDir.resolve(e.getKey());
            writeFile(target, e.getValue(), modes.get(e.getKey()));
            written.add(target);
        }
        return written;
    }

    private static void writeFile(Path target, byte[] bytes, Set<PosixFilePermission> mode) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)} : new FileAttribute<?>[0];
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("temporary file " + tmp + " appeared while writing; another writer?", e);
        }
        if (posix) {
            // The umask may have removed bits at creation (never added any): set the mode exactly.
            Files.setPosixFilePermissions(tmp, mode);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** One line per file for the operator: name, mode, what it is. */
    public static String describe(String name) {
        if (name.equals(CONF)) {
            return "broker configuration (Mosquitto 2.x)";
        } else if (name.equals(PASSWD)) {
            return "broker password file, hashed ($7$ PBKDF2-SHA512), mode 600";
        } else if (name.equals(ACL)) {
            return "broker ACL";
        } else if (name.equals(GATEWAY_CREDENTIALS)) {
            return "the gateway's username and password (lines for gateway.properties), mode 600";
        }
        return "node credentials, mode 600";
    }
}
