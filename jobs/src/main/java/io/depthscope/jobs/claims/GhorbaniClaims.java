package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;

import io.depthscope.jobs.tables.Tables;
import io.depthscope.nn.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The claims of Ghorbani, Krishnan & Xiao (2019), "An investigation into neural net optimization via
 * Hessian eigenvalue density", on plain against residual networks that differ only in depth and seed, with the
 * Hessian at the runs' last step: fully connected ({@code mlp} against {@code resmlp}) or the paper's own
 * convolutional pair ({@code simple} against {@code resnet}, 6n+2 with BatchNorm).
 * (a) In plain networks the Hessian's kurtosis grows with depth: the OLS slope of ln(kurtosis) on
 * ln(depth) over the plain runs, a power-law exponent; positive is growth.
 * (b) At the largest depth residual networks have a lower kurtosis than plain ones: Welch's difference of
 * mean ln(kurtosis), plain minus residual.
 * (c) At the largest depth residual networks have a lower skewness than plain ones: Welch's difference of
 * mean skewness, plain minus residual (skewness may be negative, so no logarithm).
 * (d) The 49.4% argument: residual connections do not raise every layer's gradient norm; some layers'
 * weight gradients are lower in the residual network at initialisation: the mean across plain/residual
 * pairs of residual_comparison's fraction_weight_gradient_lower at step 0, with its t interval; supported
 * iff the interval lies above 0. The paper's value, 0.494, is reported beside it, not tested.
 * Every rule is the one of {@link Verdict}: supported iff the 95% interval lies above 0.
 */
public final class GhorbaniClaims implements ClaimSet {
    public static final String LABEL = QuickstartClaims.LABEL;
    /** The diagnostics step claim (d) reads: initialisation, as in the paper's argument. */
    public static final int GRADIENT_STEP = 0;
    /** The paper's fraction of layers with a lower gradient norm in the residual network. */
    public static final double PAPER_FRACTION = 0.494;
    /** Points of the common normalised grid the densities are averaged on. */
    public static final int DENSITY_POINTS = 401;
    /** The density figure's log axis shows means down to this fraction of the largest mean (display only). */
    public static final double DENSITY_FLOOR = 1e-6;
    private static final String SOURCE = "Ghorbani, Krishnan & Xiao 2019";

    @Override
    public String name() {
        return "ghorbani2019";
    }

    @Override
    public boolean accepts(String study) {
        return study.equals("ghorbani2019") || study.startsWith("ghorbani2019-");
    }

    /** The study's plain arch and its residual counterpart ({@link NetworkSpec#RESIDUAL_OF}). */
    public record Archs(String plain, String residual) {
        /** The pair the study's runs belong to; one line naming the field otherwise. */
        public static Archs of(StudyTables t) {
            List<String> archs = RowValues.distinct(t.runRows(), "arch");
            for (var e : NetworkSpec.RESIDUAL_OF.entrySet()) {
                if (List.of(e.getKey(), e.getValue()).containsAll(archs)) {
                    return new Archs(e.getKey(), e.getValue());
                }
            }
            throw new IllegalArgumentException("arch: values " + archs + " are not allowed for the ghorbani2019 claims; allowed: "
                    + "plain and residual archs of one family, " + NetworkSpec.RESIDUAL_OF);
        }

        String plainLabel() {
            return "plain (" + plain + ")";
        }

        String residualLabel() {
            return "residual (" + residual + ")";
        }
    }

    @Override
    public List<Finding> findings(StudyTables t) {
        QuickstartClaims.requireOnlyArchDepthSeedVary(t);
        Archs.of(t);
        Figure kurtosis = kurtosisVsDepth(t);
        return List.of(new Finding(kurtosisGrowsWithDepth(t), kurtosis), new Finding(residualLowerKurtosis(t), normalisedDensities(t)),
                new Finding(residualLowerSkewness(t), skewnessVsDepth(t)), new Finding(someLayersLowerInResidual(t), layerGradients(t)));
    }

    /** The largest depth with ok runs of both archs, or -1. */
    public int deepestPairedDepth(StudyTables t) {
        return t.deepestDepthWithTwoArchs();
    }

