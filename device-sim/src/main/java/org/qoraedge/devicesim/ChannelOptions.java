package org.qoraedge.devicesim;

import org.qoraedge.devicesim.sim.SimConfig;
import org.qoraedge.gateway.client.privacy.ZcdpAccountant;
import picocli.CommandLine.Option;

/**
 * What the nodes' updates go through before the wire: sparse top-k selection and local
 * differential privacy (docs/PRIVACY.md), the same in process ({@code simulate}) and over MQTT
 * ({@code scenario}).
 */
final class ChannelOptions {
    @Option(names = "--density", defaultValue = "1",
            description = "fraction of coordinates honest nodes send, top-k with error feedback as SPARSE UPDATE frames"
                    + " (NodeClient's sparse mode); 1: dense (default: ${DEFAULT-VALUE})")
    double density = 1;

    @Option(names = "--byzantine-density", defaultValue = "1",
            description = "fraction of their crafted block's coordinates Byzantine nodes send, top-k by magnitude"
                    + " (default: ${DEFAULT-VALUE})")
    double byzantineDensity = 1;

    @Option(names = "--dp-clip", defaultValue = "0",
            description = "local DP: clip each honest update to this L2 norm C (0: no DP; default: ${DEFAULT-VALUE})")
    double dpClip;

    @Option(names = "--dp-sigma", defaultValue = "0",
            description = "local DP: add Gaussian noise of standard deviation sigma * C after clipping (default: ${DEFAULT-VALUE})")
    double dpSigma;

    @Option(names = "--dp-delta", defaultValue = "1e-5", description = "delta of the (epsilon, delta) reported (default: ${DEFAULT-VALUE})")
    double dpDelta = 1e-5;

    /** Dense updates, no local DP. */
    static ChannelOptions none() {
        return new ChannelOptions();
    }

    /**
     * {@code b} with these options; a bad delta is refused before the run.
     *
     * @throws InvalidConfigException (or the builder's own refusal) naming the option
     */
    SimConfig.Builder apply(SimConfig.Builder b) {
        if (dpSigma > 0) {
            ZcdpAccountant.of(dpSigma).perRound(dpDelta);
        }
        return b.density(density).byzantineDensity(byzantineDensity).dp(dpClip, dpSigma);
    }
}
