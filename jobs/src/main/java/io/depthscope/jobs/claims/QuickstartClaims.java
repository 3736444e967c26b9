package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import org.apache.spark.sql.Row;

/**
 * The quickstart study's claims: plain ({@code mlp}) against residual ({@code resmlp}) networks that
 * differ only in depth and seed. (a) Residual networks reach a lower final training loss than plain ones
 * at the largest depth: plain minus residual final loss, paired by seed (the two arms of a seed share their
 * initial weights and data). (b) The Hessian's spectrum grows heavier-tailed with depth in plain networks
 * beyond what their parameter count explains: per seed, the OLS slope of ln(kurtosis / P) on log2(depth),
 * then the mean across seeds; a power-law exponent per doubling of depth, positive for growth.
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
                    Effect.undefined("paired by seed", "no depth has ok runs of both mlp and resmlp"), 0, 0, "");
        }
        List<Row> atDepth = t.runRows().stream().filter(r -> !r.isNullAt(r.fieldIndex("depth")) && r.<Integer>getAs("depth") == depth).toList();
        List<Row> ok = atDepth.stream().filter(r -> "ok".equals(r.getAs("status"))).toList();
        SortedMap<Long, Double> plain = SeedValues.of(arch(ok, "mlp"), r -> SeedValues.num(r, "final_loss"));
        SortedMap<Long, Double> residual = SeedValues.of(arch(ok, "resmlp"), r -> SeedValues.num(r, "final_loss"));
        long excluded = atDepth.size() - plain.size() - residual.size();
        String notes = "Final loss is the full training set's loss after the last step; the plain and residual runs of one seed share "
                + "their initial weights and data, so they are compared as pairs; " + excluded + " run(s) at depth " + depth
                + " that diverged, failed or have no final loss are left out.";
        return new Claim(statement, source, "plain minus residual final training loss at depth " + depth + ", paired by seed",
                Effect.difference(plain, residual), plain.size() + residual.size(), shared(plain, residual), notes);
    }

    /**
     * Ghorbani et al.'s heavy-tail account, with the parameter count divided out. Moments are tr(H^k)/P, and a
     * Hessian of rank r much below P has a kurtosis of about P tr(H^4)/(tr H^2)^2, which grows with P alone;
     * kurtosis / P is then tr(H^4)/(tr H^2)^2, how much of the spectrum's energy sits in its largest
     * eigenvalues, whatever P is. The quickstart's depths change P by a factor of 26.
     */
    public Claim kurtosisGrowsWithDepth(StudyTables t) {
        String statement = "the Hessian's spectrum grows heavier-tailed with depth in plain networks beyond what their parameter count "
                + "explains (kurtosis / P grows with depth)";
        String source = "the heavy-tailed Hessian account of depth (README; spectra as in Ghorbani, Krishnan & Xiao 2019)";
        List<Row> rows = t.finalMoments().where(col("arch").equalTo("mlp")).select("depth", "kurtosis", "param_count", "seed").collectAsList();
        SortedMap<Long, double[][]> perP = SeedValues.points(rows, QuickstartClaims::log2Depth,
                r -> SeedValues.log(r, "kurtosis") - SeedValues.log(r, "param_count"));
        SortedMap<Long, double[][]> raw = SeedValues.points(rows, QuickstartClaims::log2Depth, r -> SeedValues.log(r, "kurtosis"));
        SortedMap<Long, double[][]> params = SeedValues.points(rows, QuickstartClaims::log2Depth, r -> SeedValues.log(r, "param_count"));
        Effect slope = Effect.seedSlopes(perP);
        long excluded = t.okRunRows().stream().filter(r -> "mlp".equals(r.getAs("arch"))).count() - SeedValues.count(perP);
        String notes = String.format(Locale.ROOT, "exp(slope) is the factor by which kurtosis / P multiplies per doubling of depth: %s. "
                + "Without dividing by P the per-seed slope of ln(kurtosis) is %s, and that of ln P itself %s: moments are tr(H^k)/P, "
                + "so a kurtosis that grows as P does says nothing about depth. Kurtosis is non-excess (3 for a Gaussian), from the "
                + "Hessian moments at the last step; %d ok plain run(s) without a positive finite kurtosis are left out, as are runs "
                + "that diverged or failed.", Claim.num(Math.exp(slope.estimate())), describe(Effect.seedSlopes(raw)),
                describe(Effect.seedSlopes(params)), excluded);
        return new Claim(statement, source, "per-seed slope of ln(kurtosis / P) on log2(depth)", slope, SeedValues.count(perP), perP.size(), notes);
    }

    static double log2Depth(Row r) {
        return Math.log(SeedValues.num(r, "depth")) / Math.log(2);
    }

    /** An effect as "estimate [low, high]" for notes. */
    static String describe(Effect e) {
        return e.defined() ? Claim.num(e.estimate()) + " [" + Claim.num(e.low()) + ", " + Claim.num(e.high()) + "]" : "undefined (" + e.missing() + ")";
    }

    static long shared(SortedMap<Long, ?> a, SortedMap<Long, ?> b) {
        return a.keySet().stream().filter(b::containsKey).count();
    }

    private static List<Row> arch(List<Row> rows, String arch) {
        return rows.stream().filter(r -> arch.equals(r.getAs("arch"))).toList();
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
        boolean freshData = t.runRows().stream().allMatch(r -> SeedValues.num(r, "dataset_seed") == SeedValues.num(r, "seed"));
        for (String c : config) {
            // with fresh_data_per_seed the data seed is the seed, a replicate like it
            if (VARYING.contains(c) || (freshData && c.equals("dataset_seed"))) {
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



    private static String range(StudyTables t, String column) {
        List<String> d = t.okValues(column);
        return d.size() == 1 ? d.get(0) : d.get(0) + " to " + d.get(d.size() - 1);
    }
}
