package io.depthscope.probe;

/**
 * One row of the hessian_probes table: probe vector {@code probe} of a run's Hutchinson stream at a step
 * and its raw quadratic forms q_k = v^T H^k v (k = 1..4), from which the moments m_k = mean(q_k) / P
 * and their standard errors can be recomputed.
 */
public record HessianProbeAt(String runId, int step, int examples, int probe, String distribution, long paramCount, double q1,
        double q2, double q3, double q4) implements java.io.Serializable {}
