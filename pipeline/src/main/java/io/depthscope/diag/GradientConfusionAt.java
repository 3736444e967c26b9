package io.depthscope.diag;

/**
 * One row of the gradient_confusion table. {@code kind} "per_example": the per-example loss gradients
 * of the diagnostics batch ({@code batchSize} 1, {@code gradients} = its examples); "minibatch": the
 * mean gradients of {@code gradients} sampled minibatches of {@code batchSize} examples each.
 */
public record GradientConfusionAt(String runId, int step, String kind, int batchSize, int gradients, double minInnerProduct,
        double meanInnerProduct, double minCosine, double meanCosine, double meanSquaredNorm, double negativeFraction)
        implements java.io.Serializable {

    public static GradientConfusionAt of(String runId, int step, String kind, int batchSize, GradientConfusion c) {
        return new GradientConfusionAt(runId, step, kind, batchSize, c.n(), c.minInnerProduct(), c.meanInnerProduct(), c.minCosine(),
                c.meanCosine(), c.meanSquaredNorm(), c.negativeFraction());
    }
}
