package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Du, Lee, Li, Wang & Zhai (2018), "Gradient descent finds global minima of deep neural networks", on
 * over-parameterised plain ({@code mlp}) and residual ({@code resmlp}) networks fitting random labels.
 * (a) Gradient descent drives the training loss below the config's {@code target_loss} for every arch at
 * every depth: per run ln(target_loss / final_loss), mean across seeds with its t interval in each (arch,
 * depth) cell; the effect reported is the cell whose interval reaches lowest, so the claim is supported iff
 * every cell's interval lies above 0. (b) The NTK Gram's scale-free lambda_min at initialisation
 * (lambda_min N / tr K_0) shrinks faster with depth for mlp than for resmlp: per seed, resmlp's OLS slope of
 * its log on depth minus mlp's, mean across seeds (positive: mlp decays faster per layer). (c) For mlp it
 * shrinks at all: minus mlp's per-seed slope.
 */
public final class Du2018Claims implements ClaimSet {
    static final String NTK = "ntk";

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

    /** Each ok run with lambda_min of the NTK Gram at its first diagnostics step (step 0). */
    public Dataset<Row> initialNtk(StudyTables t) {
        Dataset<Row> ntk = t.table(NTK);
        Dataset<Row> first = ntk.groupBy("run_id").agg(min("step").as("first_step"));
        Dataset<Row> k0 = ntk.join(first, "run_id").where(col("step").equalTo(col("first_step"))).select("run_id", "lambda_min", "trace",
                "examples");
        return t.okRuns().join(k0, "run_id");
    }

    public Figure learningCurves(StudyTables t, int depth) {
        return Charts.vsStep("Training loss (random labels), depth " + depth, "training loss (mse)",
                SeedStats.series(t.curves().where(col("depth").equalTo(depth)), QuickstartClaims.LABEL, "step", "train_loss"), true);
    }

    public Figure finalLossVsDepth(StudyTables t) {
        return Charts.vsDepth("Final training loss", "final training loss (mse)",
                SeedStats.series(t.okRuns(), QuickstartClaims.LABEL, "depth", "final_loss"), true);
    }

    public Figure lambdaMinVsDepth(StudyTables t) {
        Dataset<Row> k0 = initialNtk(t).where(col("lambda_min").gt(0).and(col("trace").gt(0)))
                .withColumn("scale_free_lambda_min", col("lambda_min").multiply(col("examples")).divide(col("trace")));
        return Charts.vsDepth("lambda_min of the NTK Gram at initialisation over its mean eigenvalue", "lambda_min(K_0) N / tr K_0",
                SeedStats.series(k0, QuickstartClaims.LABEL, "depth", "scale_free_lambda_min"), true);
    }

    @Override
    public List<Finding> findings(StudyTables t) {
        Figure lambda = lambdaMinVsDepth(t);
        return List.of(new Finding(lossReachesTarget(t), finalLossVsDepth(t)), new Finding(mlpKernelDecaysFaster(t), lambda),
                new Finding(mlpKernelDecays(t), lambda));
    }

