package io.depthscope.train;

import io.depthscope.probe.HessianMoments;

/** One row of the hessian_moments table: the moments of a run's Hessian at a step, on its training batch. */
public record HessianMomentsAt(String runId, int step, HessianMoments moments) implements java.io.Serializable {}
