package org.qoraedge.devicesim.sim;

/** Told about each round as it completes (progress output, tables). Called on the simulator's thread. */
@FunctionalInterface
public interface RoundListener {
    RoundListener NONE = r -> { };

    void roundDone(RoundRecord record);
}