    private Dataset<Row> finite(Dataset<Row> moments, String column) {
        return moments.where(col(column).isNotNull().and(col(column).isNaN().equalTo(false)));
    }

    public Claim kurtosisGrowsWithDepth(StudyTables t) {
        String statement = "in plain networks the Hessian's kurtosis grows with depth (rule: OLS slope of ln(kurtosis) on ln(depth) "
                + "over the plain runs, supported iff its 95% CI lies above 0)";
        Archs archs = Archs.of(t);
        Dataset<Row> plain = finite(t.finalMoments().where(col("arch").equalTo(archs.plain())), "kurtosis").where(col("kurtosis").gt(0));
        List<Row> rows = plain.select("depth", "kurtosis").collectAsList();
        double[] x = rows.stream().mapToDouble(r -> Math.log(r.getInt(0))).toArray();
        double[] y = rows.stream().mapToDouble(r -> Math.log(r.getDouble(1))).toArray();
        Effect slope = Effect.olsSlope(x, y);
        long excluded = t.okRunRows().stream().filter(r -> archs.plain().equals(r.getAs("arch"))).count() - rows.size();
        String notes = String.format(Locale.ROOT, "The slope is a power-law exponent: kurtosis ~ depth^slope. Kurtosis is non-excess "
                + "(3 for a Gaussian), from hessian_moments at the runs' last step; %d ok plain run(s) without a positive finite kurtosis "
                + "are left out, as are runs that diverged or failed.", excluded);
        return new Claim(statement, SOURCE + " (Sec. 3, Fig. 3: without residual connections the spectrum grows heavier-tailed with depth)",
                "slope of ln(kurtosis) on ln(depth)", slope, rows.size(), plain.select("seed").distinct().count(), notes);
    }

    public Claim residualLowerKurtosis(StudyTables t) {
        return residualLower(t, "kurtosis", true);
    }

    public Claim residualLowerSkewness(StudyTables t) {
        return residualLower(t, "skewness", false);
    }

    private Claim residualLower(StudyTables t, String moment, boolean log) {
        String of = log ? "mean ln(" + moment + ")" : "mean " + moment;
        String statement = "at the largest depth residual networks have a lower Hessian " + moment + " than plain ones (rule: Welch "
                + "difference of " + of + ", plain minus residual, supported iff its 95% CI lies above 0)";
        String source = SOURCE + " (Sec. 3.2: residual connections keep the spectrum compact, without large outliers)";
        int depth = deepestPairedDepth(t);
        Archs archs = Archs.of(t);
        if (depth < 0) {
            return new Claim(statement, source, "plain minus residual " + of, Effect.undefined("Welch", "no depth has ok runs of both "
                    + archs.plain() + " and " + archs.residual()), 0, 0, "");
        }
        Dataset<Row> at = finite(t.finalMoments().where(col("depth").equalTo(depth)), moment);
        if (log) {
            at = at.where(col(moment).gt(0));
        }
        double[] plain = values(at.where(col("arch").equalTo(archs.plain())), moment, log);
        double[] residual = values(at.where(col("arch").equalTo(archs.residual())), moment, log);
        long excluded = t.okRunRows().stream().filter(r -> !r.isNullAt(r.fieldIndex("depth")) && r.<Integer>getAs("depth") == depth).count()
                - plain.length - residual.length;
        String notes = String.format(Locale.ROOT, "Mean %s at depth %d: plain %s, residual %s (hessian_moments at the runs' last step); "
                + "%d ok run(s) without a finite%s value are left out, as are runs that diverged or failed.", moment, depth,
                Claim.num(Interval.of(raw(at.where(col("arch").equalTo(archs.plain())), moment)).mean()),
                Claim.num(Interval.of(raw(at.where(col("arch").equalTo(archs.residual())), moment)).mean()), excluded, log ? " positive" : "");
        return new Claim(statement, source, "plain minus residual " + of + " at depth " + depth, Effect.welch(plain, residual),
                plain.length + residual.length, at.select("seed").distinct().count(), notes);
    }

