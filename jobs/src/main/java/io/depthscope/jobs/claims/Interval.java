package io.depthscope.jobs.claims;

import io.depthscope.jobs.tables.Summary;

/**
 * A mean across seeds with its 95% Student-t interval (n - 1 degrees of freedom), computed as the summary
 * table computes it ({@link Summary#interval}). {@code std}, {@code low} and {@code high} are NaN below
 * two values.
 */
public record Interval(long n, double mean, double std, double stderr, double low, double high) {

    /** From a count, mean and sample standard deviation (as Spark's AVG and STDDEV_SAMP give them). */
    public static Interval of(long n, double mean, double std) {
        double[] s = Summary.interval(n, mean, std);
        return new Interval(n, s[0], s[1], s[2], s[3], s[4]);
    }

    /** From the values themselves. */
    public static Interval of(double... values) {
        int n = values.length;
        if (n == 0) {
            return of(0, Double.NaN, Double.NaN);
        }
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= n;
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return of(n, mean, n < 2 ? Double.NaN : Math.sqrt(ss / (n - 1)));
    }

    /** Whether the interval exists (two values or more). */
    public boolean bounded() {
        return !Double.isNaN(low) && !Double.isNaN(high);
    }
}
