package org.qoraedge.gateway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.mqtt.PahoReceivePath;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SignedText;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.RawMqtt;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * The node side of a round over Mosquitto on loopback: how long after a gateway publishes a round's
 * signed announcement and model of dimension d one {@link NodeClient} holds it, verified (Ed25519
 * signatures, the announced digest), against a bare socket subscriber that only reads the model
 * frame (the broker alone). One round at a time, so the figures are latencies. Not a unit test.
 *
 * <pre>
 * java -cp ... org.qoraedge.gateway.bench.NodeBench [dimension] [rounds]
 * </pre>
 */
public final class NodeBench {
    private NodeBench() {
    }

    public static void main(String[] args) throws Exception {
        int d = Integer.parseInt(args.length > 0 ? args[0] : "100000");
        int rounds = Integer.parseInt(args.length > 1 ? args[1] : "30");
        Path tmp = Files.createTempDirectory("qora-node-bench");
        byte[] seed = new byte[32];
        new SplittableRandom(3).nextBytes(seed);
        FrameSigner gateway = FrameSigner.ed25519(seed);
        Topics topics = new Topics("bench");
        try (MosquittoBroker broker = MosquittoBroker.start(tmp.resolve("mosquitto"))) {
            MqttLink publisher = new MqttLink(MqttSettings.builder(broker.uri(), "bench-gateway").build(), List.of(), (t, m) -> {
            }, null, null);
            publisher.connect();
            NodeClient node = NodeClient.builder(broker.uri(), "bench", TestNodes.credentials("node-001", false))
                    .gatewayKey(Ed25519Keys.publicKeyOf(seed)).build();
            node.connect();
            RawMqtt raw = RawMqtt.connect(broker.port(), "bench-raw", true, 60_000);
            raw.subscribe(topics.model(), 1);
            double[] rawMs = new double[rounds];
            double[] nodeMs = new double[rounds];
            int frameBytes = 0;
            SplittableRandom random = new SplittableRandom(5);
            for (int r = 1; r <= rounds; r++) {
                float[] x = new float[d];
                for (int k = 0; k < d; k++) {
                    x[k] = (float) ((random.nextDouble() - 0.5) * 0.1);
                }
                Bfp16Block model = Bfp16.encode(x);
                byte[] frame = new Frame(FrameKind.MODEL, SignatureScheme.ED25519, "bench", "gateway", r, r, "bench", model)
                        .encode(gateway);
                frameBytes = frame.length;
                byte[] announcement = SignedText.sign(topics.round(), new RoundAnnouncement("bench", r, "bench", d, Frame.maxSize(d),
                        0, "multi-krum", "common", 1, 0, Digests.block(model), "gateway").toMessage().toBytes(), gateway);
                long t0 = System.nanoTime();
                publisher.publish(topics.round(), announcement, 1, false);
                publisher.publish(topics.model(), frame, 1, false);
                while ((raw.receiveAndAck() >>> 32) != RawMqtt.PUBLISH) {
                    // PINGRESP and the like
                }
                rawMs[r - 1] = (System.nanoTime() - t0) / 1e6;
                node.awaitRound(r, Duration.ofSeconds(30));
                nodeMs[r - 1] = (System.nanoTime() - t0) / 1e6;
            }
            System.out.printf(Locale.ROOT, "node bench: d=%d, model frame %d bytes, %d rounds, java %s, %s; decoding: %s%n", d, frameBytes,
                    rounds, System.getProperty("java.version"), System.getProperty("os.arch"), PahoReceivePath.describe());
            // The first rounds warm the JIT up: medians over the second half.
            double rawMedian = median(Arrays.copyOfRange(rawMs, rounds / 2, rounds));
            double nodeMedian = median(Arrays.copyOfRange(nodeMs, rounds / 2, rounds));
            System.out.printf(Locale.ROOT, "publish to a bare socket subscriber holding the model frame: %.2f ms median (%.0f MB/s)%n",
                    rawMedian, frameBytes / 1e3 / rawMedian);
            System.out.printf(Locale.ROOT, "publish to the node client holding the round, verified: %.2f ms median (%.0f MB/s)%n",
                    nodeMedian, frameBytes / 1e3 / nodeMedian);
            double[] extra = new double[rounds - rounds / 2];
            for (int i = rounds / 2; i < rounds; i++) {
                extra[i - rounds / 2] = nodeMs[i] - rawMs[i];
            }
            System.out.printf(Locale.ROOT, "the node client after the bare subscriber (its decoding, checks and the announcement's Ed25519 verification):"
                    + " %.2f ms median%n", median(extra));
            raw.close();
            node.close();
            publisher.close();
        }
        System.exit(0);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
