package io.depthscope.diag;

/**
 * One row of the ntk table: the spectrum of the NTK Gram matrix K of a run at a step on its diagnostics
 * batch, and how far K moved since the run's first diagnostics step ({@code driftFromStep}):
 * drift = ||K_t - K_0||_F / ||K_0||_F and alignment = cos(K_0, K_t) (both 0 and 1 at that step itself).
 */
public record NtkAt(String runId, int step, int examples, int outputs, double lambdaMin, double lambdaMax, double conditionNumber,
        double trace, double frobenius, int driftFromStep, double drift, double alignment) implements java.io.Serializable {}
