package io.depthscope.probe;

/**
 * One row of the hessian_top_eigenvalues table: the {@code rank}-th largest ({@code side} "largest") or
 * smallest ("smallest") Ritz value of one Lanczos run on a run's Hessian at a step, its residual bound
 * (an eigenvalue lies within it), and the curvature along its Ritz vector split as H = G + R
 * (see {@link CurvatureSplit}). {@code negativeToPositiveRatio} is |lambda_min| / lambda_max of that
 * Lanczos run (Ghorbani et al. 2019), the same on every row of the run and step.
 */
public record HessianEigenvalueAt(String runId, int step, int examples, int lanczosSteps, String side, int rank, double eigenvalue,
        double residualBound, double gaussNewton, double remainder, double negativeToPositiveRatio, double gradientOverlap, double probeOverlap) implements java.io.Serializable {}
