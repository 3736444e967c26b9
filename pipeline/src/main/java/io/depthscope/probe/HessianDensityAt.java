package io.depthscope.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of the hessian_density table: the spectral density of a run's Hessian at a step by stochastic
 * Lanczos quadrature (see {@link SpectralDensity}): the grid and density, the same normalised by the
 * spectrum's standard deviation (Ghorbani et al. 2019, Fig. 2), the quadrature moments tr(H^k)/P with
 * standard errors across runs, and each run's nodes and weights so any other density can be redrawn.
 */
public record HessianDensityAt(String runId, int step, int examples, int runs, int lanczosSteps, double sigma, double spectrumStd,
        List<Double> moments, List<Double> momentStderrs, List<Double> grid, List<Double> density, List<Double> normalisedGrid,
        List<Double> normalisedDensity, List<List<Double>> nodes, List<List<Double>> weights) implements java.io.Serializable {

    public static HessianDensityAt of(String runId, int step, int examples, SpectralDensity d) {
        List<List<Double>> nodes = new ArrayList<>();
        List<List<Double>> weights = new ArrayList<>();
        for (QuadratureRun r : d.runs()) {
            nodes.add(list(r.nodes()));
            weights.add(list(r.weights()));
        }
        return new HessianDensityAt(runId, step, examples, d.runs().size(), d.steps(), d.sigma(), d.spectrumStd(), list(d.moments()),
                list(d.momentStderrs()), list(d.grid()), list(d.density()), list(d.normalisedGrid()), list(d.normalisedDensity()),
                nodes, weights);
    }

    static List<Double> list(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return out;
    }
}
