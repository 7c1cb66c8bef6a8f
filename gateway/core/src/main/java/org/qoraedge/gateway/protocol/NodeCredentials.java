package org.qoraedge.gateway.protocol;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A node's identity: its id and signing key. Immutable. {@link #registryLine()} gives the line the
 * gateway's key file needs for this node.
 */
public final class NodeCredentials {
    private final String nodeId;
    private final SignatureScheme scheme;
    private final byte[] secret;
    private final FrameSigner signer;
    private final String gatewayId;
    private final byte[] gatewayKey;

    private NodeCredentials(String nodeId, SignatureScheme scheme, byte[] secret) {
        this(nodeId, scheme, secret, null, null);
    }

    private NodeCredentials(String nodeId, SignatureScheme scheme, byte[] secret, String gatewayId, byte[] gatewayKey) {
        Identifiers.utf8("node id", nodeId);
        this.nodeId = nodeId;
        this.scheme = scheme;
        this.secret = secret.clone();
        this.signer = scheme == SignatureScheme.HMAC_SHA256 ? FrameSigner.hmac(secret) : FrameSigner.ed25519(secret);
        this.gatewayId = gatewayId;
        this.gatewayKey = gatewayKey == null ? null : gatewayKey.clone();
    }

    /**
     * These credentials with the gateway's Ed25519 public key pinned: the only key the node
     * trusts for global models and round announcements.
     */
    public NodeCredentials withGateway(String gatewayId, byte[] rawPublicKey) {
        Identifiers.utf8("gateway id", gatewayId);
        if (rawPublicKey.length != 32) {
            throw new IllegalArgumentException("an ed25519 public key has 32 bytes, got " + rawPublicKey.length);
        }
        return new NodeCredentials(nodeId, scheme, secret, gatewayId, rawPublicKey);
    }

    /** The pinned gateway's raw Ed25519 public key, or null when none is pinned. */
    public byte[] gatewayKey() {
        return gatewayKey == null ? null : gatewayKey.clone();
    }

    /** The pinned gateway's id, or null. */
    public String gatewayId() {
        return gatewayId;
    }

    /** The text of this node's credentials file: its key line, and the pinned gateway key if any. */
    public String credentialsFile() {
        return "# credentials of node " + nodeId + "; keep private\n" + credentialsLine() + "\n"
                + (gatewayKey == null ? "" : "# the gateway this node trusts\n" + KeyFiles.gatewayLine(gatewayId, gatewayKey) + "\n");
    }

    /** HMAC-SHA256 with a 32-byte secret shared with the gateway. */
    public static NodeCredentials hmac(String nodeId, byte[] secret) {
        return new NodeCredentials(nodeId, SignatureScheme.HMAC_SHA256, secret);
    }

    /** Ed25519 with a 32-byte seed; the gateway holds only the public key. */
    public static NodeCredentials ed25519(String nodeId, byte[] seed) {
        return new NodeCredentials(nodeId, SignatureScheme.ED25519, seed);
    }

    /** Fresh random credentials. */
    public static NodeCredentials generate(String nodeId, SignatureScheme scheme, SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return new NodeCredentials(nodeId, scheme, key);
    }

    public String nodeId() {
        return nodeId;
    }

    public SignatureScheme scheme() {
        return scheme;
    }

    public FrameSigner signer() {
        return signer;
    }

    /** The key the gateway verifies with: the same secret (HMAC) or the public key (Ed25519). */
    public VerifyingKey verifyingKey() {
        return scheme == SignatureScheme.HMAC_SHA256 ? VerifyingKey.hmac(secret) : VerifyingKey.ed25519(Ed25519Keys.publicKeyOf(secret));
    }

    /** This node's line in the gateway's key registry. */
    public String registryLine() {
        byte[] k = scheme == SignatureScheme.HMAC_SHA256 ? secret : Ed25519Keys.publicKeyOf(secret);
        return KeyFiles.line(nodeId, scheme, k);
    }

    /** This node's credentials file line (holds the secret or the seed: keep it private). */
    public String credentialsLine() {
        return KeyFiles.line(nodeId, scheme, secret);
    }

    @Override
    public String toString() {
        return "NodeCredentials{" + nodeId + ", " + scheme + ", key " + HexFormat.of().formatHex(secret, 0, 2) + "...}";
    }
}
