package io.depthscope.diag;

/**
 * One row of the residual_comparison table (Ghorbani, Krishnan &amp; Xiao 2019's 49.4% argument): a plain
 * and a residual run that differ only by the residual connections (same config, seed and step), and the
 * fraction of their linear maps whose gradient is smaller in the residual one.
 *
 * @param fractionWeightGradientLower fraction of maps with ||dLoss/dW_i|| lower in the residual run
 * @param fractionDeltaLower          fraction of maps with ||dLoss/dh_{i+1}|| lower in the residual run
 */
public record ResidualComparisonAt(String plainRunId, String residualRunId, int step, int maps, double fractionWeightGradientLower,
        double fractionDeltaLower) implements java.io.Serializable {}
