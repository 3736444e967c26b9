package io.depthscope.train;

import io.depthscope.util.Provenance;

/**
 * The outcome of one run (the config columns come from its {@link io.depthscope.study.RunSpec}).
 *
 * @param status "ok", "diverged" (NaN, Inf or loss above divergence_factor x the initial loss) or "failed"
 * @param divergedAtStep the step at which divergence was seen, or -1
 * @param stepsCompleted gradient steps taken
 */
public record RunRecord(
        String runId,
        String status,
        String error,
        double initialLoss,
        double finalLoss,
        double finalGradientNorm,
        int stepsCompleted,
        int divergedAtStep,
        double wallSeconds,
        Provenance provenance) implements java.io.Serializable {}
