package org.qoraedge.devicesim.sim;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.client.TopKSparsifier;
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
final class UpdateChannel {
    /** The fleet name the MQTT fleet uses on the wire ({@code MqttScenario.FLEET}). */
    static final String FLEET = "device-sim";

    private final SimConfig cfg;
    private final List<SimNode> nodes;
    private final String modelId;
    private final TopKSparsifier[] sparsifiers;

    UpdateChannel(SimConfig cfg, List<SimNode> nodes, String modelName) {
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
            SimNode node = nodes.get(i);
            double density = node.isByzantine() ? cfg.byzantineDensity() : cfg.density();
            if (density >= 1) {
                bytes += Frame.size(utf8(FLEET), utf8(node.id()), utf8(modelId), blocks[i].dimension(), SignatureScheme.HMAC_SHA256);
                continue;
            }
            TopKSparsifier s = sparsifiers[i] != null ? sparsifiers[i] : new TopKSparsifier(density);
            TopKSparsifier.Selection sel = s.select(blocks[i]);
            bytes += sparseBytes(node.id(), sel);
            blocks[i] = sel.densify();
        }
        return bytes;
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
