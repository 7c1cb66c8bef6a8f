package org.qoraedge.crosscheck.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Arrays;

/** Wall-clock times of repeated runs: median, min and max, in nanoseconds. */
final class Timing {
    private final long[] sorted;

    private Timing(long[] nanos) {
        this.sorted = nanos.clone();
        Arrays.sort(sorted);
    }

    static Timing of(long[] nanos) {
        return new Timing(nanos);
    }

    /** Runs {@code task} {@code warmup} times unmeasured, then {@code reps} times measured. */
    static Timing measure(int warmup, int reps, Runnable task) {
        for (int i = 0; i < warmup; i++) {
            task.run();
        }
        long[] t = new long[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            task.run();
            t[i] = System.nanoTime() - t0;
        }
        return new Timing(t);
    }

    /** The median; for an even count, the mean of the two middle values. */
    double medianNanos() {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    long minNanos() {
        return sorted[0];
    }

    long maxNanos() {
        return sorted[sorted.length - 1];
    }

    JsonObject toJson(long heapBytes) {
        JsonObject o = new JsonObject();
        o.addProperty("medianMs", medianNanos() / 1e6);
        o.addProperty("minMs", minNanos() / 1e6);
        o.addProperty("maxMs", maxNanos() / 1e6);
        o.addProperty("reps", sorted.length);
        if (heapBytes >= 0) {
            o.addProperty("heapBytesAllocated", heapBytes);
        }
        JsonArray all = new JsonArray();
        for (long v : sorted) {
            all.add(v / 1e6);
        }
        o.add("sortedMs", all);
        return o;
    }
}
