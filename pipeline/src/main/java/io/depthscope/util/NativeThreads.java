package io.depthscope.util;

import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's thread counts (libnd4j's OpenMP and OpenBLAS), set once per JVM to the cores one task may use.
 * Several Spark tasks share an executor JVM; each using every core oversubscribes the machine.
 */
public final class NativeThreads {
    private static int configured = -1;

    private NativeThreads() {}

    public static synchronized void configure(int threads) {
        if (threads < 1 || configured == threads) {
            return;
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        configured = threads;
    }
}
