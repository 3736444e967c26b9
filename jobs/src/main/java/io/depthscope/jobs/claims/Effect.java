package io.depthscope.jobs.claims;

import java.util.Arrays;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * An effect size with its 95% confidence interval, or the reason it cannot be computed from the runs at
 * hand ({@code missing}, then the numbers are NaN).
 */
public record Effect(double estimate, double low, double high, String method, String missing) {

    public static Effect undefined(String method, String reason) {
        return new Effect(Double.NaN, Double.NaN, Double.NaN, method, reason);
    }

    public boolean defined() {
        return missing == null;
    }

    /**
     * mean(a) - mean(b) with Welch's interval: standard error sqrt(s_a^2/n_a + s_b^2/n_b) and the
     * Welch-Satterthwaite degrees of freedom, so the two groups need not share a variance.
     */
    public static Effect welch(double[] a, double[] b) {
        String method = "difference of means, Welch t interval";
        if (a.length < 2 || b.length < 2) {
            return undefined(method, "needs two runs or more in each group; have " + a.length + " and " + b.length);
        }
        Interval ia = Interval.of(a);
        Interval ib = Interval.of(b);
        double va = ia.std() * ia.std() / a.length;
        double vb = ib.std() * ib.std() / b.length;
        double d = ia.mean() - ib.mean();
        double se = Math.sqrt(va + vb);
        if (se == 0) {
            // identical values within each group: the interval shrinks to the point
            return new Effect(d, d, d, method, null);
        }
        double df = (va + vb) * (va + vb) / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
        double half = t975(df) * se;
        return new Effect(d, d - half, d + half, method + " (" + String.format(java.util.Locale.ROOT, "%.1f", df) + " df)", null);
    }

    /** The least-squares slope of y on x with its t interval (n - 2 degrees of freedom). */
    public static Effect olsSlope(double[] x, double[] y) {
        String method = "OLS slope, t interval";
        int n = x.length;
        if (n < 3 || Arrays.stream(x).distinct().count() < 2) {
            return undefined(method, "needs three points or more at two x values or more; have " + n + " points at "
                    + Arrays.stream(x).distinct().count() + " x values");
        }
        double mx = Arrays.stream(x).average().orElseThrow();
        double my = Arrays.stream(y).average().orElseThrow();
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        double slope = sxy / sxx;
        double rss = 0;
        for (int i = 0; i < n; i++) {
            double r = y[i] - my - slope * (x[i] - mx);
            rss += r * r;
        }
        double half = t975(n - 2) * Math.sqrt(rss / (n - 2) / sxx);
        return new Effect(slope, slope - half, slope + half, method + " (" + (n - 2) + " df)", null);
    }

    /**
     * slope(x2, y2) - slope(x1, y1), two independent least-squares slopes, with a Welch-type t interval:
     * standard error sqrt(se_1^2 + se_2^2), each se_i = sqrt(RSS_i / (n_i - 2) / Sxx_i), and the
     * Welch-Satterthwaite degrees of freedom from the two fits' n_i - 2.
     */
    public static Effect slopeDifference(double[] x1, double[] y1, double[] x2, double[] y2) {
        String method = "difference of OLS slopes, Welch-type t interval";
        Effect a = olsSlope(x1, y1);
        Effect b = olsSlope(x2, y2);
        if (!a.defined() || !b.defined()) {
            return undefined(method, "each fit " + (a.defined() ? b.missing() : a.missing()));
        }
        int dfa = x1.length - 2;
        int dfb = x2.length - 2;
        double va = Math.pow((a.high() - a.estimate()) / t975(dfa), 2);
        double vb = Math.pow((b.high() - b.estimate()) / t975(dfb), 2);
        double d = b.estimate() - a.estimate();
        double se = Math.sqrt(va + vb);
        if (se == 0) {
            return new Effect(d, d, d, method, null);
        }
        double df = (va + vb) * (va + vb) / (va * va / dfa + vb * vb / dfb);
        double half = t975(df) * se;
        return new Effect(d, d - half, d + half, method + " (" + String.format(java.util.Locale.ROOT, "%.1f", df) + " df)", null);
    }

    /** The mean of values (one per seed) with its t interval (n - 1 degrees of freedom). */
    public static Effect mean(double[] values) {
        String method = "mean across seeds, t interval";
        if (values.length < 2) {
            return undefined(method, "needs two runs or more; have " + values.length);
        }
        Interval i = Interval.of(values);
        if (i.std() == 0) {
            return new Effect(i.mean(), i.mean(), i.mean(), method, null);
        }
        return new Effect(i.mean(), i.low(), i.high(), method + " (" + (values.length - 1) + " df)", null);
    }

    private static double t975(double df) {
        return new TDistribution(null, df).inverseCumulativeProbability(0.975);
    }
}
