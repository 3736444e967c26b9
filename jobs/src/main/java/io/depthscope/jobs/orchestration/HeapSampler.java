package io.depthscope.jobs.orchestration;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * The driver's heap while a study runs: a daemon thread reads the heap in use every {@link #PERIOD_MILLIS} ms and keeps
 * the largest. The sampler can miss a peak between two reads, so the heap pools' own peaks (MemoryPoolMXBean.getPeakUsage,
 * reset at the start) are summed too: that sum bounds the heap's peak from above (the pools peak at different times, e.g.
 * a full eden just before a collection, a full old generation later), so the true peak lies between the two figures.
 */
final class HeapSampler implements AutoCloseable {
    static final long PERIOD_MILLIS = 10;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long sampled;

    private HeapSampler() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                pool.resetPeakUsage();
            }
        }
        sampled = memory.getHeapMemoryUsage().getUsed();
        thread = new Thread(() -> {
            while (running) {
                sampled = Math.max(sampled, memory.getHeapMemoryUsage().getUsed());
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "depthscope-heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    static HeapSampler start() {
        return new HeapSampler();
    }

    /** The largest heap in use the sampler has seen, in bytes, garbage included. */
    long peak() {
        return Math.max(sampled, memory.getHeapMemoryUsage().getUsed());
    }

    /** The sum of the heap pools' peaks since the start, in bytes: an upper bound of the heap's peak. */
    long poolPeaks() {
        long pools = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                pools += pool.getPeakUsage().getUsed();
            }
        }
        return pools;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