    /** Plain/residual pairs of ok runs at {@code step}, with the plain run's depth and seed. */
    public Dataset<Row> pairs(StudyTables t, int step) {
        Dataset<Row> ok = t.okRuns();
        return t.table(Tables.RESIDUAL_COMPARISON).where(col("step").equalTo(step)).alias("c")
                .join(ok.select(col("run_id").as("p_id"), col("depth"), col("seed")), col("c.plain_run_id").equalTo(col("p_id")))
                .join(ok.select(col("run_id").as("r_id")), col("c.residual_run_id").equalTo(col("r_id")));
    }

    public Claim someLayersLowerInResidual(StudyTables t) {
        String statement = "residual connections do not raise every layer's gradient norm: some layers' weight gradients are lower in "
                + "the residual network at initialisation (rule: mean over plain/residual pairs of the fraction of weight layers "
                + "(linear maps, convolutions) whose ||dLoss/dW|| is lower in the residual run, at step " + GRADIENT_STEP + ", supported iff its 95% t CI lies above 0)";
        Dataset<Row> p = pairs(t, GRADIENT_STEP).where(col("fraction_weight_gradient_lower").isNotNull()
                .and(col("fraction_weight_gradient_lower").isNaN().equalTo(false)));
        double[] f = p.select("fraction_weight_gradient_lower").collectAsList().stream().mapToDouble(r -> r.getDouble(0)).toArray();
        Interval i = Interval.of(f);
        String method = "mean across pairs (all depths pooled), t interval";
        Effect e = f.length < 2 ? Effect.undefined(method, "needs two plain/residual pairs or more at step " + GRADIENT_STEP + "; have " + f.length)
                : new Effect(i.mean(), i.low(), i.high(), method + " (" + (f.length - 1) + " df)", null);
        String notes = String.format(Locale.ROOT, "The paper finds %.1f%% of layers lower in the residual network; here %s%% (mean of %d "
                + "pairs at depths %s). The claim needs only some layers lower (CI above 0), not the paper's value.",
                100 * PAPER_FRACTION, f.length == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * i.mean()), f.length,
                StudyTables.distinct(p, "depth"));
        return new Claim(statement, SOURCE + " (Sec. 3.3: 49.4% of layers have a lower gradient norm with residual connections)",
                "mean fraction of maps with lower weight-gradient norm in the residual run", e, 2L * f.length,
                p.select("seed").distinct().count(), notes);
    }

    public Figure kurtosisVsDepth(StudyTables t) {
        return Charts.vsDepth("Hessian kurtosis at the last step", "kurtosis (non-excess)",
                SeedStats.series(t.finalMoments(), LABEL, "depth", "kurtosis"), true);
    }

    public Figure skewnessVsDepth(StudyTables t) {
        return Charts.vsDepth("Hessian skewness at the last step", "skewness", SeedStats.series(t.finalMoments(), LABEL, "depth", "skewness"),
                false);
    }

    /**
     * Normalised spectral densities (eigenvalue / s, density x s) at the largest depth, each run's density
     * interpolated on one common grid spanning every run's normalised grid, then averaged across seeds per
     * arch; log y, means shown down to {@link #DENSITY_FLOOR} of the largest.
     */
    public Figure normalisedDensities(StudyTables t) {
        int depth = deepestPairedDepth(t);
        Dataset<Row> step = t.table("hessian_density").groupBy("run_id").agg(org.apache.spark.sql.functions.max("step").as("last"));
        List<Row> rows = t.okRuns().where(col("depth").equalTo(depth)).select("run_id", "arch")
                .join(t.table("hessian_density"), "run_id").join(step, "run_id").where(col("step").equalTo(col("last")))
                .select("arch", "normalised_grid", "normalised_density").orderBy("arch").collectAsList();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Row r : rows) {
            List<Double> g = r.getList(1);
            lo = Math.min(lo, g.get(0));
            hi = Math.max(hi, g.get(g.size() - 1));
        }
        List<Series> series = new ArrayList<>();
        if (!rows.isEmpty()) {
            double[] at = Densities.grid(lo, hi, DENSITY_POINTS);
            Archs archs = Archs.of(t);
            for (String arch : List.of(archs.plain(), archs.residual())) {
                List<double[]> xs = new ArrayList<>();
                List<double[]> ys = new ArrayList<>();
                for (Row r : rows) {
                    if (r.getString(0).equals(arch)) {
                        xs.add(r.<Double>getList(1).stream().mapToDouble(Double::doubleValue).toArray());
                        ys.add(r.<Double>getList(2).stream().mapToDouble(Double::doubleValue).toArray());
                    }
                }
                if (!xs.isEmpty()) {
                    series.add(aboveFloor(Densities.meanOnGrid(arch.equals(archs.plain()) ? archs.plainLabel() : archs.residualLabel(), xs, ys,
                            at)));
                }
            }
        }
        return Charts.lines("Normalised Hessian density, depth " + depth, "eigenvalue / s (s: spectrum std)", "density x s", series, true, false);
    }

    private static Series aboveFloor(Series s) {
        double max = s.points().stream().mapToDouble(p -> p.y().mean()).max().orElse(0);
        return new Series(s.name(), s.points().stream().filter(p -> p.y().mean() > DENSITY_FLOOR * max).toList());
    }

    /** Per-layer weight-gradient norms at the largest depth, plain against residual, at each diagnostics step. */
    public Figure layerGradients(StudyTables t) {
        int depth = deepestPairedDepth(t);
        Dataset<Row> g = t.okRuns().where(col("depth").equalTo(depth)).select("run_id", "arch", "seed").join(t.table("layer_gradients"), "run_id");
        return Charts.lines("Weight-gradient norm per layer, depth " + depth, "weight layer i (0: input)", "||dLoss/dW_i||_F",
                SeedStats.series(g, "concat(" + LABEL + ", ', step ', step)", "map", "weight_gradient_norm"), true, true);
    }

    @Override
    public String scale(StudyTables t) {
        if (Archs.of(t).plain().equals("simple")) {
            return "This study: convolutional simple and ResNet-(6n+2) networks of depth " + t.values("depth") + " with " + t.values("width")
                    + ", 2x and 4x that many filters in their three stages, BatchNorm " + t.values("batch_norm") + " (Hessian in "
                    + t.values("hessian_mode") + " mode), " + t.values("dataset_n_train") + " training images (" + t.values("dataset_kind")
                    + "), " + t.values("steps") + " steps of " + t.values("optimizer_kind") + " at learning rate " + t.values("optimizer_lr")
                    + " with batches of " + t.values("optimizer_batch_size") + "; Hessian moments by " + t.values("hessian_method") + " with "
                    + t.values("hessian_probes") + " probes on " + t.values("hessian_examples") + " examples and densities by stochastic "
                    + "Lanczos quadrature, " + t.values("dtype") + ". Ghorbani et al. (2019) train the same family on CIFAR-10 (16, 32 and "
                    + "64 filters, depths up to 90) for 10k to 100k steps; a study of fewer filters, images or steps tests the claims' "
                    + "direction, not the paper's numbers.";
        }
        return "This study: fully connected " + t.values("arch") + " networks of width " + t.values("width") + " and depth " + t.values("depth") + " ("
                + t.values("activation") + "), " + t.values("dataset_n_train") + " training examples (" + t.values("dataset_kind") + ", "
                + t.values("dataset_input_dim") + " inputs), " + t.values("steps") + " steps of " + t.values("optimizer_kind") + " at learning rate "
                + t.values("optimizer_lr") + "; Hessian moments by " + t.values("hessian_method") + " with " + t.values("hessian_probes") + " probes and "
                + "densities by stochastic Lanczos quadrature with a few short runs, " + t.values("dtype") + ". Ghorbani et al. (2019) "
                + "estimate the whole spectra of convolutional ResNet-32 and VGG-type networks (and plain ResNets without skip "
                + "connections) with hundreds of thousands to millions of parameters on CIFAR-10 and ImageNet, trained for many epochs, "
                + "with batch normalisation in much of their study. These small networks test the claims' direction only; they are "
                + "no replication of those experiments.";
    }

    private static double[] raw(Dataset<Row> rows, String column) {
        return rows.select(column).collectAsList().stream().mapToDouble(r -> r.getDouble(0)).toArray();
    }

    private static double[] values(Dataset<Row> rows, String column, boolean log) {
        double[] v = raw(rows, column);
        return log ? java.util.Arrays.stream(v).map(Math::log).toArray() : v;
    }

}
