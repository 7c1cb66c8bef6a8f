package org.qoraedge.devicesim.sim;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.random.SplitMix64;
import org.qoraedge.gateway.client.TopKSparsifier;
import org.qoraedge.gateway.client.privacy.GaussianMechanism;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SparseFrame;

/**
 * What each node's update becomes on the wire, in process: a dense UPDATE frame, or with a density
 * below 1 a SPARSE UPDATE frame (docs/PROTOCOL.md section 4.1) whose densified block (zeros
 * elsewhere) is what the gateway aggregates. Honest nodes select with error feedback, one
 * {@link TopKSparsifier} each across rounds, exactly as {@code NodeClient}'s sparse mode; Byzantine
 * nodes send the top {@code byzantineDensity} of their crafted block (no residual: an attacker
 * crafts each round anew). Frame sizes are the real encoders' for HMAC-SHA256 and the MQTT fleet's
 * ids, so the bytes counted are those an MQTT run sends.
 */
public final class UpdateChannel {
    /** The fleet name the MQTT fleet uses on the wire ({@code MqttScenario.FLEET}). */
    static final String FLEET = "device-sim";

    private static final long DP_STREAM = 0x44505F4E4F495345L; // "DP_NOISE"

    private final SimConfig cfg;
    private final List<SimNode> nodes;
    private final String modelId;
    private final TopKSparsifier[] sparsifiers;

    /** The channel of {@code nodes} (a fleet's, in its order) for the model named {@code modelName}. */
    public UpdateChannel(SimConfig cfg, List<SimNode> nodes, String modelName) {
        this.cfg = cfg;
        this.nodes = nodes;
        this.modelId = "device-sim-" + modelName;
        this.sparsifiers = new TopKSparsifier[nodes.size()];
        for (int i = 0; i < sparsifiers.length; i++) {
            if (!nodes.get(i).isByzantine() && cfg.density() < 1) {
                sparsifiers[i] = new TopKSparsifier(cfg.density()); // its residual carries from round to round
            }
        }
    }

    /**
     * Replaces each node's block by the block the gateway builds from the frame the node sends, in
     * place, and returns the bytes of all the frames.
     */
    long send(Bfp16Block[] blocks) {
        long bytes = 0;
        for (int i = 0; i < blocks.length; i++) {
            TopKSparsifier.Selection sel = select(i, blocks[i]);
            if (sel == null) {
                bytes += Frame.size(utf8(FLEET), utf8(nodes.get(i).id()), utf8(modelId), blocks[i].dimension(),
                        SignatureScheme.HMAC_SHA256);
                continue;
            }
            bytes += sparseBytes(nodes.get(i).id(), sel);
            blocks[i] = sel.densify();
        }
        return bytes;
    }

    /**
     * What node {@code node} (its index in the fleet) sends of {@code block} this round: its top-k
     * selection, the residual carried for an honest node, or null when it sends the block dense.
     * Called once per node and round, in round order, as {@link #send} does.
     */
    public TopKSparsifier.Selection select(int node, Bfp16Block block) {
        double density = nodes.get(node).isByzantine() ? cfg.byzantineDensity() : cfg.density();
        if (density >= 1) {
            return null;
        }
        TopKSparsifier s = sparsifiers[node] != null ? sparsifiers[node] : new TopKSparsifier(density);
        return s.select(block);
    }

    /**
     * Local DP (docs/PRIVACY.md) on the honest updates of simulation round {@code round}, in place
     * (null entries, the Byzantine nodes', untouched): each clipped to L2 norm {@code C} and, with a
     * sigma, noised with {@code N(0, (sigma C)^2)} drawn from a generator seeded from the run's seed,
     * the node and the round; with sigma 0, clipped only. Nothing when the run has no local DP.
     */
    public void privatize(float[][] updates, int round) {
        if (!cfg.localDp()) {
            return;
        }
        GaussianMechanism m = GaussianMechanism.of(cfg.dpClip(), cfg.dpSigma() > 0 ? cfg.dpSigma() : 1);
        for (int i = 0; i < updates.length; i++) {
            if (updates[i] != null) {
                updates[i] = cfg.dpSigma() > 0
                        ? m.privatize(updates[i], new SplittableRandom(SplitMix64.derive(cfg.seed(), DP_STREAM, nodes.get(i).index(), round)))
                        : m.clip(updates[i]);
            }
        }
    }

    private long sparseBytes(String nodeId, TopKSparsifier.Selection sel) {
        SparseFrame f = new SparseFrame(SignatureScheme.HMAC_SHA256, FLEET, nodeId, 1, 1, modelId, sel.exponent(), sel.dimension(),
                sel.indices(), sel.mantissas());
        return f.unsignedBytes().length + (long) SignatureScheme.HMAC_SHA256.signatureLength();
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
