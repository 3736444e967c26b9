package io.depthscope.diag;

import java.util.List;

/**
 * One row of the jacobian_spectrum table. {@code kind} "input_to_hidden": the singular values of
 * dh_layer/dx at batch example {@code input}; "end_to_end": those of the product of the weight matrices
 * (df/dx of a linear network, the same at every x: input is -1, layer is depth + 1).
 *
 * @param singularValues descending
 * @param meanSquare     mean of the squared singular values (1 under dynamical isometry)
 * @param maxOverMin     largest / smallest singular value
 * @param logStd         standard deviation of log singular values (the spread that isometry removes)
 */
public record JacobianSpectrumAt(String runId, int step, String kind, int input, int layer, List<Double> singularValues,
        double meanSquare, double maxOverMin, double logStd) implements java.io.Serializable {
    public static final String INPUT_TO_HIDDEN = "input_to_hidden";
    public static final String END_TO_END = "end_to_end";

    public JacobianSpectrumAt {
        singularValues = List.copyOf(singularValues);
    }

    public static JacobianSpectrumAt of(String runId, int step, String kind, int input, int layer, JacobianSpectrum.Spectrum s) {
        List<Double> values = new java.util.ArrayList<>();
        for (double v : s.singularValues()) {
            values.add(v);
        }
        return new JacobianSpectrumAt(runId, step, kind, input, layer, values, s.meanSquare(), s.maxOverMin(), s.logStd());
    }
}
