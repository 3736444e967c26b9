package io.depthscope.probe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * The formulas of the hessian_spectrum table ({@link HessianSpectrumAt}), from what the Hessian phase already has: the
 * moments (Hutchinson or exact), the Lanczos run's largest Ritz values with their gradient overlaps, and the stochastic
 * Lanczos quadrature's nodes, weights and smoothed density. Derived when the tables are written, so nothing new is stored.
 */
public final class SpectrumShape {
    /**
     * The bulk ends where the smoothed density, walking up from its highest point, first falls below this fraction of that
     * height. An isolated eigenvalue carries a weight of about 1/P, so its Gaussian is about 1/P of the bulk's height or less
     * and a gap of a few broadening widths before it takes the density far below this; the bulk's own shoulder does not.
     */
    public static final double BULK_DENSITY_FRACTION = 1e-3;
    /**
     * A quadrature node within this fraction of the largest |node| of the step counts as 0: the null space appears as one node at
     * (numerically) 0 whose weight is its share of the P eigenvalues, whatever the run's scale.
     */
    public static final double NULL_WINDOW = 1e-3;

    private SpectrumShape() {}

    /** One row per Hessian step of a run's results (the steps of any of its Hessian rows), in step order. */
    public static List<HessianSpectrumAt> rows(HessianResults r, long paramCount) {
        TreeSet<Integer> steps = new TreeSet<>();
        r.moments().forEach(m -> steps.add(m.step()));
        r.eigenvalues().forEach(e -> steps.add(e.step()));
        r.densities().forEach(d -> steps.add(d.step()));
        List<HessianSpectrumAt> out = new ArrayList<>();
        for (int step : steps) {
            HessianMomentsAt mAt = r.moments().stream().filter(x -> x.step() == step).findFirst().orElse(null);
            HessianMoments m = mAt == null ? null : mAt.moments();
            List<HessianEigenvalueAt> largest = r.eigenvalues().stream().filter(e -> e.step() == step && "largest".equals(e.side()))
                    .sorted(Comparator.comparingInt(HessianEigenvalueAt::rank)).toList();
            HessianDensityAt d = r.densities().stream().filter(x -> x.step() == step).findFirst().orElse(null);
            String runId = mAt != null ? mAt.runId() : !largest.isEmpty() ? largest.get(0).runId() : d.runId();
            int examples = mAt != null ? mAt.examples() : !largest.isEmpty() ? largest.get(0).examples() : d.examples();
            double[] moments = m != null ? m.moments() : d != null ? d.moments().stream().mapToDouble(Double::doubleValue).toArray() : null;
            long p = m != null ? m.paramCount() : paramCount;
            out.add(of(runId, step, examples, p, moments, largest.stream().mapToDouble(HessianEigenvalueAt::eigenvalue).toArray(),
                    largest.stream().mapToDouble(HessianEigenvalueAt::gradientOverlap).toArray(),
                    largest.stream().mapToDouble(HessianEigenvalueAt::probeOverlap).toArray(), d));
        }
        return out;
    }

    /** As {@link #of(String, int, int, long, double[], double[], double[], double[], HessianDensityAt)} without probe overlaps. */
    public static HessianSpectrumAt of(String runId, int step, int examples, long paramCount, double[] moments, double[] largest,
            double[] overlaps, HessianDensityAt density) {
        double[] none = new double[largest.length];
        java.util.Arrays.fill(none, Double.NaN);
        return of(runId, step, examples, paramCount, moments, largest, overlaps, none, density);
    }

    /**
     * The row from its parts: {@code moments} m1..m4 = tr(H^k)/P (null: none), the largest Ritz values descending with each one's
     * gradient overlap and probe overlap (empty: no Lanczos run; NaN probe overlaps: not measured), and the quadrature density
     * (null: none).
     */
    public static HessianSpectrumAt of(String runId, int step, int examples, long paramCount, double[] moments, double[] largest,
            double[] overlaps, double[] probeOverlaps, HessianDensityAt density) {
        double std = moments == null ? Double.NaN : std(moments);
        double lambdaMax = largest.length > 0 ? largest[0] : density != null ? maxNode(density) : Double.NaN;
        double edge = density == null ? Double.NaN : bulkEdge(density);
        int outliers = density == null || largest.length == 0 ? -1 : outliers(largest, bulkCut(density));
        double nullMass = density == null ? Double.NaN : nullMass(density);
        return new HessianSpectrumAt(runId, step, examples, paramCount, largest.length, lambdaMax, std, lambdaMax / std, edge,
                edge > 0 ? lambdaMax / edge : Double.NaN, outliers, moments == null ? Double.NaN : topKShare(largest, probeOverlaps, moments[1], paramCount),
                nullMass, moments == null ? Double.NaN : nonnullKurtosis(moments, nullMass), largest.length == 0 ? Double.NaN : sum(overlaps));
    }

    /** sqrt(m2 - m1^2); NaN when that is not positive. */
    public static double std(double[] m) {
        double v = m[1] - m[0] * m[0];
        return v > 0 ? Math.sqrt(v) : Double.NaN;
    }

