package org.qoraedge.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.qoraedge.gateway.broker.EmbeddedBroker;

/** The receive window of {@link InboundActivity}: a blocked handler keeps further PUBLISH bodies out of the heap. */
class ReceiveWindowTest {
    private static EmbeddedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedBroker.start(EmbeddedBroker.options().port(0));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aBlockedHandlerHoldsAtMostTheWindowAndNothingIsLost() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> got = Collections.synchronizedList(new ArrayList<>());
        MqttSettings settings = MqttSettings.builder(broker.uri(), "window-sub").build();
        InboundActivity window = settings.inboundActivity();
        try (MqttLink sub = new MqttLink(settings, List.of(new MqttLink.Subscription("window/t", 1)), (t, m) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            got.add(m.getPayload()[0] & 0xFF);
        }, null, null);
                MqttLink pub = new MqttLink(MqttSettings.builder(broker.uri(), "window-pub").build(), List.of(), (t, m) -> { },
                        null, null)) {
            sub.connect();
            pub.connect();
            for (int i = 0; i < 8; i++) {
                byte[] payload = new byte[100_000];
                payload[0] = (byte) i;
                pub.publish("window/t", payload, 1, false).waitForCompletion(5000);
            }
            // The handler holds the first message, Paho's queue the second: the receiver waits before the third's body.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (window.windowWaits() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
            assertTrue(window.windowWaits() >= 1, "the receiver waited for room");
            assertEquals(InboundActivity.WINDOW, window.outstanding(), "no more than the window was read");
            release.countDown();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got.size() < 8 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), got, "every message, in order");
            assertEquals(0, window.outstanding());
        }
    }

    @Test
    void aFullWindowWaitsForADeliveryAndEndsAtOnceWhenTheSocketCloses() throws Exception {
        InboundActivity w = new InboundActivity();
        for (int i = 0; i < InboundActivity.WINDOW; i++) {
            w.admitPublish(() -> false);
        }
        CountDownLatch admitted = new CountDownLatch(1);
        Thread receiver = new Thread(() -> {
            try {
                w.admitPublish(() -> false);
                admitted.countDown();
            } catch (InterruptedIOException e) {
                throw new IllegalStateException(e);
            }
        });
        receiver.start();
        assertEquals(false, admitted.await(300, TimeUnit.MILLISECONDS), "a full window waits");
        w.delivered();
        assertTrue(admitted.await(5, TimeUnit.SECONDS), "a delivery makes room");
        assertEquals(InboundActivity.WINDOW, w.outstanding());

        AtomicBoolean closed = new AtomicBoolean();
        CountDownLatch ended = new CountDownLatch(1);
        Thread stuck = new Thread(() -> {
            try {
                w.admitPublish(closed::get);
                ended.countDown();
            } catch (InterruptedIOException e) {
                throw new IllegalStateException(e);
            }
        });
        stuck.start();
        assertEquals(false, ended.await(300, TimeUnit.MILLISECONDS));
        closed.set(true);
        assertTrue(ended.await(5, TimeUnit.SECONDS), "a closed socket ends the wait");

        w.reset();
        assertEquals(0, w.outstanding(), "a new connection starts with an empty window");
        w.delivered(); // a late message of the old connection
        assertEquals(0, w.outstanding());

        for (int i = 0; i < InboundActivity.WINDOW; i++) {
            w.admitPublish(() -> false);
        }
        Thread.currentThread().interrupt();
        assertThrows(InterruptedIOException.class, () -> w.admitPublish(() -> false));
        assertTrue(Thread.interrupted(), "the interrupt is kept");
    }
}
