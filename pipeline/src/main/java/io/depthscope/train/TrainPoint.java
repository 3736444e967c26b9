package io.depthscope.train;

/** One row of the train_curve table: the full-batch loss and gradient norm at a step (before its update). */
public record TrainPoint(String runId, int step, double loss, double gradientNorm) implements java.io.Serializable {}
