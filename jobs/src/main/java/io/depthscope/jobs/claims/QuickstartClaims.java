package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import org.apache.spark.sql.Row;

/**
 * The quickstart study's claims: plain ({@code mlp}) against residual ({@code resmlp}) networks that
 * differ only in depth and seed (and, with {@code matched_params}, in the width that holds P fixed at each depth).
 * (a) Residual networks reach a lower final training loss than plain ones at the largest depth: plain minus
 * residual final loss, paired by seed (the two arms of a seed share their initial weights and data).
 * (b) With P controlled (by matched_params, or else by the non-null measure) the Hessian's spectrum grows heavier-tailed with depth in plain networks: per seed, the OLS
 * slope of ln(non-null kurtosis) on log2(depth), then the mean across seeds.
 * (c) Its outliers stand further out of the bulk with depth: the same slope of ln(lambda_max / bulk edge).
 * (d) At equal P residual networks have the lower non-null kurtosis at the largest depth: plain minus residual, paired by seed.
 * The Hessian measures are hessian_spectrum's (docs/tables.md), which do not grow with P by construction.
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

    /** The non-null kurtosis against depth (the raw kurtosis for a study written before hessian_spectrum). */
    public Figure kurtosisVsDepth(StudyTables t) {
        return SpectrumClaims.kurtosisFigure(t, LABEL, "at the end of training");
    }

    /** lambda_max / bulk edge against depth. */
    public Figure outliersVsDepth(StudyTables t) {
        return SpectrumClaims.outliersFigure(t, LABEL, "end of training");
    }

    @Override
    public List<Finding> findings(StudyTables t) {
        requireOnlyArchDepthSeedVary(t);
        Figure kurtosis = kurtosisVsDepth(t);
        return List.of(new Finding(residualReachesLowerLoss(t), finalLossVsDepth(t)), new Finding(kurtosisGrowsWithDepth(t), kurtosis),
                new Finding(outliersGrowWithDepth(t), outliersVsDepth(t)), new Finding(residualLowerKurtosis(t), kurtosis));
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
                Effect.difference(plain, residual), plain.size() + residual.size(), SeedValues.shared(plain, residual), notes);
    }

    /**
     * Ghorbani et al.'s heavy-tail account with P controlled. Moments are tr(H^k)/P, and a Hessian of rank r much below
     * P has a kurtosis of about P tr(H^4)/(tr H^2)^2, which grows with P alone; the non-null kurtosis removes the null mass first
     * (docs/tables.md), so it does not.
     */
    public Claim kurtosisGrowsWithDepth(StudyTables t) {
        return SpectrumClaims.growth(t, "mlp", SpectrumClaims.KURTOSIS, QuickstartClaims::log2Depth, "log2(depth)",
                "the Hessian's spectrum grows heavier-tailed with depth in plain networks (the kurtosis of its "
                        + "non-null part grows)", HEAVY_TAIL);
    }

    /** The outliers' size over the bulk, with P controlled. */
    public Claim outliersGrowWithDepth(StudyTables t) {
        return SpectrumClaims.growth(t, "mlp", SpectrumClaims.OUTLIERS, QuickstartClaims::log2Depth, "log2(depth)",
                "in plain networks the Hessian's largest outlier stands further out of the bulk with depth (lambda_max / bulk edge "
                        + "grows)", HEAVY_TAIL);
    }

    /** At the largest depth, equal P: plain minus residual ln(non-null kurtosis). */
    public Claim residualLowerKurtosis(StudyTables t) {
        return SpectrumClaims.residualLower(t, "mlp", "resmlp", SpectrumClaims.KURTOSIS, "at equal parameter count residual networks "
                + "have a lower non-null Hessian kurtosis than plain ones at the largest depth", HEAVY_TAIL);
    }

    private static final String HEAVY_TAIL = "the heavy-tailed Hessian account of depth (README; spectra as in Ghorbani, Krishnan & Xiao 2019)";

    static double log2Depth(Row r) {
        return Math.log(SeedValues.num(r, "depth")) / Math.log(2);
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
            if (VARYING.contains(c) || (freshData && c.equals("dataset_seed")) || (c.equals("width") && widthFollowsDepth(t))) {
                continue;
            }
            List<String> values = RowValues.distinct(t.runRows(), c);
            // as SQL's count(DISTINCT c): a null is not a value
            long n = values.size() - (t.runRows().stream().anyMatch(r -> r.isNullAt(r.fieldIndex(c))) ? 1 : 0);
            if (n > 1) {
                throw new IllegalArgumentException("runs." + c + ": takes " + n + " values " + values + " in study dir '" + t.dir()
                        + "'; allowed for the quickstart claims: one value (runs may differ only in " + String.join(", ", VARYING)
                        + ", and in width when it follows depth, as matched_params sets it)");
            }
        }
    }



    /**
     * Whether each depth has one width, the same for every arch and seed: the design of {@code matched_params}, which picks each
     * depth's width to hold P fixed, so width is part of the depth axis rather than a second factor.
     */
    static boolean widthFollowsDepth(StudyTables t) {
        java.util.Map<Object, java.util.Set<Object>> widths = new java.util.HashMap<>();
        for (Row r : t.runRows()) {
            widths.computeIfAbsent(r.getAs("depth"), k -> new java.util.HashSet<>()).add(r.getAs("width"));
        }
        return widths.values().stream().allMatch(w -> w.size() == 1);
    }

    private static String range(StudyTables t, String column) {
        List<String> d = t.okValues(column);
        return d.size() == 1 ? d.get(0) : d.get(0) + " to " + d.get(d.size() - 1);
    }
}
