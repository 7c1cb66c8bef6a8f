package org.qoraedge.gateway.mqtt;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * When a link's socket last received a byte from the broker: the health check's evidence that the
 * MQTT receiver is reading (docs/OPERATIONS.md, "Health"). A connected client receives at least a
 * PINGRESP every keep-alive interval, so a long silence on a connected link means a receiver that
 * stopped. Stamped below Paho, on the socket's own stream, so it sees PINGRESPs and acknowledgements
 * as well as messages. Thread-safe.
 */
public final class InboundActivity {
    /** {@link System#nanoTime} of the last byte received; {@link Long#MIN_VALUE} before the first. */
    private volatile long lastNanos = Long.MIN_VALUE;

    InboundActivity() {
    }

    /** {@link System#nanoTime} of the last byte received, or {@link Long#MIN_VALUE} when none was yet. */
    public long lastNanos() {
        return lastNanos;
    }

    /** {@code in}, stamping this activity at every read that returns bytes. */
    InputStream stamp(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                    lastNanos = System.nanoTime();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    lastNanos = System.nanoTime();
                }
                return n;
            }
        };
    }
}
