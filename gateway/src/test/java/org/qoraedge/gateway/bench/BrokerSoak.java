package org.qoraedge.gateway.bench;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.qoraedge.gateway.broker.EmbeddedBroker;

/**
 * Counts QoS 1 messages a broker acknowledged (PUBACK to the publisher) but never delivered to a
 * subscriber with a persistent session, while publishers reconnect and take over their own
 * sessions and the subscriber is killed and restarted, as a gateway is.
 *
 * <p>Publishers speak MQTT 3.1.1 over plain sockets so that every PUBACK is counted exactly: half
 * keep a persistent session and, after each reconnect or takeover, resend their unacknowledged
 * messages with the DUP flag and the same packet id (what MQTT requires, and Paho does); the other
 * half use clean sessions and publish unacknowledged messages again under new packet ids. A
 * takeover is a second connection with the same client id, opened while the first is still up.
 * The subscriber is a Paho client like the gateway's: cleanSession=false, manual acks sent from
 * another thread after the message is recorded; a restart closes its socket without DISCONNECT.
 *
 * <pre>
 * java -cp ... org.qoraedge.gateway.bench.BrokerSoak moquette|mosquitto [publishers] [seconds] [seed] [mixed|clean|persistent] [messages/s per publisher, 50]
 * </pre>
 * It prints one line of figures; "lost" counts acknowledged messages never delivered.
 */
public final class BrokerSoak {
    private static final int WINDOW = 8;
    private static final int PAYLOAD = 512;
    private static final String SUBSCRIBER_ID = "soak-gateway";

    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong takeovers = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong stalledConnects = new AtomicLong();
    private final AtomicLong stalledAcks = new AtomicLong();
    private final AtomicLong subscriberRestarts = new AtomicLong();
    private final AtomicLong subscriberFailures = new AtomicLong();
    private final int ratePerPublisher;
    private volatile boolean stopping;

    private BrokerSoak(int ratePerPublisher) {
        this.ratePerPublisher = ratePerPublisher;
    }

