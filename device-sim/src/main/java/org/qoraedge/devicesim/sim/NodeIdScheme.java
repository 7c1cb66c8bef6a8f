package org.qoraedge.devicesim.sim;

import org.qoraedge.devicesim.InvalidConfigException;

/**
 * Node ids {@code node-01 .. node-20}: zero-padded to the width of the largest index (at least
 * two digits), so that the canonical order (UTF-8 bytes, unsigned) is the numeric order.
 */
public final class NodeIdScheme {
    private NodeIdScheme() {
    }

    /** The id of node {@code index} (0-based) in a fleet of {@code nodes}: index 0 is {@code node-01}. */
    public static String id(int index, int nodes) {
        if (index < 0 || index >= nodes) {
            throw new InvalidConfigException("node index " + index + " outside [0, " + nodes + ")");
        }
        int width = Math.max(2, Integer.toString(nodes).length());
        return "node-" + String.format("%0" + width + "d", index + 1);
    }

    /** Every id of a fleet of {@code nodes}, in canonical (= numeric) order. */
    public static String[] ids(int nodes) {
        String[] out = new String[nodes];
        for (int i = 0; i < nodes; i++) {
            out[i] = id(i, nodes);
        }
        return out;
    }
}
