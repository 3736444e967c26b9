package io.depthscope.jobs.claims;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * An effect size with its standard error, Student-t degrees of freedom and 95% confidence interval, or the
 * reason it cannot be computed from the runs at hand ({@code missing}; then the numbers are NaN).
 *
 * <p>The seed is the unit of replication: the constructors that take maps keyed by seed ({@link #paired},
 * {@link #seedSlopes}, {@link #pairedSlopes}) reduce each seed to one number first and take the interval
 * across seeds, because the runs of one seed share their initial weights, their data and their batches and
 * are not independent of each other. Arms that share a seed are paired.
 *
 * @param se    the estimate's standard error (0 when every value agrees: the interval is the point)
 * @param df    the t distribution's degrees of freedom
 * @param testP the two-sided p-value of H0: effect = 0 from a test other than the t test (an exact permutation
 *              test, where the t test's approximation fails), or NaN when the t test decides
 */
public record Effect(double estimate, double low, double high, double se, double df, String method, String missing, double testP) {

    public Effect(double estimate, double low, double high, double se, double df, String method, String missing) {
        this(estimate, low, high, se, df, method, missing, Double.NaN);
    }

    public static Effect undefined(String method, String reason) {
        return new Effect(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, method, reason);
    }

    /**
     * This effect decided by another test of H0: effect = 0, whose two-sided p-value is {@code p}; the t interval
     * stays as a description of the spread across units, and the method says which test decides.
     */
    public Effect decidedBy(double p, String test) {
        if (!defined()) {
            return this;
        }
        return new Effect(estimate, low, high, se, df, method + "; p from the " + test + ", the t interval descriptive", null, p);
    }

    /** The effect with its sign turned: -estimate, the interval mirrored, the same standard error and test. */
    public Effect negated() {
        return defined() ? new Effect(-estimate, -high, -low, se, df, "minus " + method, null, testP) : this;
    }

    /** The effect as "estimate [low, high]" for a claim's notes, or why it is undefined. */
    public String brief() {
        return defined() ? Claim.num(estimate) + " [" + Claim.num(low) + ", " + Claim.num(high) + "]" : "undefined (" + missing + ")";
    }

    /** Whether the p-value is another test's than the interval's (see {@link #decidedBy}). */
    public boolean decidedByOtherTest() {
        return !Double.isNaN(testP);
    }

    /** estimate -+ t(0.975, df) se; the method names the degrees of freedom. */
    public static Effect t(double estimate, double se, double df, String method) {
        double half = se == 0 ? 0 : t975(df) * se;
        String dfs = df == Math.rint(df) ? String.valueOf((long) df) : String.format(Locale.ROOT, "%.1f", df);
        return new Effect(estimate, estimate - half, estimate + half, se, df, method + " (" + dfs + " df)", null);
    }

    public boolean defined() {
        return missing == null;
    }

    // ---- p-values (NaN when undefined) ----

    /** Two-sided p of H0: effect = 0, the test whose rejection at 0.05 is a 95% interval without 0. */
    public double pTwoSided() {
        if (!defined()) {
            return Double.NaN;
        }
        if (decidedByOtherTest()) {
            return testP;
        }
        if (se == 0) {
            return estimate == 0 ? 1 : 0;
        }
        return Math.min(1, 2 * upperTail(Math.abs(estimate) / se));
    }

    /**
     * Two one-sided tests (TOST) of H0: |effect| >= margin, doubled so that rejection at 0.05 is exactly a
     * 95% interval inside (-margin, margin): the equivalence test matching the directional rule's interval.
     */
    public double pEquivalent(double margin) {
        if (!defined()) {
            return Double.NaN;
        }
        if (decidedByOtherTest()) {
            throw new IllegalStateException("an effect decided by another test (" + method + ") has only its two-sided p-value");
        }
        if (se == 0) {
            return Math.abs(estimate) < margin ? 0 : 1;
        }
        double below = upperTail((estimate + margin) / se); // H0: effect <= -margin
        double above = upperTail((margin - estimate) / se); // H0: effect >= margin
        return Math.min(1, 2 * Math.max(below, above));
    }

    /** Two-sided test of H0: |effect| <= margin (a minimum-effect test): rejection at 0.05 is a 95% interval outside [-margin, margin]. */
    public double pBeyond(double margin) {
        if (!defined()) {
            return Double.NaN;
        }
        if (decidedByOtherTest()) {
            throw new IllegalStateException("an effect decided by another test (" + method + ") has only its two-sided p-value");
        }
        if (se == 0) {
            return Math.abs(estimate) > margin ? 0 : 1;
        }
        double over = upperTail((estimate - margin) / se); // H0: effect <= margin
        double under = upperTail((-margin - estimate) / se); // H0: effect >= -margin
        return Math.min(1, 2 * Math.min(over, under));
    }

    private double upperTail(double tStat) {
        return 1 - new TDistribution(null, df).cumulativeProbability(tStat);
    }

    // ---- effects over independent values ----

    /** The mean of values (one per seed, or per independent unit) with its t interval (n - 1 degrees of freedom). */
    public static Effect mean(double[] values) {
        String method = "mean across seeds, t interval";
        if (values.length < 2) {
            return undefined(method, "needs two seeds or more; have " + values.length);
        }
        Interval i = Interval.of(values);
        return t(i.mean(), i.std() / Math.sqrt(values.length), values.length - 1, method);
    }

    /**
     * mean(a) - mean(b) with Welch's interval: standard error sqrt(s_a^2/n_a + s_b^2/n_b) and the
     * Welch-Satterthwaite degrees of freedom, so the two groups need not share a variance. Only for groups
     * that share no seed: see {@link #difference}.
     */
    public static Effect welch(double[] a, double[] b) {
        String method = "difference of means of unpaired seeds, Welch t interval";
        if (a.length < 2 || b.length < 2) {
            return undefined(method, "needs two seeds or more in each arm; have " + a.length + " and " + b.length);
        }
        Interval ia = Interval.of(a);
        Interval ib = Interval.of(b);
        double va = ia.std() * ia.std() / a.length;
        double vb = ib.std() * ib.std() / b.length;
        double d = ia.mean() - ib.mean();
        double se = Math.sqrt(va + vb);
        if (se == 0) {
            return t(d, 0, a.length + b.length - 2, method);
        }
        double df = (va + vb) * (va + vb) / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
        return t(d, se, df, method);
    }

    /** The least-squares slope of y on x with its t interval (n - 2 degrees of freedom). */
    public static Effect olsSlope(double[] x, double[] y) {
        String method = "OLS slope, t interval";
        int n = x.length;
        long xs = Arrays.stream(x).distinct().count();
        if (n < 3 || xs < 2) {
            return undefined(method, "needs three points or more at two x values or more; have " + n + " points at " + xs + " x values");
        }
        double slope = slope(x, y);
        double mx = Arrays.stream(x).average().orElseThrow();
        double my = Arrays.stream(y).average().orElseThrow();
        double sxx = 0;
        double rss = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        for (int i = 0; i < n; i++) {
            double r = y[i] - my - slope * (x[i] - mx);
            rss += r * r;
        }
        return t(slope, Math.sqrt(rss / (n - 2) / sxx), n - 2, method);
    }

    /** The least-squares slope of y on x (NaN below two distinct x values). */
    static double slope(double[] x, double[] y) {
        if (Arrays.stream(x).distinct().count() < 2) {
            return Double.NaN;
        }
        double mx = Arrays.stream(x).average().orElseThrow();
        double my = Arrays.stream(y).average().orElseThrow();
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < x.length; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        return sxy / sxx;
    }

    // ---- effects with the seed as the unit ----

    /**
     * a - b paired by seed: the mean over the seeds both arms have of a[seed] - b[seed], with its t interval
     * (k - 1 df for k shared seeds). Seeds in one arm only are left out (the method says how many). Arms
     * that share no seed at all are unpaired: Welch's interval over their per-seed values.
     */
    public static Effect difference(SortedMap<Long, Double> a, SortedMap<Long, Double> b) {
        List<Long> shared = a.keySet().stream().filter(b::containsKey).toList();
        if (shared.isEmpty()) {
            return welch(values(a), values(b));
        }
        double[] d = shared.stream().mapToDouble(s -> a.get(s) - b.get(s)).toArray();
        int unpaired = a.size() + b.size() - 2 * shared.size();
        String method = "mean of per-seed paired differences" + (unpaired > 0 ? ", " + unpaired + " unpaired seed value(s) left out" : "")
                + ", t interval";
        if (d.length < 2) {
            return undefined(method, "needs two seeds or more in both arms; have " + d.length);
        }
        Interval i = Interval.of(d);
        return t(i.mean(), i.std() / Math.sqrt(d.length), d.length - 1, method);
    }

    /**
     * Each seed's least-squares slope of y on x (its points {x, y}), then the mean across seeds with its t
     * interval: the seed, not the run, is the unit. Seeds with fewer than two distinct x values have no
     * slope and are left out.
     */
    public static Effect seedSlopes(SortedMap<Long, double[][]> points) {
        SortedMap<Long, Double> slopes = slopes(points);
        Effect e = mean(values(slopes));
        String method = "per-seed OLS slopes, mean across seeds, t interval";
        return e.defined() ? t(e.estimate, e.se, e.df, method) : undefined(method, "needs two seeds or more with a slope (two x values); have "
                + slopes.size());
    }

    /** slope(b) - slope(a) per seed both arms have, then the mean across those seeds with its t interval. */
    public static Effect pairedSlopes(SortedMap<Long, double[][]> a, SortedMap<Long, double[][]> b) {
        Effect e = difference(slopes(b), slopes(a));
        String method = "per-seed OLS slopes, paired difference across seeds, t interval";
        return e.defined() ? t(e.estimate, e.se, e.df, method) : undefined(method, e.missing());
    }

    /** Each seed's slope (points as {x, y} pairs), seeds without one left out. */
    public static SortedMap<Long, Double> slopes(SortedMap<Long, double[][]> points) {
        SortedMap<Long, Double> out = new TreeMap<>();
        for (Map.Entry<Long, double[][]> e : points.entrySet()) {
            double s = slope(column(e.getValue(), 0), column(e.getValue(), 1));
            if (!Double.isNaN(s)) {
                out.put(e.getKey(), s);
            }
        }
        return out;
    }

    private static double[] column(double[][] points, int c) {
        return Arrays.stream(points).mapToDouble(p -> p[c]).toArray();
    }

    static double[] values(Map<Long, Double> bySeed) {
        return new ArrayList<>(bySeed.values()).stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double t975(double df) {
        return new TDistribution(null, df).inverseCumulativeProbability(0.975);
    }
}
