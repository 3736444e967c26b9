package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The quickstart study's claims: plain ({@code mlp}) against residual ({@code resmlp}) networks that
 * differ only in depth and seed. (a) Residual networks reach a lower final training loss than plain ones
 * at the largest depth: Welch's difference of means, plain minus residual. (b) The Hessian's kurtosis grows
 * with depth in plain networks: the OLS slope of ln(kurtosis) on log2(depth) over the plain runs, a
 * power-law exponent per doubling of depth, chosen because the kurtosis spans orders of magnitude across
 * depths that double; a positive slope is growth whatever the units.
 */
public final class QuickstartClaims implements ClaimSet {
    /** Line labels: the arch with what it is. */
    public static final String LABEL = label();

    /** "plain (mlp)", "residual (resmlp)" and so on for every pair of {@link io.depthscope.nn.NetworkSpec#RESIDUAL_OF}, as SQL. */
    private static String label() {
        StringBuilder sql = new StringBuilder("CASE arch");
        new java.util.TreeMap<>(io.depthscope.nn.NetworkSpec.RESIDUAL_OF).forEach((plain, residual) -> sql.append(" WHEN '").append(plain)
                .append("' THEN 'plain (").append(plain).append(")' WHEN '").append(residual).append("' THEN 'residual (").append(residual)
                .append(")'"));
        return sql.append(" ELSE arch END").toString();
    }
    private static final List<String> VARYING = List.of("arch", "depth", "seed");

    @Override
    public String name() {
        return "quickstart";
    }

    @Override
    public boolean accepts(String study) {
        return study.equals("quickstart") || study.startsWith("quickstart-");
    }

    public List<Integer> depths(StudyTables t) {
        return t.okValues("depth").stream().map(Integer::valueOf).toList();
    }

    public Figure learningCurves(StudyTables t, int depth) {
        return Charts.vsStep("Training loss, depth " + depth, "training loss",
                SeedStats.series(t.curves().where(col("depth").equalTo(depth)), LABEL, "step", "train_loss"), true);
    }

    public Figure finalLossVsDepth(StudyTables t) {
        return Charts.vsDepth("Final training loss", "final training loss", SeedStats.series(t.okRuns(), LABEL, "depth", "final_loss"), true);
    }

    public Figure kurtosisVsDepth(StudyTables t) {
        return Charts.vsDepth("Hessian kurtosis at the end of training", "kurtosis (non-excess)",
                SeedStats.series(t.finalMoments(), LABEL, "depth", "kurtosis"), true);
    }

    @Override
    public List<Finding> findings(StudyTables t) {
        requireOnlyArchDepthSeedVary(t);
        return List.of(new Finding(residualReachesLowerLoss(t), finalLossVsDepth(t)),
                new Finding(kurtosisGrowsWithDepth(t), kurtosisVsDepth(t)));
    }

    public Claim residualReachesLowerLoss(StudyTables t) {
        String statement = "residual networks reach lower final training loss than plain ones at the largest depth";
        String source = "He et al. 2016 (deeper plain networks train worse; residual connections fix it)";
        int depth = t.deepestDepthWithTwoArchs();
        if (depth < 0) {
            return new Claim(statement, source, "plain minus residual mean final loss",
                    Effect.undefined("Welch", "no depth has ok runs of both mlp and resmlp"), 0, 0, "");
        }
        List<Row> atDepth = t.runRows().stream().filter(r -> !r.isNullAt(r.fieldIndex("depth")) && r.<Integer>getAs("depth") == depth).toList();
        List<Row> ok = atDepth.stream().filter(r -> "ok".equals(r.getAs("status")) && !r.isNullAt(r.fieldIndex("final_loss"))).toList();
        double[] plain = finalLosses(ok, "mlp");
        double[] residual = finalLosses(ok, "resmlp");
        long excluded = atDepth.size() - plain.length - residual.length;
        String notes = "Final loss is the full training set's loss after the last step; " + excluded + " run(s) at depth " + depth
                + " that diverged or failed are left out.";
        return new Claim(statement, source, "plain minus residual mean final training loss at depth " + depth,
                Effect.welch(plain, residual), plain.length + residual.length, RowValues.distinct(ok, "seed").size(), notes);
    }