    public static void main(String[] args) throws Exception {
        String engine = args.length > 0 ? args[0] : "moquette";
        int publishers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1L;
        String sessions = args.length > 4 ? args[4] : "mixed";
        int rate = args.length > 5 ? Integer.parseInt(args[5]) : 50;
        // The embedded broker as the gateway starts it (Gateway.start), with the engine named.
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.options().port(0).maxMessageBytes(1 << 20)
                .engine("mosquitto".equals(engine) ? EmbeddedBroker.Engine.MOSQUITTO : EmbeddedBroker.Engine.MOQUETTE));
        String uri = broker.uri();
        try {
            String line = new BrokerSoak(rate).run(uri, publishers, seconds, seed, sessions);
            List<Throwable> loopErrors = broker.sessionLoopErrors();
            Map<String, Integer> kinds = new TreeMap<>();
            for (Throwable t : loopErrors) {
                Throwable root = t;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                kinds.merge(root.getClass().getSimpleName() + ": " + root.getMessage(), 1, Integer::sum);
            }
            System.out.println(engine + " " + line + " sessionLoopErrors=" + loopErrors.size() + " " + kinds);
        } finally {
            broker.close();
        }
        System.exit(0);
    }

    private String run(String uri, int publishers, int seconds, long seed, String sessions) throws Exception {
        String[] hostPort = uri.substring("tcp://".length()).split(":");
        InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        Subscriber sub = new Subscriber(uri);
        sub.start();
        SplittableRandom random = new SplittableRandom(seed);
        List<Thread> threads = new ArrayList<>();
        List<Publisher> pubs = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
            boolean persistent = "persistent".equals(sessions) || ("mixed".equals(sessions) && i % 2 == 0);
            Publisher p = new Publisher(address, i, persistent, random.split());
            pubs.add(p);
            Thread t = new Thread(p, "soak-pub-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            Thread.sleep(1500 + random.nextInt(2500));
            if (System.nanoTime() < end) {
                sub.restart();
            }
        }
        stopping = true;
        long joinBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinBy - System.nanoTime())));
        }
        // Let the subscriber drain: stop when every acknowledged message arrived or nothing came for 15 s.
        long lastCount = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() - lastChange < TimeUnit.SECONDS.toNanos(15) && !delivered.containsAll(acked)) {
            Thread.sleep(200);
            if (delivered.size() != lastCount) {
                lastCount = delivered.size();
                lastChange = System.nanoTime();
            }
            if (!sub.connected()) {
                sub.restart();
            }
        }
        sub.close();
        long lost = acked.stream().filter(id -> !delivered.contains(id)).count();
        long unackedPending = pubs.stream().mapToLong(p -> p.inflight.size()).sum();
        double secs = (System.nanoTime() - start) / 1e9;
        return String.format(Locale.ROOT, "sessions=" + sessions + " rate=" + ratePerPublisher + "/s publishers=%d seconds=%.0f published=%d acknowledged=%d delivered=%d lost=%d"
                + " unacknowledgedAtEnd=%d duplicates=%d takeovers=%d reconnects=%d subscriberRestarts=%d"
                + " subscriberConnectFailures=%d stalledConnects=%d stalledAcks=%d",
                publishers, secs, published.get(), acked.size(), delivered.size(), lost, unackedPending, duplicates.get(),
                takeovers.get(), reconnects.get(), subscriberRestarts.get(), subscriberFailures.get(), stalledConnects.get(),
                stalledAcks.get());
    }

    /** The gateway's side: a Paho client with a persistent session and manual acks. */
    private final class Subscriber {
        private final String uri;
        private final ExecutorService acker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "soak-acker");
            t.setDaemon(true);
            return t;
        });
        private volatile MqttAsyncClient client;

        Subscriber(String uri) {
            this.uri = uri;
        }

        boolean connected() {
            MqttAsyncClient c = client;
            return c != null && c.isConnected();
        }

        void start() throws MqttException {
            MqttAsyncClient c = new MqttAsyncClient(uri, SUBSCRIBER_ID, new MemoryPersistence());
            c.setManualAcks(true);
            c.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    String id = new String(message.getPayload(), 0, idLength(message.getPayload()), StandardCharsets.US_ASCII);
                    if (!delivered.add(id)) {
                        duplicates.incrementAndGet();
                    }
                    acker.execute(() -> {
                        try {
                            c.messageArrivedComplete(message.getId(), message.getQos());
                        } catch (MqttException | RuntimeException gone) {
                            // the restarted subscriber gets it again
                        }
                    });
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(false);
            o.setAutomaticReconnect(false);
            o.setKeepAliveInterval(30);
            o.setMaxInflight(1000);
            o.setConnectionTimeout(10);
            try {
                c.connect(o).waitForCompletion(5_000);
                c.subscribe("soak/+/u", 1).waitForCompletion(5_000);
            } catch (MqttException e) {
                subscriberFailures.incrementAndGet();
                client = c;
                kill();
                return;
            }
            client = c;
        }

        void restart() throws MqttException {
            subscriberRestarts.incrementAndGet();
            kill();
            start();
        }

        private void kill() {
            MqttAsyncClient c = client;
            client = null;
            if (c != null) {
                try {
                    c.disconnectForcibly(0, 0, false);
                } catch (MqttException ignored) {
                    // already down
                }
                try {
                    c.close(true);
                } catch (MqttException ignored) {
                    // already closed
                }
            }
        }

        void close() {
            kill();
            acker.shutdownNow();
        }
    }

    private static int idLength(byte[] payload) {
        int n = 0;
        while (n < payload.length && payload[n] != ' ') {
            n++;
        }
        return n;
    }

    /** A node's side over a raw socket: publishes, reconnects, takes over its own session. */
    private final class Publisher implements Runnable {
        private final InetSocketAddress address;
        private final int index;
        private final boolean persistent;
        private final SplittableRandom random;
        private final String clientId;
        private final String topic;
        /** Unacknowledged messages: packet id to message id. */
        final Map<Integer, String> inflight = new ConcurrentHashMap<>();
        private final Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
        private final AtomicLong lastAck = new AtomicLong(System.nanoTime());
        private Connection current;
        private int nextPacketId;
        private long seq;

        Publisher(InetSocketAddress address, int index, boolean persistent, SplittableRandom random) {
            this.address = address;
            this.index = index;
            this.persistent = persistent;
            this.random = random;
            this.clientId = "soak-pub-" + index;
            this.topic = "soak/p" + index + "/u";
        }

        @Override
        public void run() {
            try {
                current = connectRetrying();
                long started = System.nanoTime();
                long nextEvent = System.nanoTime() + millis(300 + random.nextInt(1500));
                while (!stopping) {
                    if (current == null || !current.alive) {
                        reconnects.incrementAndGet();
                        switchTo(connectRetrying());
                    } else if (inflight.size() < WINDOW && seq * 1_000_000_000L / ratePerPublisher < System.nanoTime() - started) {
                        int id = packetId();
                        String msgId = "p" + index + ":" + seq++;
                        inflight.put(id, msgId);
                        sentAt.put(id, System.nanoTime());
                        published.incrementAndGet();
                        current.publish(topic, id, msgId, false);
                    } else {
                        Thread.sleep(1);
                    }
                    if (System.nanoTime() > nextEvent) {
                        nextEvent = System.nanoTime() + millis(300 + random.nextInt(1500));
                        if (random.nextBoolean()) {
                            // a second connection under the same client id while the first is up
                            takeovers.incrementAndGet();
                            switchTo(connectRetrying());
                        } else {
                            // the connection drops without DISCONNECT; the node reconnects
                            reconnects.incrementAndGet();
                            current.close();
                            switchTo(connectRetrying());
                        }
                    }
                    if (!inflight.isEmpty() && System.nanoTime() - lastAck.get() > TimeUnit.SECONDS.toNanos(10)) {
                        stalledAcks.incrementAndGet();
                        lastAck.set(System.nanoTime());
                        current.close();
                    }
                }
                // Drain: keep resending what is unacknowledged for up to 20 s.
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!inflight.isEmpty() && System.nanoTime() < end) {
                    if (current == null || !current.alive || System.nanoTime() - lastAck.get() > TimeUnit.SECONDS.toNanos(5)) {
                        lastAck.set(System.nanoTime());
                        if (current != null) {
                            current.close();
                        }
                        switchTo(connectRetrying());
                    }
                    Thread.sleep(20);
                }
                if (current != null) {
                    current.disconnect();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                System.out.println(clientId + " gave up: " + e);
            }
        }

        private int packetId() {
            do {
                nextPacketId = nextPacketId == 65535 ? 1 : nextPacketId + 1;
            } while (inflight.containsKey(nextPacketId));
            return nextPacketId;
        }

        /** Makes {@code next} the connection in use and resends what is unacknowledged on it. */
        private void switchTo(Connection next) throws IOException {
            Connection old = current;
            current = next;
            if (old != null && old != next) {
                old.close();
            }
            if (next == null) {
                return;
            }
            for (Map.Entry<Integer, String> e : new TreeMap<>(inflight).entrySet()) {
                if (persistent) {
                    next.publish(topic, e.getKey(), e.getValue(), true);
                } else {
                    // a clean session starts over: the same message again under a new packet id
                    if (inflight.remove(e.getKey(), e.getValue())) {
                        int id = packetId();
                        inflight.put(id, e.getValue());
                        sentAt.put(id, System.nanoTime());
                        next.publish(topic, id, e.getValue(), false);
                    }
                }
            }
        }

        private Connection connectRetrying() throws IOException, InterruptedException {
            for (int attempt = 0; attempt < 5 && !(stopping && attempt > 1); attempt++) {
                Connection c = new Connection(this);
                if (c.open(address, clientId, !persistent)) {
                    return c;
                }
                c.close();
                Thread.sleep(100);
            }
            throw new IOException(clientId + " could not connect 5 times in a row");
        }

        /** A PUBACK for {@code msgId}, sent under {@code packetId} on some connection of this publisher. */
        void acked(int packetId, String msgId) {
            acked.add(msgId);
            inflight.remove(packetId, msgId);
            lastAck.set(System.nanoTime());
        }
    }

    private static long millis(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /** One MQTT 3.1.1 connection: CONNECT/CONNACK, PUBLISH QoS 1, PUBACK. */
    private final class Connection {
        private final Publisher owner;
        private final CountDownLatch connack = new CountDownLatch(1);
        /** What this connection published under each packet id: a PUBACK on it acknowledges that message. */
        private final Map<Integer, String> sent = new ConcurrentHashMap<>();
        private Socket socket;
        private OutputStream out;
        volatile boolean alive;
        private volatile int connackCode = -1;

        Connection(Publisher owner) {
            this.owner = owner;
        }

        boolean open(InetSocketAddress address, String clientId, boolean clean) throws InterruptedException {
            try {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(address, 5000);
                out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                Thread reader = new Thread(() -> read(in), "soak-read-" + clientId);
                reader.setDaemon(true);
                reader.start();
                byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
                ByteArrayBuilder body = new ByteArrayBuilder();
                body.string("MQTT".getBytes(StandardCharsets.US_ASCII)).u8(4).u8(clean ? 0x02 : 0x00).u16(30).string(id);
                alive = true;
                send(0x10, body.toByteArray());
            } catch (IOException e) {
                alive = false;
                return false;
            }
            if (!connack.await(3, TimeUnit.SECONDS)) {
                stalledConnects.incrementAndGet();
                return false;
            }
            return connackCode == 0 && alive;
        }

        void publish(String topic, int packetId, String msgId, boolean dup) {
            ByteArrayBuilder body = new ByteArrayBuilder();
            body.string(topic.getBytes(StandardCharsets.UTF_8)).u16(packetId);
            byte[] payload = new byte[PAYLOAD];
            Arrays.fill(payload, (byte) ' ');
            byte[] idBytes = msgId.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(idBytes, 0, payload, 0, idBytes.length);
            body.bytes(payload);
            sent.put(packetId, msgId);
            try {
                send(0x32 | (dup ? 0x08 : 0), body.toByteArray());
            } catch (IOException e) {
                alive = false;
            }
        }

        void disconnect() {
            try {
                send(0xE0, new byte[0]);
            } catch (IOException ignored) {
                // closing anyway
            }
            close();
        }

        private synchronized void send(int header, byte[] body) throws IOException {
            ByteArrayBuilder b = new ByteArrayBuilder();
            b.u8(header);
            int len = body.length;
            do {
                int digit = len % 128;
                len /= 128;
                b.u8(len > 0 ? digit | 0x80 : digit);
            } while (len > 0);
            b.bytes(body);
            out.write(b.toByteArray());
            out.flush();
        }

        private void read(InputStream in) {
            try {
                while (true) {
                    int header = in.read();
                    if (header < 0) {
                        throw new EOFException();
                    }
                    int len = 0;
                    int mult = 1;
                    int digit;
                    do {
                        digit = in.read();
                        if (digit < 0) {
                            throw new EOFException();
                        }
                        len += (digit & 0x7F) * mult;
                        mult *= 128;
                    } while ((digit & 0x80) != 0);
                    byte[] body = in.readNBytes(len);
                    if (body.length < len) {
                        throw new EOFException();
                    }
                    int type = header >> 4;
                    if (type == 2) {
                        connackCode = body[1];
                        connack.countDown();
                    } else if (type == 4) {
                        int packetId = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
                        String msgId = sent.get(packetId);
                        if (msgId != null) {
                            owner.acked(packetId, msgId);
                        }
                    }
                }
            } catch (IOException e) {
                alive = false;
                connack.countDown();
            }
        }

        void close() {
            alive = false;
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // closed
            }
        }
    }

    /** A growable byte array with MQTT's big-endian fields. */
    private static final class ByteArrayBuilder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        ByteArrayBuilder u8(int v) {
            out.write(v);
            return this;
        }

        ByteArrayBuilder u16(int v) {
            out.write(v >> 8);
            out.write(v);
            return this;
        }

        ByteArrayBuilder string(byte[] s) {
            u16(s.length);
            out.write(s, 0, s.length);
            return this;
        }

        ByteArrayBuilder bytes(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
