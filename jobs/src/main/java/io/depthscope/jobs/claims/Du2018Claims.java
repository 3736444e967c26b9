package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Du, Lee, Li, Wang & Zhai (2018), "Gradient descent finds global minima of deep neural networks", on
 * over-parameterised plain ({@code mlp}) and residual ({@code resmlp}) networks fitting random labels.
 * (a) Gradient descent drives the training loss below the config's {@code target_loss} for every arch at
 * every depth: per run ln(target_loss / final_loss), mean across seeds with its t interval in each (arch,
 * depth) cell; the effect reported is the cell whose interval reaches lowest, so the claim is supported iff
 * every cell's interval lies above 0. (b) lambda_min of the NTK Gram at initialisation shrinks faster with
 * depth for mlp than for resmlp: the OLS slope of ln lambda_min(K_0) on depth, resmlp's slope minus mlp's
 * (positive: mlp decays faster per layer), with a Welch-type interval.
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
        Dataset<Row> k0 = ntk.join(first, "run_id").where(col("step").equalTo(col("first_step"))).select("run_id", "lambda_min");
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
        return Charts.vsDepth("lambda_min of the NTK Gram at initialisation", "lambda_min(K_0)",
                SeedStats.series(initialNtk(t).where(col("lambda_min").gt(0)), QuickstartClaims.LABEL, "depth", "lambda_min"), true);
    }

    @Override
    public List<Finding> findings(StudyTables t) {
        return List.of(new Finding(lossReachesTarget(t), finalLossVsDepth(t)), new Finding(mlpKernelDecaysFaster(t), lambdaMinVsDepth(t)));
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

    public Claim mlpKernelDecaysFaster(StudyTables t) {
        String statement = "lambda_min of the NTK Gram at initialisation shrinks faster with depth for plain (mlp) than for residual (resmlp) "
                + "networks (effect: resmlp's OLS slope of ln lambda_min(K_0) on depth minus mlp's; supported iff its 95% interval lies above 0)";
        String source = "Du et al. 2018 (lambda_min bound exponential in depth for mlp, polynomial for ResNet)";
        List<Row> k0 = initialNtk(t).select("arch", "depth", "lambda_min", "seed").collectAsList();
        List<Row> rows = k0.stream().filter(r -> !r.isNullAt(2) && r.getDouble(2) > 0).toList();
        double[][] mlp = xy(rows, "mlp");
        double[][] res = xy(rows, "resmlp");
        Effect d = Effect.slopeDifference(mlp[0], mlp[1], res[0], res[1]);
        Effect sm = Effect.olsSlope(mlp[0], mlp[1]);
        Effect sr = Effect.olsSlope(res[0], res[1]);
        long excluded = k0.size() - rows.size();
        String notes = String.format(Locale.ROOT, "Slopes of ln lambda_min(K_0) per hidden layer: mlp %s [%s, %s], resmlp %s [%s, %s]; "
                + "exp(slope) is the factor per layer. K_0 is the NTK Gram on the diagnostics batch at step 0; %d ok run(s) without a "
                + "positive lambda_min are left out.", Claim.num(sm.estimate()), Claim.num(sm.low()), Claim.num(sm.high()),
                Claim.num(sr.estimate()), Claim.num(sr.low()), Claim.num(sr.high()), excluded);
        if (sm.defined() && sr.defined() && sm.low() > 0 && sr.low() > 0) {
            notes += " Both slopes' intervals lie above 0: lambda_min(K_0) grows with depth in both archs here, so a positive effect means "
                    + "slower growth for mlp, not a decay.";
        }
        return new Claim(statement, source, "resmlp minus mlp slope of ln lambda_min(K_0) on depth", d, rows.size(),
                RowValues.distinct(k0, "seed").size(), notes);
    }

    private static double[][] xy(List<Row> rows, String arch) {
        List<Row> a = rows.stream().filter(r -> r.getString(0).equals(arch)).toList();
        return new double[][] {a.stream().mapToDouble(r -> r.getInt(1)).toArray(), a.stream().mapToDouble(r -> Math.log(r.getDouble(2))).toArray()};
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