    public Claim kurtosisGrowsWithDepth(StudyTables t) {
        String statement = "the Hessian's kurtosis grows with depth in plain networks";
        String source = "the heavy-tailed Hessian account of depth (README; spectra as in Ghorbani, Krishnan & Xiao 2019)";
        Dataset<Row> plain = t.finalMoments().where(col("arch").equalTo("mlp").and(col("kurtosis").gt(0)).and(col("kurtosis").isNaN().equalTo(false)));
        List<Row> rows = plain.select("depth", "kurtosis", "seed").collectAsList();
        double[] x = rows.stream().mapToDouble(r -> Math.log(r.getInt(0)) / Math.log(2)).toArray();
        double[] y = rows.stream().mapToDouble(r -> Math.log(r.getDouble(1))).toArray();
        Effect slope = Effect.olsSlope(x, y);
        long excluded = t.okRunRows().stream().filter(r -> "mlp".equals(r.getAs("arch"))).count() - rows.size();
        String notes = String.format(Locale.ROOT, "exp(slope) is the factor by which the kurtosis multiplies per doubling of depth: %s "
                + "[%s, %s]. Kurtosis is non-excess (3 for a Gaussian), from the Hessian moments at the last step; %d ok plain run(s) "
                + "without a positive finite kurtosis are left out, as are runs that diverged or failed.",
                Claim.num(Math.exp(slope.estimate())), Claim.num(Math.exp(slope.low())), Claim.num(Math.exp(slope.high())), excluded);
        return new Claim(statement, source, "slope of ln(kurtosis) on log2(depth)", slope, rows.size(), RowValues.distinct(rows, "seed").size(),
                notes);
    }

    @Override
    public String scale(StudyTables t) {
        return "This study: " + t.values("arch") + " networks of width " + t.values("width") + " and depth " + t.values("depth") + " (" + range(t, "param_count")
                + " parameters, " + t.values("activation") + "), " + t.values("dataset_n_train") + " training examples (" + t.values("dataset_kind") + ", "
                + t.values("dataset_input_dim") + " inputs), " + t.values("steps") + " steps of " + t.values("optimizer_kind") + " at learning rate "
                + t.values("optimizer_lr") + ", Hessian moments by " + t.values("hessian_method") + " with " + t.values("hessian_probes") + " probes, "
                + t.values("dtype") + ". The papers work at a far larger scale: He et al. (2016) compare plain and residual convolutional "
                + "networks of 18 to 152 layers on ImageNet, and Ghorbani et al. (2019) estimate whole Hessian spectra of networks with "
                + "millions of parameters on CIFAR-10 and ImageNet. A verdict here says what these small networks do; it is evidence "
                + "about a claim's mechanism, not a replication of those experiments.";
    }

    /** A study whose runs vary in anything else (width, learning rate) would pool unlike runs: refuse it. */
    static void requireOnlyArchDepthSeedVary(StudyTables t) {
        List<String> cols = Arrays.asList(t.runs().columns());
        List<String> config = cols.subList(cols.indexOf("study") + 1, cols.indexOf("param_count"));
        for (String c : config) {
            if (VARYING.contains(c)) {
                continue;
            }
            List<String> values = RowValues.distinct(t.runRows(), c);
            // as SQL's count(DISTINCT c): a null is not a value
            long n = values.size() - (t.runRows().stream().anyMatch(r -> r.isNullAt(r.fieldIndex(c))) ? 1 : 0);
            if (n > 1) {
                throw new IllegalArgumentException("runs." + c + ": takes " + n + " values " + values + " in study dir '" + t.dir()
                        + "'; allowed for the quickstart claims: one value (runs may differ only in " + String.join(", ", VARYING) + ")");
            }
        }
    }

    private static double[] finalLosses(List<Row> runs, String arch) {
        return runs.stream().filter(r -> arch.equals(r.getAs("arch"))).mapToDouble(r -> r.<Double>getAs("final_loss")).filter(Double::isFinite)
                .toArray();
    }



    private static String range(StudyTables t, String column) {
        List<String> d = t.okValues(column);
        return d.size() == 1 ? d.get(0) : d.get(0) + " to " + d.get(d.size() - 1);
    }
}
