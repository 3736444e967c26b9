package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

import io.depthscope.jobs.tables.Tables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Du, Lee, Li, Wang &amp; Zhai (2018), "Gradient descent finds global minima of deep neural networks", on
 * over-parameterised plain ({@code mlp}) and residual ({@code resmlp}) networks fitting random labels.
 * (a) The theorems' linear rate: loss(k) <= (1 - eta lambda_min / 2)^k loss(0) for the loss 1/2 sum_i (f(x_i) - y_i)^2
 * and a step eta on it. Depthscope's mse is that loss over N and its NTK Gram K (the ntk table) is not divided by N,
 * so a step lr on the mse is a step lr / N on Du's loss, and the bound is a per-step decay of ln(loss) of at least
 * b = -ln(1 - lr lambda_min(K_0) / (2N)). Per run, the observed rate r is minus the least-squares slope of ln(train
 * loss) on step over {@link #WINDOW}; the effect is ln(r / b), per (arch, depth) cell at the widest width, mean
 * across seeds; the cell whose interval reaches lowest decides (every cell must lie above 0). (b) The NTK Gram's
 * scale-free lambda_min at initialisation (lambda_min N / tr K_0) shrinks faster with depth for mlp than for resmlp:
 * per seed, resmlp's OLS slope of its log on depth minus mlp's, at the widest width. (c) For mlp it shrinks at all.
 * (d) The width the theorems need grows exponentially with depth for mlp and polynomially for resmlp (with the
 * residual branch scaled by 1/H): per seed, the slope of log2 of the smallest width that reaches the target within
 * the step budget on depth, mlp minus resmlp ({@link MinimalWidth}).
 */
public final class Du2018Claims implements ClaimSet {
    static final String NTK = "ntk";
    /**
     * The window of claim (a)'s fit: the curve from step 0 to the first evaluated step whose loss is at most this fraction of the
     * initial loss (that step included), or to the last step. Below it float64 rounding, not the dynamics, would set the slope.
     */
    public static final double WINDOW_FLOOR = 1e-10;
    public static final String WINDOW = "the evaluated steps from 0 to the first whose training loss is at most 1e-10 of the initial "
            + "loss (included), or to the last step";

    @Override
    public String name() {
        return "du2018";
    }

    @Override
    public boolean accepts(String study) {
        return study.equals("du2018") || study.startsWith("du2018-");
    }

    public List<Integer> depths(StudyTables t) {
        return t.okValues("depth").stream().map(Integer::valueOf).toList();
    }

    /** The largest width of the ok runs (the one closest to the theorems' regime), or -1 without runs. */
    public int widest(StudyTables t) {
        return t.okValues("width").stream().mapToInt(Integer::parseInt).max().orElse(-1);
    }

    /** {@link #initialNtk} at the widest width: claims (a) to (c) are about the over-parameterised networks. */
    public Dataset<Row> widestInitialNtk(StudyTables t) {
        return initialNtk(t).where(col("width").equalTo(widest(t)));
    }

    /** Each ok run with lambda_min of the NTK Gram at its first diagnostics step (step 0). */
    public Dataset<Row> initialNtk(StudyTables t) {
        Dataset<Row> ntk = t.table(NTK);
        Dataset<Row> first = ntk.groupBy("run_id").agg(min("step").as("first_step"));
        Dataset<Row> k0 = ntk.join(first, "run_id").where(col("step").equalTo(col("first_step"))).select("run_id", "lambda_min", "trace",
                "examples", "outputs");
        return t.okRuns().join(k0, "run_id");
    }

    public Figure learningCurves(StudyTables t, int depth) {
        int width = widest(t);
        return Charts.vsStep("Training loss (random labels), depth " + depth + ", width " + width, "training loss (mse)",
                SeedStats.series(t.curves().where(col("depth").equalTo(depth).and(col("width").equalTo(width))), QuickstartClaims.LABEL, "step",
                        "train_loss"), true);
    }

    public Figure finalLossVsDepth(StudyTables t) {
        int width = widest(t);
        return Charts.vsDepth("Final training loss, width " + width, "final training loss (mse)",
                SeedStats.series(t.okRuns().where(col("width").equalTo(width)), QuickstartClaims.LABEL, "depth", "final_loss"), true);
    }

    public Figure lambdaMinVsDepth(StudyTables t) {
        Dataset<Row> k0 = widestInitialNtk(t).where(col("lambda_min").gt(0).and(col("trace").gt(0)))
                .withColumn("scale_free_lambda_min", col("lambda_min").multiply(col("examples")).divide(col("trace")));
        return Charts.vsDepth("lambda_min of the NTK Gram at initialisation over its mean eigenvalue", "lambda_min(K_0) N / tr K_0",
                SeedStats.series(k0, QuickstartClaims.LABEL, "depth", "scale_free_lambda_min"), true);
    }

    @Override
    public List<Finding> findings(StudyTables t) {
        Figure lambda = lambdaMinVsDepth(t);
        return List.of(new Finding(rateMeetsBound(t), rateVsBound(t)), new Finding(mlpKernelDecaysFaster(t), lambda),
                new Finding(mlpKernelDecays(t), lambda), new Finding(minimalWidthGrowsFasterForMlp(t), minimalWidthVsDepth(t)));
    }

    /** Claim (d)'s figure: the minimal width against depth per arch. */
    public Figure minimalWidthVsDepth(StudyTables t) {
        return MinimalWidth.figure(t);
    }

    /** Claim (d), {@link MinimalWidth}. */
    public Claim minimalWidthGrowsFasterForMlp(StudyTables t) {
        return MinimalWidth.claim(t);
    }

    /** Per ok run at the widest width: the observed rate, Du's bound and ln of their ratio (claim (a)), with the run's columns. */
    public List<Rate> rates(StudyTables t) {
        List<Row> k0 = widestInitialNtk(t).select("run_id", "arch", "depth", "seed", "optimizer_kind", "optimizer_lr", "dataset_n_train",
                "lambda_min", "examples", "outputs").collectAsList();
        Map<String, List<double[]>> curves = new HashMap<>();
        for (Row r : t.table(Tables.TRAIN_CURVE).join(widestInitialNtk(t).select("run_id"), "run_id").select("run_id", "step", "train_loss")
                .collectAsList()) {
            curves.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(new double[] {r.getInt(1), r.getDouble(2)});
        }
        List<Rate> out = new ArrayList<>();
        for (Row r : k0) {
            out.add(Rate.of(r, curves.getOrDefault(r.getString(0), List.of())));
        }
        return out;
    }

    /**
     * One run's rate against Du's bound. {@code why} says why the run has no value (NaN ratio), else null.
     *
     * @param rate  minus the OLS slope of ln(train loss) on step over {@link #WINDOW} (nats per step)
     * @param bound -ln(1 - lr lambda_min(K_0) / (2N)): the theorems' guaranteed decay of ln(loss) per step
     */
    public record Rate(String arch, int depth, long seed, double rate, double bound, double logRatio, int windowEnd, String why) {
        static Rate of(Row r, List<double[]> curve) {
            String arch = r.getAs("arch");
            int depth = r.<Integer>getAs("depth");
            long seed = SeedValues.seed(r);
            double n = SeedValues.num(r, "dataset_n_train");
            double x = SeedValues.num(r, "optimizer_lr") * SeedValues.num(r, "lambda_min") / (2 * n);
            double bound = x > 0 && x < 1 ? -Math.log1p(-x) : Double.NaN;
            String why = !"gd".equals(r.getAs("optimizer_kind")) ? "not full-batch gradient descent"
                    : SeedValues.num(r, "examples") != n ? "the NTK batch is not the whole training set"
                    : SeedValues.num(r, "outputs") != 1 ? "more than one output" : Double.isNaN(bound) ? "lr lambda_min / 2N outside (0, 1)" : null;
            List<double[]> pts = curve.stream().sorted((a, b) -> Double.compare(a[0], b[0])).toList();
            List<double[]> window = new ArrayList<>();
            for (double[] p : pts) {
                window.add(p);
                if (!pts.isEmpty() && p[1] <= WINDOW_FLOOR * pts.get(0)[1]) {
                    break;
                }
            }
            double[] steps = window.stream().mapToDouble(p -> p[0]).toArray();
            double[] logs = window.stream().mapToDouble(p -> p[1] > 0 ? Math.log(p[1]) : Double.NaN).toArray();
            double rate = -Effect.slope(steps, logs);
            if (why == null && !(rate > 0)) {
                why = "the training loss did not fall over the window (rate " + Claim.num(rate) + ")";
            }
            int end = window.isEmpty() ? -1 : (int) window.get(window.size() - 1)[0];
            return new Rate(arch, depth, seed, rate, bound, why == null ? Math.log(rate / bound) : Double.NaN, end, why);
        }
    }

    public Claim rateMeetsBound(StudyTables t) {
        int width = widest(t);
        String statement = "gradient descent shrinks the training loss at least at the theorems' linear rate, (1 - eta lambda_min(K_0) / 2) "
                + "per step, for every arch at every depth (width " + width + ")";
        String source = "Du et al. 2018, Theorems 5.1 and 6.1 (loss(k) <= (1 - eta lambda_0 / 2)^k loss(0))";
        String quantity = "ln(observed rate / bound) in the worst (arch, depth) cell";
        List<Rate> rates = rates(t);
        List<String> cells = new ArrayList<>();
        Effect worst = null;
        String worstCell = "";
        long without = rates.stream().filter(r -> r.why() != null).count();
        for (String arch : rates.stream().map(Rate::arch).distinct().sorted().toList()) {
            for (int depth : rates.stream().filter(r -> r.arch().equals(arch)).mapToInt(Rate::depth).distinct().sorted().toArray()) {
                List<Rate> cell = rates.stream().filter(r -> r.arch().equals(arch) && r.depth() == depth).toList();
                Effect e = Effect.mean(cell.stream().mapToDouble(Rate::logRatio).filter(Double::isFinite).toArray());
                String whyNot = cell.stream().map(Rate::why).filter(w -> w != null).findFirst().orElse(null);
                if (whyNot != null) {
                    e = Effect.undefined("mean across seeds, t interval", arch + " depth " + depth + ": " + whyNot);
                }
                String name = arch + " depth " + depth;
                cells.add(String.format(Locale.ROOT, "%s: rate %s per step against bound %s, ln ratio %s", name,
                        Claim.num(cell.stream().mapToDouble(Rate::rate).average().orElse(Double.NaN)),
                        Claim.num(cell.stream().mapToDouble(Rate::bound).average().orElse(Double.NaN)),
                        e.defined() ? Claim.num(e.estimate()) + " [" + Claim.num(e.low()) + ", " + Claim.num(e.high()) + "]" : "undefined"));
                // an undefined cell makes the whole claim undefined; else the lowest lower edge decides
                if (worst == null || (worst.defined() && (!e.defined() || e.low() < worst.low()))) {
                    worst = e;
                    worstCell = name;
                }
            }
        }
        if (worst == null) {
            worst = Effect.undefined("mean across seeds, t interval", "no ok run with an NTK at step 0 at the widest width");
        }
        int windowEnd = rates.stream().mapToInt(Rate::windowEnd).max().orElse(-1);
        String notes = "Per cell, means across seeds: " + String.join("; ", cells) + ". The rate is minus the OLS slope of ln(training loss) "
                + "on step over " + WINDOW + " (the latest window ends at step " + windowEnd + "); the bound is -ln(1 - lr lambda_min(K_0) / 2N), "
                + "the theorems' (1 - eta lambda_0 / 2) with eta = lr / N, since the mse is Du's loss over N and K (the ntk table) is not "
                + "divided by N. lambda_min is the whole NTK's at step 0, not the infinite-width Gram of the last layer that the theorems "
                + "use; the whole kernel's is the larger, so this bound is at least as demanding. The linearised dynamics decay at "
                + "2 lr lambda_min / N per step once the slowest direction dominates, four times the bound. The theorems hold for widths "
                + "and step sizes far beyond these; " + without + " run(s) have no value (named above if any), and runs that diverged or "
                + "failed are left out.";
        return new Claim(statement, source, quantity + " (" + worstCell + ")", worst, rates.size(),
                rates.stream().map(Rate::seed).distinct().count(), notes);
    }

    /** Observed rate against Du's bound, per arch against depth, on the log scale. */
    public Figure rateVsBound(StudyTables t) {
        List<Series> series = new ArrayList<>();
        List<Rate> rates = rates(t).stream().filter(r -> r.why() == null).toList();
        for (String arch : rates.stream().map(Rate::arch).distinct().sorted().toList()) {
            series.add(perDepth("observed rate, " + arch, rates, arch, Rate::rate));
            series.add(perDepth("bound, " + arch, rates, arch, Rate::bound));
        }
        return Charts.vsDepth("Rate of ln(training loss) per step against Du's bound lr lambda_min / 2N", "nats per step", series, true);
    }

    /** One line: the mean across seeds of {@code v} at each depth, with its interval. */
    private static Series perDepth(String name, List<Rate> rates, String arch, ToDoubleFunction<Rate> v) {
        List<Series.Point> points = new ArrayList<>();
        rates.stream().filter(r -> r.arch().equals(arch)).mapToInt(Rate::depth).distinct().sorted().forEach(d -> points.add(new Series.Point(d,
                Interval.of(rates.stream().filter(r -> r.arch().equals(arch) && r.depth() == d).mapToDouble(v).toArray()))));
        return new Series(name, points);
    }

    /**
     * lambda_min(K_0) made scale-free: divided by the mean eigenvalue tr(K_0)/N, so that a network whose outputs are merely larger
     * (as a residual stack's are) does not look better conditioned.
     */
    static double scaleFreeLambdaMin(Row r) {
        double lambda = SeedValues.num(r, "lambda_min");
        double trace = SeedValues.num(r, "trace");
        double n = SeedValues.num(r, "examples");
        return lambda > 0 && trace > 0 ? Math.log(lambda * n / trace) : Double.NaN;
    }

    private SortedMap<Long, double[][]> lambdaPoints(List<Row> rows, String arch) {
        return SeedValues.points(rows.stream().filter(r -> arch.equals(r.getAs("arch"))).toList(), r -> SeedValues.num(r, "depth"),
                Du2018Claims::scaleFreeLambdaMin);
    }

    public Claim mlpKernelDecaysFaster(StudyTables t) {
        String statement = "the NTK Gram's smallest eigenvalue at initialisation, relative to its mean eigenvalue, shrinks faster with depth "
                + "for plain (mlp) than for residual (resmlp) networks (effect: per seed, resmlp's OLS slope of ln(lambda_min N / tr K_0) on "
                + "depth minus mlp's; mean across seeds)";
        String source = "Du et al. 2018 (lambda_min bound exponential in depth for mlp, polynomial for ResNet)";
        List<Row> k0 = widestInitialNtk(t).select("arch", "depth", "lambda_min", "trace", "examples", "seed").collectAsList();
        SortedMap<Long, double[][]> mlp = lambdaPoints(k0, "mlp");
        SortedMap<Long, double[][]> res = lambdaPoints(k0, "resmlp");
        Effect d = Effect.pairedSlopes(mlp, res);
        long excluded = k0.size() - SeedValues.count(mlp) - SeedValues.count(res);
        String notes = String.format(Locale.ROOT, "Per-seed slopes of ln(lambda_min N / tr K_0) per hidden layer: mlp %s, resmlp %s; "
                + "exp(slope) is the factor per layer. K_0 is the NTK Gram on the diagnostics batch at step 0, N its examples; %d ok "
                + "run(s) without a positive lambda_min are left out. At depth 1 mlp and resmlp are one network, which anchors both "
                + "fits of its seed.", Effect.seedSlopes(mlp).brief(), Effect.seedSlopes(res).brief(),
                excluded);
        return new Claim(statement, source, "resmlp minus mlp per-seed slope of ln(lambda_min N / tr K_0) on depth", d,
                SeedValues.count(mlp) + SeedValues.count(res), SeedValues.shared(mlp, res), notes);
    }

    /** The theorem's mechanism for the plain network alone: its scale-free lambda_min decays with depth. */
    public Claim mlpKernelDecays(StudyTables t) {
        String statement = "in plain (mlp) networks the NTK Gram's smallest eigenvalue at initialisation, relative to its mean eigenvalue, "
                + "shrinks with depth (effect: minus the per-seed OLS slope of ln(lambda_min N / tr K_0) on depth; mean across seeds)";
        String source = "Du et al. 2018, Theorem 5.1 (the lambda_min bound for the plain network decays exponentially with depth)";
        List<Row> k0 = widestInitialNtk(t).select("arch", "depth", "lambda_min", "trace", "examples", "seed").collectAsList();
        SortedMap<Long, double[][]> mlp = lambdaPoints(k0, "mlp");
        Effect s = Effect.seedSlopes(mlp);
        Effect minus = s.negated();
        return new Claim(statement, source, "minus the per-seed slope of ln(lambda_min N / tr K_0) on depth, mlp", minus, SeedValues.count(mlp),
                mlp.size(), "exp(-effect) is the factor by which the scale-free lambda_min multiplies per hidden layer.");
    }

    @Override
    public String scale(StudyTables t) {
        return "This study: " + t.values("arch") + " networks of width " + t.values("width") + " and depth " + t.values("depth") + " ("
                + t.values("activation") + ", " + t.values("init_kind") + " init sigma2 " + t.values("init_sigma2") + ", residual_scale "
                + t.values("residual_scale") + "), " + t.values("dataset_n_train") + " points of the unit sphere in " + t.values("dataset_input_dim")
                + " dimensions with random targets, " + t.values("steps") + " steps of " + t.values("optimizer_kind") + " at learning rate "
                + t.values("optimizer_lr") + ", " + t.values("dtype") + ". Du et al. (2018) prove their results for widths polynomial in n "
                + "and exponential in depth (mlp) and for learning rates far smaller than these; these widths are far from that regime, "
                + "so a verdict here says what these small networks do, not whether the theorems' conditions hold. The width claim reads "
                + "a grid that doubles, a few depths and one step budget: it can say whether the plain network's need for width grows "
                + "faster with depth than the residual one's, not whether either growth is exponential or polynomial.";
    }

}