    /**
     * Where the bulk ends: from the density's highest grid point upwards, the first grid value at which the density is below
     * {@link #BULK_DENSITY_FRACTION} of that height (+Infinity when it never is: no gap, no outlier). An eigenvalue above it is an
     * outlier; the cut lies in the gap, a few broadening widths above the bulk, so a Ritz value from the bulk's top is not one.
     */
    public static double bulkCut(HessianDensityAt d) {
        List<Double> density = d.density();
        int mode = 0;
        for (int i = 1; i < density.size(); i++) {
            if (density.get(i) > density.get(mode)) {
                mode = i;
            }
        }
        for (int i = mode + 1; i < density.size(); i++) {
            if (density.get(i) < BULK_DENSITY_FRACTION * density.get(mode)) {
                return d.grid().get(i);
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /**
     * The bulk's upper edge: the largest quadrature node (of any run) below {@link #bulkCut}. A node, not a grid value, so the
     * broadening does not move the edge; without a gap it is the largest node.
     */
    public static double bulkEdge(HessianDensityAt d) {
        double cut = bulkCut(d);
        double edge = Double.NEGATIVE_INFINITY;
        for (List<Double> nodes : d.nodes()) {
            for (double x : nodes) {
                if (x < cut) {
                    edge = Math.max(edge, x);
                }
            }
        }
        return edge;
    }

    /** How many of the largest Ritz values lie above the bulk's cut. */
    public static int outliers(double[] largest, double cut) {
        int n = 0;
        for (double x : largest) {
            if (x > cut) {
                n++;
            }
        }
        return n;
    }

    /** sum of the largest Ritz values squared over tr(H^2) = P m2, the probes' estimate as it is (no control variate). */
    public static double topKShare(double[] largest, double m2, long paramCount) {
        double[] none = new double[largest.length];
        java.util.Arrays.fill(none, Double.NaN);
        return topKShare(largest, none, m2, paramCount);
    }

    /**
     * The sum of the k largest Ritz values squared over tr(H^2). The probes' estimate P m2 = mean_v ||Hv||^2 is noisy exactly when
     * the share is large: a few outliers carry tr(H^2), and each probe sees outlier i with weight (v . y_i)^2, which has expectation 1
     * and, for a Rademacher probe, variance near 2. So the denominator subtracts the control variate sum_i theta_i^2 (c_i - 1), with
     * c_i the probes' mean of (v . y_i)^2 ({@link CurvatureSplit#probeOverlap}): still unbiased for tr(H^2) (E[c_i] = 1, and the
     * Lanczos start is drawn apart from the probes), and for exact eigenvectors it is sum_i theta_i^2 + mean_v ||H P v||^2 with P
     * the projection off the top k, never below the numerator. This is Hutch++'s deflation (Meyer, Musco, Musco and Woodruff 2021)
     * with the Ritz vectors as its sketch, at no extra product. The raw P m2 had shares up to 1.24 in a 4-probe study. Without
     * probe overlaps (NaN: not measured, as in outcomes written before them) the raw estimate is used.
     */
    public static double topKShare(double[] largest, double[] probeOverlaps, double m2, long paramCount) {
        double s = 0;
        double control = 0;
        for (int i = 0; i < largest.length; i++) {
            s += largest[i] * largest[i];
            control += largest[i] * largest[i] * (probeOverlaps[i] - 1);
        }
        if (largest.length == 0) {
            return Double.NaN;
        }
        return s / (paramCount * m2 - (Double.isNaN(control) ? 0 : control));
    }

    /**
     * The quadrature's weight at 0: per run, the weight of its nodes within {@link #NULL_WINDOW} x the largest |node| of all runs
     * of 0, averaged over runs (each run's weights sum to 1, so this is the estimated fraction of null eigenvalues).
     */
    public static double nullMass(HessianDensityAt d) {
        double scale = 0;
        for (List<Double> nodes : d.nodes()) {
            for (double x : nodes) {
                scale = Math.max(scale, Math.abs(x));
            }
        }
        double total = 0;
        for (int r = 0; r < d.nodes().size(); r++) {
            for (int i = 0; i < d.nodes().get(r).size(); i++) {
                if (Math.abs(d.nodes().get(r).get(i)) <= NULL_WINDOW * scale) {
                    total += d.weights().get(r).get(i);
                }
            }
        }
        return total / d.nodes().size();
    }

    /**
     * The kurtosis of the r = (1 - nullMass) P non-null eigenvalues: their moments are P m_k / r = m_k / (1 - nullMass), since the
     * null ones add nothing to tr(H^k); non-excess, as {@link HessianMoments#kurtosis}. NaN when everything is null.
     */
    public static double nonnullKurtosis(double[] m, double nullMass) {
        double keep = 1 - nullMass;
        if (!(keep > 0)) {
            return Double.NaN;
        }
        double[] scaled = new double[4];
        for (int k = 0; k < 4; k++) {
            scaled[k] = m[k] / keep;
        }
        return HessianMoments.kurtosis(scaled);
    }

    private static double maxNode(HessianDensityAt d) {
        return d.nodes().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
