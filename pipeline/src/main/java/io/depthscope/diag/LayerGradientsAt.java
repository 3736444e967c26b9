package io.depthscope.diag;

/**
 * One row of the layer_gradients table: the gradient sizes of linear map {@code map} of a run at a step,
 * on the run's diagnostics batch of {@code examples} examples (see {@link LayerGradients.Layer}).
 */
public record LayerGradientsAt(String runId, int step, int examples, int map, double weightGradientNorm, double biasGradientNorm,
        double deltaNorm, double deltaRmsPerExample) implements java.io.Serializable {

    public static LayerGradientsAt of(String runId, int step, int examples, LayerGradients.Layer l) {
        return new LayerGradientsAt(runId, step, examples, l.map(), l.weightGradientNorm(), l.biasGradientNorm(), l.deltaNorm(),
                l.deltaRmsPerExample());
    }

    LayerGradients.Layer layer() {
        return new LayerGradients.Layer(map, weightGradientNorm, biasGradientNorm, deltaNorm, deltaRmsPerExample);
    }
}
