package org.qoraedge.gateway.mqtt;

import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.internal.wire.CountingInputStream;
import org.tinylog.Logger;

/**
 * Which decoding the MQTT client's receiver uses: the project's bulk-reading
 * {@code CountingInputStream} (shipped in the gateway's jar in place of Paho 1.2.5's, which copies
 * each received packet one byte per call, twice), or Paho's own when a classpath puts Paho's jar
 * first. Same bytes either way; only the speed differs (about 4.9 ms against 0.05 ms per 200 KB
 * PUBLISH), so the gateway says which one it got at start, as it does for its dot-product kernels.
 */
public final class PahoReceivePath {
    /** The Paho release the replacement class was taken from; a test fails when the dependency moves. */
    public static final String PAHO_VERSION = "1.2.5";

    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private PahoReceivePath() {
    }

    /** Logs once per JVM, at the first MQTT link, when Paho's own slow decoding is in effect (an SDK user's classpath order). */
    static void warnOnceIfByteByByte() {
        if (!bulk() && WARNED.compareAndSet(false, true)) {
            Logger.warn("MQTT receive path: {}", describe());
        }
    }

    /** True when the loaded {@code CountingInputStream} reads in bulk (the project's class). */
    public static boolean bulk() {
        try {
            return CountingInputStream.class.getMethod("read", byte[].class, int.class, int.class).getDeclaringClass()
                    == CountingInputStream.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError("InputStream.read(byte[], int, int) exists on every JDK", e);
        }
    }

    /** One line for the start-up log: the decoding in use and, when it is Paho's own, where Paho's class came from. */
    public static String describe() {
        if (bulk()) {
            return "bulk packet decoding (Paho " + PAHO_VERSION + " with the gateway's CountingInputStream)";
        }
        return "Paho's one-byte-per-call packet decoding (about 25 MB/s): its jar precedes the gateway's on the classpath ("
                + location(CountingInputStream.class) + "); put the gateway's jar first";
    }

    private static String location(Class<?> c) {
        var source = c.getProtectionDomain().getCodeSource();
        return source == null ? "unknown location" : String.valueOf(source.getLocation());
    }
}
