package org.qoraedge.crosscheck.bench;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Heap bytes allocated, summed over every live thread (the fast path's helpers run on the common
 * pool), from {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}. A thread that ends
 * during the measurement is not counted; -1 when the JVM does not offer the counter.
 */
final class Allocation {
    private Allocation() {
    }

    private static ThreadMXBean bean() {
        if (ManagementFactory.getThreadMXBean() instanceof ThreadMXBean sun && sun.isThreadAllocatedMemorySupported()
                && sun.isThreadAllocatedMemoryEnabled()) {
            return sun;
        }
        return null;
    }

    /** Bytes allocated so far by the threads alive now. */
    static long allThreads() {
        ThreadMXBean b = bean();
        if (b == null) {
            return -1;
        }
        long sum = 0;
        for (long v : b.getThreadAllocatedBytes(b.getAllThreadIds())) {
            sum += Math.max(0, v);
        }
        return sum;
    }

    /** Bytes allocated by every thread while {@code task} ran (the measurement's own few arrays included). */
    static long bytesDuring(Runnable task) {
        ThreadMXBean b = bean();
        if (b == null) {
            task.run();
            return -1;
        }
        Map<Long, Long> before = snapshot(b);
        task.run();
        Map<Long, Long> after = snapshot(b);
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }

    private static Map<Long, Long> snapshot(ThreadMXBean b) {
        long[] ids = b.getAllThreadIds();
        long[] bytes = b.getThreadAllocatedBytes(ids);
        Map<Long, Long> m = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                m.put(ids[i], bytes[i]);
            }
        }
        return m;
    }
}
