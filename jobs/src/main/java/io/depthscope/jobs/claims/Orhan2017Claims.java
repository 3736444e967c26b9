package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Orhan &amp; Pitkow (2017) / Orhan's note "Degeneracy, not vanishing gradients", and Pennington, Schoenholz
 * &amp; Ganguli (2017), on the {@code orhan2017} study: deep linear networks with Gaussian init (Fold 0), the
 * same with each matrix's first half copied into its second (Fold 1), orthogonal init with gain 1 and 0.9,
 * and hardtanh against relu networks with orthogonal init, each plain ({@code mlp}) and, where the study has
 * them, with skip connections ({@code resmlp}, the same init). Every claim compares two arms paired by seed
 * (they draw from the same stream), ordered so that the claim predicts a positive difference; claim (e), of no
 * effect, is an equivalence test. Claims (a) to (g) read the plain runs only. Gradient norms are compared on the
 * log scale, since through 30 random layers they vary by factors rather than by amounts: claim (a), as the note
 * does, with respect to the hidden activations (ln of each run's mean over hidden layers of ||dLoss/dh_l||) after
 * the first steps of training, at the study's earliest diagnostics step after 0 ({@link #earlyStep}); claim (d)
 * with respect to the weights at step 0, where the note makes its point about x0.9. Final losses are compared as
 * they are. Claim (h), "skip connections break degeneracy", compares each plain run's deepest effective rank at
 * step 0 with its residual twin's.
 */
public final class Orhan2017Claims implements ClaimSet {
    /** Line labels: the variant by its init and activation. */
    /** Claim (e)'s equivalence margin on ln of the ratio of final losses: ln 1.25. */
    public static final double EQUIVALENCE_RATIO_MARGIN = Math.log(1.25);
    public static final String LABEL = "concat(CASE WHEN arch = 'resmlp' THEN 'residual ' ELSE '' END, CASE WHEN activation = 'linear' AND init_kind = 'gaussian' THEN concat('linear Fold-', init_fold) "
            + "WHEN activation = 'linear' THEN concat('linear orthogonal x', format_number(init_gain, 2)) "
            + "ELSE concat(activation, ' orthogonal x', format_number(init_gain, 2)) END)";

    /** Claims (a) to (g) are about the plain networks; the residual twins enter claim (h) only. */
    static final Column PLAIN = col("arch").equalTo("mlp");
    static final Column LINEAR = PLAIN.and(col("activation").equalTo("linear"));
    static final Column FOLD0 = LINEAR.and(col("init_kind").equalTo("gaussian")).and(col("init_fold").equalTo(0));
    static final Column FOLD1 = LINEAR.and(col("init_kind").equalTo("gaussian")).and(col("init_fold").equalTo(1));
    static final Column ORTH1 = LINEAR.and(col("init_kind").equalTo("orthogonal")).and(col("init_gain").equalTo(1.0));
    static final Column ORTH09 = LINEAR.and(col("init_kind").equalTo("orthogonal")).and(col("init_gain").equalTo(0.9));
    static final Column HARDTANH = PLAIN.and(col("activation").equalTo("hardtanh").and(col("init_kind").equalTo("orthogonal")));
    static final Column RELU = PLAIN.and(col("activation").equalTo("relu").and(col("init_kind").equalTo("orthogonal")));

    @Override
    public String name() {
        return "orhan2017";
    }

    @Override
    public boolean accepts(String study) {
        return study.equals("orhan2017") || study.startsWith("orhan2017-");
    }

    // ---- per-run values ----

    /** ln of each ok run's mean over maps of the weight gradient norm at step 0, with the runs' columns. */
    public Dataset<Row> initialGradients(StudyTables t) {
        Dataset<Row> g = t.table("layer_gradients").where(col("step").equalTo(0)).groupBy("run_id")
                .agg(avg(col("weight_gradient_norm")).as("mean_gradient_norm"));
        return t.okRuns().join(g, "run_id").withColumn("ln_mean_gradient_norm", org.apache.spark.sql.functions.log(col("mean_gradient_norm")));
    }

    /**
     * The step at which claim (a) compares gradients: the smallest diagnostics step after 0 that the ok runs' config lists
     * ({@code diagnostics.steps}), so the study's config, not this class, says how early "after the first few epochs" is; -1 when
     * none is listed.
     */
    public int earlyStep(StudyTables t) {
        return t.okRunRows().stream().filter(r -> !r.isNullAt(r.fieldIndex("diagnostics_steps")))
                .flatMap(r -> r.<Integer>getList(r.fieldIndex("diagnostics_steps")).stream()).filter(s -> s > 0).mapToInt(Integer::intValue)
                .min().orElse(-1);
    }

    /**
     * ln of each ok run's mean over hidden layers of ||dLoss/dh_l|| (layer_gradients' delta_norm of maps 0..L-1; map L's is the
     * output's) at {@code step}, with the runs' columns: the gradients "with respect to layer activations" that the note plots.
     */
    public Dataset<Row> activationGradients(StudyTables t, int step) {
        Dataset<Row> runs = t.okRuns();
        Dataset<Row> g = t.table("layer_gradients").where(col("step").equalTo(step)).join(runs.select("run_id", "depth"), "run_id")
                .where(col("map").lt(col("depth"))).groupBy("run_id").agg(avg(col("delta_norm")).as("mean_delta_norm"));
        return runs.join(g, "run_id").withColumn("ln_mean_delta_norm", org.apache.spark.sql.functions.log(col("mean_delta_norm")));
    }

    /** The representation's effective rank at the deepest hidden layer at step 0, per ok run. */
    public Dataset<Row> initialDeepestRank(StudyTables t) {
        Dataset<Row> r = t.table("representation_rank").where(col("step").equalTo(0));
        Dataset<Row> deepest = r.groupBy("run_id").agg(max(col("layer")).as("layer"));
        return t.okRuns().join(r.join(deepest, new String[] {"run_id", "layer"}).select("run_id", "effective_rank",
                "small_singular_value_fraction"), "run_id");
    }

    /** log_std of the input-to-hidden Jacobian's singular values at the deepest hidden layer, step 0, averaged over inputs. */
    public Dataset<Row> initialDeepestJacobian(StudyTables t) {
        Dataset<Row> j = t.table("jacobian_spectrum").where(col("step").equalTo(0).and(col("kind").equalTo("input_to_hidden")));
        Dataset<Row> deepest = j.groupBy("run_id").agg(max(col("layer")).as("layer"));
        return t.okRuns().join(j.join(deepest, new String[] {"run_id", "layer"}).groupBy("run_id").agg(avg(col("log_std")).as("log_std")),
                "run_id");
    }

    // ---- claims ----

    /**
     * The note's figure for Fold-1: "how the gradient norms look after the first few epochs", with respect to the activations. Read
     * at {@link #earlyStep}; inconclusive when the config lists no diagnostics step after 0.
     */
    public Claim fold1HasLargerGradientsEarly(StudyTables t) {
        int step = earlyStep(t);
        String statement = "Fold-1 initialisation has larger gradients with respect to the hidden activations than Fold-0 after the first "
                + "steps of training (step " + (step < 0 ? "none" : String.valueOf(step)) + ", the earliest diagnostics step after 0)";
        String source = "Orhan 2017, \"Degeneracy, not vanishing gradients\" (after the first few epochs Fold-1 has larger gradient norms, "
                + "yet trains slower)";
        String quantity = "Fold-1 minus Fold-0 mean of ln(mean over hidden layers of ||dLoss/dh_l||) at step " + step + " (exp of it is the ratio)";
        if (step < 0) {
            return new Claim(statement, source, quantity, Effect.undefined("paired by seed", "the study's diagnostics.steps list no step after 0"),
                    0, 0, "");
        }
        return compare(activationGradients(t, step), "ln_mean_delta_norm", FOLD1, FOLD0, statement, source, quantity);
    }

    public Claim fold1EndsWithHigherLoss(StudyTables t) {
        return compare(t.okRuns(), "final_loss", FOLD1, FOLD0, "Fold-1 initialisation ends with a higher training loss than Fold-0",
                "Orhan 2017, \"Degeneracy, not vanishing gradients\"", "Fold-1 minus Fold-0 mean final training loss");
    }

    public Claim orthogonalEndsLowerThanFold0(StudyTables t) {
        return compare(t.okRuns(), "final_loss", FOLD0, ORTH1, "orthogonal initialisation ends with a lower training loss than Fold-0",
                "Saxe et al. 2014; Orhan & Pitkow 2017 (orthogonal init is non-degenerate)", "Fold-0 minus orthogonal x1 mean final training loss");
    }

    public Claim scaledOrthogonalStartsWithSmallerGradients(StudyTables t) {
        return compare(initialGradients(t), "ln_mean_gradient_norm", ORTH1, ORTH09,
                "orthogonal x0.9 starts with smaller gradients than orthogonal x1",
                "Orhan 2017, \"Degeneracy, not vanishing gradients\" (scaled orthogonal: vanishing gradients, yet fast training)",
                "orthogonal x1 minus x0.9 mean of ln(mean over maps of ||dLoss/dW_i||_F) at step 0");
    }

    /**
     * Orhan's note: scaling the orthogonal matrices by 0.9 makes the gradients vanish through 30 layers without much effect on
     * training. A claim of no effect: an equivalence test on the ratio of final losses, ln(loss x0.9 / loss x1) within -+ln 1.25
     * (the conventional 80-125% equivalence bounds for a ratio, fixed before the data).
     */
    public Claim scaledOrthogonalEndsNoHigher(StudyTables t) {
        return compare(t.okRuns(), r -> SeedValues.log(r, "final_loss"), "final_loss", ORTH09, ORTH1,
                "orthogonal x0.9 ends with about the same training loss as orthogonal x1, although its gradients vanish",
                "Orhan 2017, \"Degeneracy, not vanishing gradients\"",
                "ln(final training loss) of orthogonal x0.9 minus x1 (the log of their ratio)",
                Hypothesis.within(EQUIVALENCE_RATIO_MARGIN, "final losses within a factor 1.25 of each other, the 80-125% bounds; fixed before the data"));
    }

    public Claim fold1MoreDegenerate(StudyTables t) {
        return compare(initialDeepestRank(t), "effective_rank", FOLD0, FOLD1,
                "Fold-1's deepest representation is more degenerate (lower effective rank) at init than Fold-0's",
                "Orhan & Pitkow 2017 (degeneracy, not gradient size, predicts slow training)",
                "Fold-0 minus Fold-1 mean effective rank of the deepest hidden layer's representation at step 0");
    }

    public Claim hardtanhIsMoreIsometric(StudyTables t) {
        return compare(initialDeepestJacobian(t), "log_std", RELU, HARDTANH,
                "with orthogonal init, hardtanh keeps the deepest layer's input-output Jacobian singular values closer together than relu",
                "Pennington, Schoenholz & Ganguli 2017 (dynamical isometry: achievable with hardtanh, not with relu)",
                "relu minus hardtanh mean log_std of the deepest layer's Jacobian singular values at step 0");
    }

    /**
     * Orhan &amp; Pitkow (2017): skip connections help deep networks by breaking degeneracies. Each plain run is paired with its
     * residual twin (the same init, activation, depth, width and seed: they draw the same initial weights), the difference of their
     * deepest representations' effective ranks at step 0 is taken per pair, the pairs of one seed are averaged (the seed is the
     * unit), and the interval is taken across seeds.
     */
    public Claim residualLessDegenerate(StudyTables t) {
        String statement = "with skip connections (resmlp, the same init) the deepest representation is less degenerate (higher effective "
                + "rank) at initialisation than without (mlp)";
        String source = "Orhan & Pitkow 2017 (skip connections break degeneracies; the note's closing argument)";
        String quantity = "resmlp minus mlp effective rank of the deepest hidden layer's representation at step 0, paired by init and seed";
        List<Row> rows = initialDeepestRank(t).select("arch", "activation", "init_kind", "init_fold", "init_gain", "depth", "width",
                "effective_rank", "seed").collectAsList();
        Map<String, Double> plain = new HashMap<>();
        Map<String, Double> residual = new HashMap<>();
        for (Row r : rows) {
            double v = SeedValues.num(r, "effective_rank");
            if (Double.isFinite(v) && "mlp".equals(r.getAs("arch"))) {
                plain.put(twinKey(r), v);
            } else if (Double.isFinite(v) && "resmlp".equals(r.getAs("arch"))) {
                residual.put(twinKey(r), v);
            }
        }
        SortedMap<Long, double[]> bySeed = new TreeMap<>();
        SortedMap<String, double[]> byVariant = new TreeMap<>();
        for (Map.Entry<String, Double> e : plain.entrySet()) {
            Double twin = residual.get(e.getKey());
            if (twin != null) {
                String[] key = e.getKey().split("\\|seed=");
                accumulate(bySeed, Long.parseLong(key[1]), twin - e.getValue());
                accumulate(byVariant, key[0], twin - e.getValue());
            }
        }
        double[] perSeed = bySeed.values().stream().mapToDouble(a -> a[0] / a[1]).toArray();
        Effect m = Effect.mean(perSeed);
        String method = "per (init, seed) paired differences, averaged per seed, mean across seeds, t interval";
        Effect e = m.defined() ? Effect.t(m.estimate(), m.se(), m.df(), method) : Effect.undefined(method, residual.isEmpty()
                ? "the study has no resmlp runs (Orhan & Pitkow's residual variant); " + m.missing() : m.missing());
        int pairs = bySeed.values().stream().mapToInt(a -> (int) a[1]).sum();
        StringBuilder notes = new StringBuilder(String.format(Locale.ROOT, "%d pairs over %d seeds; %d plain and %d residual run(s) without a twin "
                + "or a finite rank are left out, as are runs that diverged or failed. Mean difference per init:", pairs, bySeed.size(),
                plain.size() - pairs, residual.size() - pairs));
        byVariant.forEach((k, a) -> notes.append(' ').append(k).append(' ').append(Claim.num(a[0] / a[1])).append(';'));
        return new Claim(statement, source, quantity, e, 2L * pairs, bySeed.size(), notes.toString());
    }

    /** What makes a plain run and its residual twin one pair: every field the study varies but arch. */
    private static String twinKey(Row r) {
        return r.getAs("activation") + " " + r.getAs("init_kind") + " fold " + r.getAs("init_fold") + " gain " + r.getAs("init_gain") + " depth "
                + r.getAs("depth") + " width " + r.getAs("width") + "|seed=" + SeedValues.seed(r);
    }

    private static <K> void accumulate(SortedMap<K, double[]> sums, K key, double v) {
        double[] a = sums.computeIfAbsent(key, k -> new double[2]);
        a[0] += v;
        a[1]++;
    }

    static Claim compare(Dataset<Row> rows, String value, Column a, Column b, String statement, String source, String quantity) {
        return compare(rows, r -> SeedValues.num(r, value), value, a, b, statement, source, quantity, Hypothesis.POSITIVE);
    }

    /**
     * value(a) - value(b) paired by seed over the ok runs: the variants of one seed draw their weights from the same stream (Fold-1
     * copies Fold-0's first half; x0.9 is x1 scaled), so they are compared as pairs. Non-finite values are left out and counted in the
     * notes. One Spark job: the rows of either arm come to the driver with their arm, value and seed.
     */
    static Claim compare(Dataset<Row> rows, java.util.function.ToDoubleFunction<Row> value, String column, Column a, Column b, String statement,
            String source, String quantity, Hypothesis hypothesis) {
        List<Row> both = rows.where(a.or(b)).select(a.as("in_a"), b.as("in_b"), col(column), col("seed")).collectAsList();
        List<Row> inA = both.stream().filter(r -> !r.isNullAt(0) && r.getBoolean(0)).toList();
        List<Row> inB = both.stream().filter(r -> !r.isNullAt(1) && r.getBoolean(1)).toList();
        SortedMap<Long, Double> x = SeedValues.of(inA, value);
        SortedMap<Long, Double> y = SeedValues.of(inB, value);
        long excluded = both.size() - x.size() - y.size();
        String notes = String.format(Locale.ROOT, "%d and %d seeds; %d run(s) with a non-finite %s left out, as are runs that diverged or failed.",
                x.size(), y.size(), excluded, column);
        return new Claim(statement, source, quantity + ", paired by seed", Effect.difference(x, y), x.size() + y.size(),
                SeedValues.shared(x, y), notes, hypothesis);
    }

    // ---- figures ----

    public Figure learningCurves(StudyTables t) {
        return Charts.vsStep("Training loss, depth-" + t.values("depth") + " networks", "training loss",
                finiteSeries(t.curves(), LABEL, "step", "train_loss"), true);
    }

    public Figure finalLoss(StudyTables t) {
        return Charts.lines("Final training loss by variant (one point per variant)", "depth (hidden layers)", "final training loss",
                finiteSeries(t.okRuns(), LABEL, "depth", "final_loss"), true, true);
    }

    public Figure gradientsPerLayer(StudyTables t, int step) {
        return Charts.lines("Weight gradient norm per layer, step " + step, "linear map i", "||dLoss/dW_i||_F",
                finiteSeries(t.okRuns().join(t.table("layer_gradients").where(col("step").equalTo(step)), "run_id"), LABEL, "map",
                        "weight_gradient_norm"), true, true);
    }

    public Figure activationGradientsPerLayer(StudyTables t, int step) {
        return Charts.lines("Gradient norm with respect to each hidden layer's activations, step " + step, "linear map i (its output h_(i+1))",
                "||dLoss/dh_(i+1)||", finiteSeries(t.okRuns().join(t.table("layer_gradients").where(col("step").equalTo(step)), "run_id")
                        .where(col("map").lt(col("depth"))), LABEL, "map", "delta_norm"), true, true);
    }

    public Figure effectiveRankPerLayer(StudyTables t, int step) {
        return Charts.lines("Representation effective rank per layer, step " + step, "hidden layer", "effective rank",
                finiteSeries(t.okRuns().join(t.table("representation_rank").where(col("step").equalTo(step)), "run_id"), LABEL, "layer",
                        "effective_rank"), false, true);
    }

    public Figure endToEndSpread(StudyTables t) {
        Dataset<Row> e = t.okRuns().join(t.table("jacobian_spectrum").where(col("kind").equalTo("end_to_end")), "run_id");
        return Charts.lines("Spread of the end-to-end product's log singular values", "step", "log_std of singular values",
                finiteSeries(e, LABEL, "step", "log_std"), false, true);
    }

    public Figure jacobianPerLayer(StudyTables t) {
        Dataset<Row> j = t.okRuns().join(t.table("jacobian_spectrum").where(col("step").equalTo(0).and(col("kind").equalTo("input_to_hidden"))),
                "run_id");
        return Charts.lines("Input-to-hidden Jacobian: spread of log singular values, step 0", "hidden layer", "log_std of singular values",
                finiteSeries(j, LABEL, "layer", "log_std"), false, true);
    }

    @Override
    public List<Finding> findings(StudyTables t) {
        int early = Math.max(0, earlyStep(t));
        return List.of(new Finding(fold1HasLargerGradientsEarly(t), activationGradientsPerLayer(t, early)),
                new Finding(fold1EndsWithHigherLoss(t), learningCurves(t)),
                new Finding(orthogonalEndsLowerThanFold0(t), finalLoss(t)),
                new Finding(scaledOrthogonalStartsWithSmallerGradients(t), gradientsPerLayer(t, 0)),
                new Finding(scaledOrthogonalEndsNoHigher(t), finalLoss(t)),
                new Finding(fold1MoreDegenerate(t), effectiveRankPerLayer(t, 0)),
                new Finding(hardtanhIsMoreIsometric(t), jacobianPerLayer(t)),
                new Finding(residualLessDegenerate(t), effectiveRankPerLayer(t, 0)));
    }

    @Override
    public String scale(StudyTables t) {
        return "This study: " + t.values("arch") + " networks of depth " + t.values("depth") + " and width " + t.values("width") + " (" + t.values("activation")
                + "), " + t.values("dataset_n_train") + " training examples (" + t.values("dataset_kind") + "), " + t.values("steps") + " steps of "
                + t.values("optimizer_kind") + " at learning rate " + t.values("optimizer_lr") + ", " + t.okValues("seed").size()
                + " seeds per variant, diagnostics on " + t.values("diagnostics_examples") + " examples. Orhan & Pitkow (2017) and Orhan's note "
                + "train 30-layer linear networks of larger width for many more steps with 10 seeds, and Pennington et al. (2017) analyse "
                + "the Jacobian spectrum in the wide-network limit (hundreds to a thousand units) and train on CIFAR-10. A verdict here "
                + "says what these small networks do after a short training; it is not a replication.";
    }

    /** {@link SeedStats#series} over the rows whose value is finite (a singular value of 0 makes a log infinite). */
    static List<Series> finiteSeries(Dataset<Row> rows, String seriesExpr, String x, String value) {
        return SeedStats.series(rows.where(col(value).between(-Double.MAX_VALUE, Double.MAX_VALUE)), seriesExpr, x, value);
    }

}
