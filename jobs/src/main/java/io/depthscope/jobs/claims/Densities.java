package io.depthscope.jobs.claims;

import java.util.ArrayList;
import java.util.List;

/**
 * Spectral densities tabulated on different grids (one per run, as hessian_density stores them) brought
 * onto one common grid, so that they can be averaged across seeds point by point.
 */
public final class Densities {
    private Densities() {}

    /** {@code n} equally spaced points from {@code low} to {@code high}, both included. */
    public static double[] grid(double low, double high, int n) {
        if (n < 2 || !(high > low)) {
            throw new IllegalArgumentException("grid: needs n >= 2 and high > low; have n = " + n + ", [" + low + ", " + high + "]");
        }
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = low + (high - low) * i / (n - 1);
        }
        g[n - 1] = high;
        return g;
    }

    /**
     * The density given at the increasing points {@code x} (values {@code y}), linearly interpolated at each
     * point of {@code at}; 0 outside [x[0], x[last]], where a density has no mass.
     */
    public static double[] interpolate(double[] x, double[] y, double[] at) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("interpolate: needs x and y of one length >= 2; have " + x.length + " and " + y.length);
        }
        for (int i = 1; i < x.length; i++) {
            if (!(x[i] > x[i - 1])) {
                throw new IllegalArgumentException("interpolate: x must increase; x[" + (i - 1) + "] = " + x[i - 1] + ", x[" + i + "] = " + x[i]);
            }
        }
        double[] out = new double[at.length];
        int j = 0;
        for (int k = 0; k < at.length; k++) {
            double a = at[k];
            if (a < x[0] || a > x[x.length - 1]) {
                continue;
            }
            // at need not be sorted: restart the search when it goes back
            if (a < x[j]) {
                j = 0;
            }
            while (j < x.length - 2 && a > x[j + 1]) {
                j++;
            }
            double w = (a - x[j]) / (x[j + 1] - x[j]);
            out[k] = (1 - w) * y[j] + w * y[j + 1];
        }
        return out;
    }

    /**
     * Each density (grids {@code xs}, values {@code ys}) on the common grid {@code at}, and the mean across
     * them with its 95% t interval at each point, as one {@link Series}.
     */
    public static Series meanOnGrid(String name, List<double[]> xs, List<double[]> ys, double[] at) {
        List<double[]> on = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            on.add(interpolate(xs.get(i), ys.get(i), at));
        }
        List<Series.Point> points = new ArrayList<>();
        for (int k = 0; k < at.length; k++) {
            double[] v = new double[on.size()];
            for (int i = 0; i < on.size(); i++) {
                v[i] = on.get(i)[k];
            }
            points.add(new Series.Point(at[k], Interval.of(v)));
        }
        return new Series(name, points);
    }

    /** The trapezoid-rule integral of y over x. */
    public static double integral(double[] x, double[] y) {
        double s = 0;
        for (int i = 1; i < x.length; i++) {
            s += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        }
        return s;
    }
}
