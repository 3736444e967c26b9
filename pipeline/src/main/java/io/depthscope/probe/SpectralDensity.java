package io.depthscope.probe;

import java.util.List;

/**
 * A smoothed spectral density of a symmetric operator from stochastic Lanczos quadrature: the average
 * over runs of sum_i w_i N(lambda; node_i, sigma^2), on the grid that {@link DensityGrid} describes. Not
 * renormalised: the weights of each run sum to 1, so the density integrates to 1 over the grid by
 * construction, and checking that is a check of the weights.
 *
 * <p>The normalised density is that of lambda / s, with s^2 = m2 - m1^2 the variance of the spectrum from
 * the averaged quadrature moments, as in Ghorbani, Krishnan and Xiao (2019), Figure 2, so that spectra of
 * networks of different depth (and Hessian scale) can be overlaid: normalisedGrid = grid / s and
 * normalisedDensity = density * s. It is not centred. Its variance is 1 + (sigma/s)^2, not 1: the
 * Gaussian broadening adds sigma^2 to the variance of the nodes.
 *
 * @param grid the lambda values, ascending and equally spaced
 * @param density the density at each grid value
 * @param normalisedGrid grid / spectrumStd
 * @param normalisedDensity density * spectrumStd
 * @param sigma the broadening: each node's Gaussian has this standard deviation
 * @param spectrumStd s = sqrt(m2 - m1^2) from {@code moments} (NaN when that is not positive)
 * @param moments the quadrature moments sum_i w_i node_i^k for k = 1..4 averaged over runs: estimates of
 *     tr(A^k)/n (exact per run when 2m - 1 >= k, so the error is that of Hutchinson's estimator)
 * @param momentStderrs the standard errors of {@code moments}: sample SD across runs / sqrt(runs) (NaN
 *     for one run)
 * @param runs each run's nodes and weights
 * @param steps the Lanczos steps requested per run
 * @param operatorProducts products A v spent over all runs
 */
public record SpectralDensity(double[] grid, double[] density, double[] normalisedGrid, double[] normalisedDensity,
                              double sigma, double spectrumStd, double[] moments, double[] momentStderrs,
                              List<QuadratureRun> runs, int steps, long operatorProducts) {

    /** The density of the pooled quadrature runs on the grid {@code spec}. */
    public static SpectralDensity of(List<QuadratureRun> runs, int steps, DensityGrid spec) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("runs: none; allowed: >= 1 quadrature run");
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        long products = 0;
        for (QuadratureRun r : runs) {
            lo = Math.min(lo, r.nodes()[0]);
            hi = Math.max(hi, r.nodes()[r.nodes().length - 1]);
            products += r.operatorProducts();
        }
        double spread = hi - lo;
        double sigma = spec.relativeSigma() * (spread > 0 ? spread : 1.0);
        double from = lo - spec.padSigmas() * sigma;
        double to = hi + spec.padSigmas() * sigma;
        int k = spec.points();
        double[] grid = new double[k];
        double[] density = new double[k];
        double norm = 1.0 / (sigma * Math.sqrt(2 * Math.PI) * runs.size());
        for (int g = 0; g < k; g++) {
            grid[g] = from + (to - from) * g / (k - 1);
            double d = 0;
            for (QuadratureRun r : runs) {
                for (int i = 0; i < r.nodes().length; i++) {
                    double z = (grid[g] - r.nodes()[i]) / sigma;
                    d += r.weights()[i] * Math.exp(-0.5 * z * z);
                }
            }
            density[g] = d * norm;
        }

        double[] moments = new double[4];
        double[] stderrs = new double[4];
        int n = runs.size();
        for (int p = 0; p < 4; p++) {
            double sum = 0;
            double sumSq = 0;
            for (QuadratureRun r : runs) {
                double m = r.moment(p + 1);
                sum += m;
                sumSq += m * m;
            }
            double mean = sum / n;
            moments[p] = mean;
            double var = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : Double.NaN;
            stderrs[p] = Math.sqrt(var / n);
        }
        double variance = moments[1] - moments[0] * moments[0];
        double s = variance > 0 ? Math.sqrt(variance) : Double.NaN;
        double[] normalisedGrid = new double[k];
        double[] normalisedDensity = new double[k];
        for (int g = 0; g < k; g++) {
            normalisedGrid[g] = grid[g] / s;
            normalisedDensity[g] = density[g] * s;
        }
        return new SpectralDensity(grid, density, normalisedGrid, normalisedDensity, sigma, s, moments, stderrs,
                List.copyOf(runs), steps, products);
    }

    /** The trapezoid integral of {@code values} over the equally or unequally spaced {@code x}. */
    public static double integrate(double[] x, double[] values) {
        double s = 0;
        for (int i = 1; i < x.length; i++) {
            s += 0.5 * (x[i] - x[i - 1]) * (values[i] + values[i - 1]);
        }
        return s;
    }
}
