package io.depthscope.train;

/**
 * One row of the train_curve table, at a step before its update: the full training set's loss,
 * accuracy (NaN for regression) and gradient norm, the test set's loss and accuracy (NaN without a
 * test set), and the seconds since the run started.
 */
public record TrainPoint(String runId, int step, double trainLoss, double trainAccuracy, double gradientNorm,
        double testLoss, double testAccuracy, double seconds) implements java.io.Serializable {}
