package org.qoraedge.gateway.mqtt;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.function.BooleanSupplier;

/**
 * A link's inbound side below Paho: when its socket last received a byte from the broker, and how
 * many received PUBLISH packets the link's handler has not finished with.
 *
 * <p>The first is the health check's evidence that the MQTT receiver is reading (docs/OPERATIONS.md,
 * "Health"). A connected client receives at least a PINGRESP every keep-alive interval, so a long
 * silence on a connected link means a receiver that stopped. Stamped below Paho, on the socket's
 * own stream, so it sees PINGRESPs and acknowledgements as well as messages.
 *
 * <p>The second is the link's <b>receive window</b>. Paho's receiver thread decodes a PUBLISH and
 * queues it for its callback thread, up to 10 messages (a constant of Paho 1.2.5), before it blocks;
 * while the link's handler waits (a full inbox), those 10 messages sit in the heap beside the inbox:
 * 20 MB at 2 MB a frame. The guard on the socket's stream ({@link InboundGuard}) therefore reads the
 * body of a PUBLISH only while fewer than {@link #WINDOW} received ones are outstanding (read but not
 * yet through the handler), and otherwise waits before reading it, holding the rest in the socket
 * and, through TCP, the broker. A wait ends when the handler finishes one, when the socket closes,
 * or after {@link #MAX_WAIT_NANOS} (then the PUBLISH is read anyway, as Paho alone would: a window
 * that cannot be trusted must never stall the receiver). Thread-safe.
 */
public final class InboundActivity {
    /** Received PUBLISH packets outstanding before the receiver waits: one in the handler, one queued in Paho. */
    public static final int WINDOW = 2;
    /** The longest a PUBLISH waits for room (the inbox's own wait for a QoS 1 message is 5 s). */
    static final long MAX_WAIT_NANOS = 10_000_000_000L;

    /** {@link System#nanoTime} of the last byte received; {@link Long#MIN_VALUE} before the first. */
    private volatile long lastNanos = Long.MIN_VALUE;
    private final Object lock = new Object();
    private int outstanding;
    private long waits;

    InboundActivity() {
    }

    /**
     * Called by the guard before it reads a PUBLISH's body: waits while {@link #WINDOW} received
     * PUBLISH packets are outstanding (at most {@link #MAX_WAIT_NANOS}, or until {@code closed}
     * says the socket closed), then counts this one.
     *
     * @throws InterruptedIOException if the receiver thread is interrupted while it waits
     */
    void admitPublish(BooleanSupplier closed) throws InterruptedIOException {
        synchronized (lock) {
            if (outstanding >= WINDOW) {
                waits++;
                long end = System.nanoTime() + MAX_WAIT_NANOS;
                while (outstanding >= WINDOW && !closed.getAsBoolean()) {
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        lock.wait(Math.max(1, Math.min(100, left / 1_000_000)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for room in the MQTT receive window");
                    }
                }
            }
            outstanding++;
        }
    }

    /** Called by the link when its handler is done with a received PUBLISH (or Paho's callback dropped it). */
    void delivered() {
        synchronized (lock) {
            if (outstanding > 0) {
                outstanding--; // a message of an earlier connection, counted before a reset, may come late
            }
            lock.notifyAll();
        }
    }

    /** A new connection: what the old one had outstanding will not all be delivered. */
    void reset() {
        synchronized (lock) {
            outstanding = 0;
            lock.notifyAll();
        }
    }

    /** Received PUBLISH packets not yet through the handler. */
    int outstanding() {
        synchronized (lock) {
            return outstanding;
        }
    }

    /** How many PUBLISH packets had to wait for room in the window. */
    long windowWaits() {
        synchronized (lock) {
            return waits;
        }
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
