package io.depthscope.train;

import io.depthscope.util.Provenance;

/**
 * The outcome of one run (its config columns come from its {@link io.depthscope.study.RunSpec}).
 *
 * @param status         "ok", "diverged" (NaN, Inf or loss above divergence_factor x the initial loss) or "failed"
 * @param stepsToTarget  the first evaluated step whose training loss was <= target_loss, or -1
 * @param stepsCompleted optimiser steps taken
 * @param divergedAtStep the step at which divergence was seen, or -1
 * @param lrLambdaMax    lambda_max(H_0) from which the learning rate was set (optimizer.curvature_lr), else NaN
 * @param learningRate   the base learning rate the optimiser used: optimizer.lr, or curvature_lr / lrLambdaMax; NaN for a run
 *                       that did not get as far as training
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
        Provenance provenance,
        double lrLambdaMax,
        double learningRate) implements java.io.Serializable {

    /** A record without a learning rate of its own (NaN): runs that did not train, and tables made by hand. */
    public RunRecord(String runId, String status, String error, long paramCount, String dataset, double initialLoss, double finalLoss,
                     double finalGradientNorm, double finalTrainAccuracy, double finalTestLoss, double finalTestAccuracy, int stepsToTarget,
                     int stepsCompleted, int divergedAtStep, double wallSeconds, Provenance provenance) {
        this(runId, status, error, paramCount, dataset, initialLoss, finalLoss, finalGradientNorm, finalTrainAccuracy, finalTestLoss,
                finalTestAccuracy, stepsToTarget, stepsCompleted, divergedAtStep, wallSeconds, provenance, Double.NaN, Double.NaN);
    }

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
                finalTestLoss, finalTestAccuracy, stepsToTarget, stepsCompleted, divergedAtStep, wallSeconds + hessianSeconds, provenance,
                lrLambdaMax, learningRate);
    }
}
