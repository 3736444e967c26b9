package io.depthscope.jobs.tables;

import java.util.Arrays;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The least-squares line y = intercept + slope x through a few points (ordinary least squares in closed
 * form, on centred x and y), with standard errors from the residual variance, the 95% interval for the
 * slope and its two-sided p-value from Student's t on n - 2 degrees of freedom, and r2 = 1 - RSS/TSS.
 *
 * <p>The fits used to go through MLlib's GeneralizedLinearRegression (gaussian, identity link), several
 * Spark jobs for each handful of points and most of a small study's time after its work; the numbers
 * agree with those to rounding (TrendsTest checks them against an independent OLS). When y does not vary
 * there is no residual variance to speak of: slope 0, intercept the mean, and no errors, p-value or r2, as
 * MLlib reported.
 */
record DepthFit(double slope, double slopeStderr, double slopeCiLow, double slopeCiHigh, double intercept, double interceptStderr,
        double pValue, double r2) {

    /** At least three distinct x (so at least one residual degree of freedom). */
    static DepthFit of(double[] x, double[] y) {
        int n = x.length;
        if (n != y.length || n < 3) {
            throw new IllegalArgumentException("a depth fit needs as many y as x, and 3 points or more; have " + n + " x and " + y.length + " y");
        }
        double mx = Arrays.stream(x).average().orElseThrow();
        double my = Arrays.stream(y).average().orElseThrow();
        if (Arrays.stream(y).allMatch(v -> v == y[0])) {
            return new DepthFit(0.0, Double.NaN, Double.NaN, Double.NaN, my, Double.NaN, Double.NaN, Double.NaN);
        }
        double sxx = 0;
        double sxy = 0;
        double tss = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
            tss += (y[i] - my) * (y[i] - my);
        }
        double slope = sxy / sxx;
        double intercept = my - slope * mx;
        double rss = 0;
        for (int i = 0; i < n; i++) {
            double e = y[i] - intercept - slope * x[i];
            rss += e * e;
        }
        int df = n - 2;
        double variance = rss / df;
        double slopeSe = Math.sqrt(variance / sxx);
        double interceptSe = Math.sqrt(variance * (1.0 / n + mx * mx / sxx));
        TDistribution t = new TDistribution(null, df);
        double half = t.inverseCumulativeProbability(0.975) * slopeSe;
        double p = 2 * t.cumulativeProbability(-Math.abs(slope / slopeSe));
        return new DepthFit(slope, slopeSe, slope - half, slope + half, intercept, interceptSe, p, 1 - rss / tss);
    }
}