    public Claim lossReachesTarget(StudyTables t) {
        String statement = "gradient descent drives the training loss on random labels below target_loss for every arch at every depth "
                + "(effect: mean across seeds of ln(target_loss / final_loss) in the (arch, depth) cell whose 95% interval reaches lowest; "
                + "supported iff every cell's interval lies above 0)";
        String source = "Du et al. 2018, Theorems 5.1 and 6.1 (zero training loss at a linear rate)";
        List<Row> runs = t.runs().select("arch", "depth", "status", "final_loss", "target_loss", "seed").collectAsList();
        String quantity = "ln(target_loss / final_loss) in the worst cell";
        long bad = runs.stream().filter(r -> !"ok".equals(r.getString(2)) || r.isNullAt(3) || !Double.isFinite(r.getDouble(3))
                || !(r.getDouble(3) > 0) || r.isNullAt(4) || !(r.getDouble(4) > 0)).count();
        if (runs.isEmpty() || bad > 0) {
            return new Claim(statement, source, quantity, Effect.undefined("mean across seeds, t interval", runs.isEmpty() ? "no runs"
                    : bad + " run(s) diverged, failed, lack a positive final loss or have no target_loss"), runs.size(), 0, "");
        }
        Effect worst = null;
        String worstCell = "";
        List<String> cells = new ArrayList<>();
        for (String arch : RowValues.distinct(runs, "arch")) {
            for (String depth : RowValues.distinct(runs, "depth")) {
                double[] v = runs.stream().filter(r -> r.getString(0).equals(arch) && String.valueOf(r.getInt(1)).equals(depth))
                        .mapToDouble(r -> Math.log(r.getDouble(4) / r.getDouble(3))).toArray();
                if (v.length == 0) {
                    continue;
                }
                Effect e = Effect.mean(v);
                String cell = arch + " depth " + depth;
                cells.add(cell + ": " + (e.defined() ? Claim.num(e.estimate()) + " [" + Claim.num(e.low()) + ", " + Claim.num(e.high()) + "]" : e.missing()));
                // an undefined cell makes the whole claim undefined; else the lowest lower edge decides
                boolean replace = worst == null || (worst.defined() && (!e.defined() || e.low() < worst.low()));
                if (replace) {
                    worst = e;
                    worstCell = cell;
                }
            }
        }
        String notes = "Each cell (estimate [95% CI]): " + String.join("; ", cells) + ". Final loss is the full training set's mse after "
                + "the last step; target_loss is the config's.";
        return new Claim(statement, source, quantity + " (" + worstCell + ")", worst, runs.size(), RowValues.distinct(runs, "seed").size(),
                notes);
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
        List<Row> k0 = initialNtk(t).select("arch", "depth", "lambda_min", "trace", "examples", "seed").collectAsList();
        SortedMap<Long, double[][]> mlp = lambdaPoints(k0, "mlp");
        SortedMap<Long, double[][]> res = lambdaPoints(k0, "resmlp");
        Effect d = Effect.pairedSlopes(mlp, res);
        long excluded = k0.size() - SeedValues.count(mlp) - SeedValues.count(res);
        String notes = String.format(Locale.ROOT, "Per-seed slopes of ln(lambda_min N / tr K_0) per hidden layer: mlp %s, resmlp %s; "
                + "exp(slope) is the factor per layer. K_0 is the NTK Gram on the diagnostics batch at step 0, N its examples; %d ok "
                + "run(s) without a positive lambda_min are left out. At depth 1 mlp and resmlp are one network, which anchors both "
                + "fits of its seed.", QuickstartClaims.describe(Effect.seedSlopes(mlp)), QuickstartClaims.describe(Effect.seedSlopes(res)),
                excluded);
        return new Claim(statement, source, "resmlp minus mlp per-seed slope of ln(lambda_min N / tr K_0) on depth", d,
                SeedValues.count(mlp) + SeedValues.count(res), QuickstartClaims.shared(mlp, res), notes);
    }

    /** The theorem's mechanism for the plain network alone: its scale-free lambda_min decays with depth. */
    public Claim mlpKernelDecays(StudyTables t) {
        String statement = "in plain (mlp) networks the NTK Gram's smallest eigenvalue at initialisation, relative to its mean eigenvalue, "
                + "shrinks with depth (effect: minus the per-seed OLS slope of ln(lambda_min N / tr K_0) on depth; mean across seeds)";
        String source = "Du et al. 2018, Theorem 5.1 (the lambda_min bound for the plain network decays exponentially with depth)";
        List<Row> k0 = initialNtk(t).select("arch", "depth", "lambda_min", "trace", "examples", "seed").collectAsList();
        SortedMap<Long, double[][]> mlp = lambdaPoints(k0, "mlp");
        Effect s = Effect.seedSlopes(mlp);
        Effect minus = s.defined() ? new Effect(-s.estimate(), -s.high(), -s.low(), s.se(), s.df(), "minus " + s.method(), null) : s;
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
                + "and exponential in depth (mlp) and for learning rates far smaller than these; a width of 64 on 32 points is "
                + "over-parameterised but far from that regime, so a verdict here says what these small networks do, not whether the "
                + "theorems' conditions hold.";
    }

}
