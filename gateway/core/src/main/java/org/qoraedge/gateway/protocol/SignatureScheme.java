package org.qoraedge.gateway.protocol;

/** The frame's scheme byte (offset 6) and the length of the signature that ends the frame. */
public enum SignatureScheme {
    /** HMAC-SHA256 with a 32-byte per-node secret; 32-byte tag. */
    HMAC_SHA256(1, 32, "hmac-sha256"),
    /** Ed25519 (RFC 8032, pure); 64-byte signature. */
    ED25519(2, 64, "ed25519");

    private final int code;
    private final int signatureLength;
    private final String keyFileName;

    SignatureScheme(int code, int signatureLength, String keyFileName) {
        this.code = code;
        this.signatureLength = signatureLength;
        this.keyFileName = keyFileName;
    }

    /** The scheme byte's value. */
    public int code() {
        return code;
    }

    /** Bytes of signature at the end of a frame. */
    public int signatureLength() {
        return signatureLength;
    }

    /** The scheme's name in key files. */
    public String keyFileName() {
        return keyFileName;
    }

    /** The scheme for a scheme byte, or null for an unknown value. */
    public static SignatureScheme ofCode(int code) {
        for (SignatureScheme s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }

    /** The scheme for its key-file name. */
    public static SignatureScheme ofKeyFileName(String name) {
        for (SignatureScheme s : values()) {
            if (s.keyFileName.equals(name)) {
                return s;
            }
        }
        throw new ProtocolException("unknown signature scheme '" + name + "'; expected hmac-sha256 or ed25519");
    }

    /** The longest signature of any scheme: 64 bytes. */
    public static int maxSignatureLength() {
        return 64;
    }
}
