package io.depthscope.probe;

/**
 * One row of the hessian_moments table: the moments of a run's Hessian at a step, on its fixed Hessian
 * batch of {@code examples} training examples.
 */
public record HessianMomentsAt(String runId, int step, int examples, HessianMoments moments) implements java.io.Serializable {}
