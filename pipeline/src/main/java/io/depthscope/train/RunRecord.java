package io.depthscope.train;

import io.depthscope.util.Provenance;

/**
 * The outcome of one run (its config columns come from its {@link io.depthscope.study.RunSpec}).
 *
 * @param status         "ok", "diverged" (NaN, Inf or loss above divergence_factor x the initial loss) or "failed"
 * @param stepsToTarget  the first evaluated step whose training loss was <= target_loss, or -1
 * @param stepsCompleted optimiser steps taken
 * @param divergedAtStep the step at which divergence was seen, or -1
 */
public record RunRecord(
        String runId,
        String status,
        String error,
        long paramCount,
        String dataset,
        double initialLoss,
        double finalLoss,
        double finalGradientNorm,
        double finalTrainAccuracy,
        double finalTestLoss,
        double finalTestAccuracy,
        int stepsToTarget,
        int stepsCompleted,
        int divergedAtStep,
        double wallSeconds,
        Provenance provenance) implements java.io.Serializable {

    /** A run that threw: its error, and NaN where numbers would be. */
    public static RunRecord failed(String runId, String error, double wallSeconds) {
        return new RunRecord(runId, "failed", error, -1, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, -1, 0, -1, wallSeconds, Provenance.current());
    }

    /**
     * This record after a study's second phase: its Hessian tasks' seconds added to the run's, and the
     * error of a Hessian task that kept failing (the run's status stays what training made it).
     */
    public RunRecord withHessianPhase(String hessianError, double hessianSeconds) {
        String e = hessianError == null ? error : error == null ? hessianError : error + "; " + hessianError;
        return new RunRecord(runId, status, e, paramCount, dataset, initialLoss, finalLoss, finalGradientNorm, finalTrainAccuracy,
                finalTestLoss, finalTestAccuracy, stepsToTarget, stepsCompleted, divergedAtStep, wallSeconds + hessianSeconds, provenance);
    }
}
