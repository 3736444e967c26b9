package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;

import io.depthscope.jobs.tables.Tables;
import io.depthscope.nn.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The claims of Ghorbani, Krishnan & Xiao (2019), "An investigation into neural net optimization via
 * Hessian eigenvalue density", on plain against residual networks that differ only in depth and seed, with the
 * Hessian at the runs' last step: fully connected ({@code mlp} against {@code resmlp}) or the paper's own
 * convolutional pair ({@code simple} against {@code resnet}, 6n+2 with BatchNorm).
 * The question, at a fixed parameter count: does the kurtosis (and do the outliers) grow with depth, and is it lower with
 * residual connections at equal P? The spectrum measures are hessian_spectrum's (docs/tables.md), which do not grow with P.
 * (a) In plain networks the kurtosis of the spectrum's non-null part grows with depth: per seed, the OLS slope of
 * ln(non-null kurtosis) on ln(depth), a power-law exponent; mean across seeds.
 * (b) In plain networks the largest outlier stands further out of the bulk with depth: the same slope of
 * ln(lambda_max / bulk edge) (the paper's "the magnitude of these outliers increases with the depth").
 * (c) At the largest depth residual networks have a lower non-null kurtosis than plain ones: plain minus residual
 * ln(non-null kurtosis), paired by seed (equal P).
 * (d) The same for the skewness of hessian_moments (which may be negative, so no logarithm; the arms have equal P).
 * (e) The 49.4% argument: after training, residual connections neither consistently raise nor lower the
 * layers' gradient norms: residual_comparison's fraction_weight_gradient_lower at the last diagnostics step,
 * minus 1/2, per seed; an equivalence claim with margin {@link #FRACTION_MARGIN}.
 * Every verdict is {@link Verdict}'s, after Holm's correction over the five.
 */
public final class GhorbaniClaims implements ClaimSet {
    public static final String LABEL = QuickstartClaims.LABEL;
    /** Claim (d)'s equivalence margin on the fraction of layers lower in the residual network, around 1/2. */
    public static final double FRACTION_MARGIN = 0.15;
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
        return List.of(new Finding(kurtosisGrowsWithDepth(t), kurtosis), new Finding(outliersGrowWithDepth(t), outliersVsDepth(t)),
                new Finding(residualLowerKurtosis(t), normalisedDensities(t)), new Finding(residualLowerSkewness(t), skewnessVsDepth(t)),
                new Finding(someLayersLowerInResidual(t), layerGradients(t)));
    }

    /** The largest depth with ok runs of both archs, or -1. */
    public int deepestPairedDepth(StudyTables t) {
        return t.deepestDepthWithTwoArchs();
    }

    public Claim kurtosisGrowsWithDepth(StudyTables t) {
        Archs archs = Archs.of(t);
        return SpectrumClaims.growth(t, archs.plain(), SpectrumClaims.KURTOSIS, r -> SeedValues.log(r, "depth"), "ln(depth)",
                "the Hessian's spectrum of plain networks grows heavier-tailed with depth (rule: per seed, the "
                        + "OLS slope of ln(non-null kurtosis) on ln(depth) over the plain runs; mean across seeds)",
                SOURCE + " (Sec. 3, Fig. 3: without residual connections the spectrum grows heavier-tailed with depth)");
    }

    public Claim outliersGrowWithDepth(StudyTables t) {
        Archs archs = Archs.of(t);
        return SpectrumClaims.growth(t, archs.plain(), SpectrumClaims.OUTLIERS, r -> SeedValues.log(r, "depth"), "ln(depth)",
                "in plain networks the Hessian's outliers grow with depth: the largest stands further out of the bulk (rule: per seed, the "
                        + "OLS slope of ln(lambda_max / bulk edge) on ln(depth) over the plain runs; mean across seeds)",
                SOURCE + " (Sec. 3, Fig. 2: as the network gets deeper outliers appear, and their magnitude increases with depth)");
    }

    public Claim residualLowerKurtosis(StudyTables t) {
        Archs archs = Archs.of(t);
        return SpectrumClaims.residualLower(t, archs.plain(), archs.residual(), SpectrumClaims.KURTOSIS, "at equal parameter count "
                + "residual networks have a lower non-null Hessian kurtosis than plain ones at the largest depth (rule: plain minus residual "
                + "ln(non-null kurtosis), paired by seed; mean across seeds)",
                SOURCE + " (Sec. 4, Fig. 3: residual connections substantially reduce the kurtosis and the outliers)");
    }

    public Claim residualLowerSkewness(StudyTables t) {
        return residualLower(t, "skewness", false);
    }

    /** Plain minus residual at the largest depth, paired by seed: the two arms of a seed have the same P and share their initial weights. */
    private Claim residualLower(StudyTables t, String moment, boolean log) {
        String of = log ? "ln(" + moment + ")" : moment;
        String statement = "at the largest depth residual networks have a lower Hessian " + moment + " than plain ones (rule: plain minus "
                + "residual " + of + ", paired by seed; mean across seeds)";
        String source = SOURCE + " (Sec. 3.2: residual connections keep the spectrum compact, without large outliers)";
        int depth = deepestPairedDepth(t);
        Archs archs = Archs.of(t);
        if (depth < 0) {
            return new Claim(statement, source, "plain minus residual " + of, Effect.undefined("paired by seed", "no depth has ok runs of both "
                    + archs.plain() + " and " + archs.residual()), 0, 0, "");
        }
        List<Row> at = t.finalMoments().where(col("depth").equalTo(depth)).select("arch", moment, "seed").collectAsList();
        java.util.function.ToDoubleFunction<Row> value = r -> log ? SeedValues.log(r, moment) : SeedValues.num(r, moment);
        SortedMap<Long, Double> plain = SeedValues.of(arch(at, archs.plain()), value);
        SortedMap<Long, Double> residual = SeedValues.of(arch(at, archs.residual()), value);
        long excluded = t.okRunRows().stream().filter(r -> !r.isNullAt(r.fieldIndex("depth")) && r.<Integer>getAs("depth") == depth).count()
                - plain.size() - residual.size();
        String notes = String.format(Locale.ROOT, "Mean %s at depth %d: plain %s, residual %s (hessian_moments at the runs' last step; the "
                + "two arms have the same parameter count); %d ok run(s) without a finite%s value are left out, as are runs that diverged "
                + "or failed.", moment, depth, Claim.num(mean(arch(at, archs.plain()), moment)), Claim.num(mean(arch(at, archs.residual()), moment)),
                excluded, log ? " positive" : "");
        return new Claim(statement, source, "plain minus residual " + of + " at depth " + depth + ", paired by seed",
                Effect.difference(plain, residual), plain.size() + residual.size(), SeedValues.shared(plain, residual), notes);
    }

    /** Plain/residual pairs of ok runs at {@code step}, with the plain run's depth and seed. */
    public Dataset<Row> pairs(StudyTables t, int step) {
        Dataset<Row> ok = t.okRuns();
        return t.table(Tables.RESIDUAL_COMPARISON).where(col("step").equalTo(step)).alias("c")
                .join(ok.select(col("run_id").as("p_id"), col("depth"), col("seed")), col("c.plain_run_id").equalTo(col("p_id")))
                .join(ok.select(col("run_id").as("r_id")), col("c.residual_run_id").equalTo(col("r_id")));
    }

    /** The last step at which the residual_comparison table compares the runs' gradients: the end of training, where the paper looks. */
    public int gradientStep(StudyTables t) {
        Row r = t.table(Tables.RESIDUAL_COMPARISON).agg(org.apache.spark.sql.functions.max("step")).first();
        return r.isNullAt(0) ? 0 : ((Number) r.get(0)).intValue();
    }

    /**
     * The paper's argument against vanishing and exploding gradients (Sec. 3.3, Fig. 1: 49.4% of variables have a lower gradient norm in
     * the residual network, after 10k steps): residual connections neither consistently raise nor lower the gradient norms. A claim of
     * no effect, so an equivalence test: the fraction of weight layers lower in the residual run, minus one half, per seed (averaged over
     * its depths), within -+{@link #FRACTION_MARGIN}.
     */
    public Claim someLayersLowerInResidual(StudyTables t) {
        int step = gradientStep(t);
        String statement = "residual connections neither consistently raise nor lower the layers' gradient norms after training: about "
                + "half the weight layers have a lower ||dLoss/dW|| in the residual network (rule: the fraction of weight layers (linear "
                + "maps, convolutions) lower in the residual run at step " + step + ", the runs' last diagnostics step, minus 1/2, per seed "
                + "averaged over depths; equivalent iff its 95% CI lies within -+" + FRACTION_MARGIN + ")";
        List<Row> p = pairs(t, step).select("fraction_weight_gradient_lower", "seed", "depth").collectAsList();
        SortedMap<Long, Double> perSeed = SeedValues.of(p, r -> SeedValues.num(r, "fraction_weight_gradient_lower") - 0.5);
        Effect e = Effect.mean(Effect.values(perSeed));
        double mean = p.stream().mapToDouble(r -> SeedValues.num(r, "fraction_weight_gradient_lower")).filter(Double::isFinite).average()
                .orElse(Double.NaN);
        String notes = String.format(Locale.ROOT, "The paper finds %.1f%% of variables lower in the residual network at depth 80 after 10k "
                + "steps; here %s%% (%d pairs at depths %s, step %d). A fraction far below 1/2 would mean the residual network's gradients "
                + "are larger in most layers, far above 1/2 smaller: either is the consistent change the paper argues against.",
                100 * PAPER_FRACTION, Double.isNaN(mean) ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * mean), p.size(),
                RowValues.distinct(p, "depth"), step);
        return new Claim(statement, SOURCE + " (Sec. 3.3, Fig. 1: 49.4% of variables have a lower gradient norm with residual connections)",
                "mean fraction of weight layers with lower gradient norm in the residual run, minus 1/2", e, 2L * p.size(), perSeed.size(), notes,
                Hypothesis.within(FRACTION_MARGIN, "neither arm larger in more than 65% of the layers; fixed before the data"));
    }

    private static List<Row> arch(List<Row> rows, String arch) {
        return rows.stream().filter(r -> arch.equals(r.getAs("arch"))).toList();
    }

    private static double mean(List<Row> rows, String column) {
        return rows.stream().mapToDouble(r -> SeedValues.num(r, column)).filter(Double::isFinite).average().orElse(Double.NaN);
    }

    /** The non-null kurtosis against depth (the raw kurtosis for a study written before hessian_spectrum). */
    public Figure kurtosisVsDepth(StudyTables t) {
        return SpectrumClaims.kurtosisFigure(t, LABEL, "at the last step");
    }

    /** lambda_max / bulk edge against depth. */
    public Figure outliersVsDepth(StudyTables t) {
        return SpectrumClaims.outliersFigure(t, LABEL, "last step");
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


}
