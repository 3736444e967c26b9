package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Unstable gradients (Bengio, Simard & Frasconi 1994; Nielsen, "Neural networks and deep learning", ch. 5): per-layer
 * backpropagated deltas and gradients of sigmoid, tanh and relu (He init) networks, and a sigmoid variant whose weights are
 * large enough to make the gradients explode. The vanishing arm is sigmoid at its standard init (LeCun, init.sigma2 1 or not
 * given); the exploding arm is sigmoid with init.sigma2 above 1 (the configs' 10^4: every unit's incoming weights have norm
 * about 100, Nielsen's w = 100, with zero biases centring z at 0, where Nielsen's biases put it).
 * <ul>
 *   <li>(a) In the vanishing arm at its largest depth the delta shrinks towards the input: per seed the OLS slope of ln
 *       {@code delta_rms_per_example} on the map index (0 = input side) at the first diagnostics step, mean across seeds.</li>
 *   <li>(b) The vanishing arm's delta ratio first map / last map is smaller than relu's at the largest depth: ln ratios, relu
 *       minus sigmoid, paired by seed.</li>
 *   <li>(c) In the exploding arm at its largest depth the first map's weight gradient exceeds the last's at initialisation:
 *       per seed ln(||dLoss/dW_0|| / ||dLoss/dW_L||), mean across seeds.</li>
 *   <li>(d) In the vanishing arm at its largest depth the first map learns more slowly than the last: per seed
 *       ln(relative weight change of map L / that of map 0) at the last diagnostics step ({@code layer_weight_change}),
 *       mean across seeds.</li>
 * </ul>
 */
public final class VanishingClaims implements ClaimSet {
    static final String LAYER_GRADIENTS = "layer_gradients";
    static final String LAYER_WEIGHT_CHANGE = "layer_weight_change";
    /** Above this init.sigma2 a sigmoid run belongs to the exploding arm; the standard (LeCun) init is 1. */
    public static final double STANDARD_SIGMA2 = 1.0;
    /** Line labels: the activation with its init variance. */
    public static final String LABEL = "concat(activation, ' (sigma2 ', CAST(init_sigma2 AS STRING), ')')";

    @Override
    public String name() {
        return "vanishing";
    }

    @Override
    public boolean accepts(String study) {
        return study.equals("vanishing") || study.startsWith("vanishing-");
    }

    /** Each ok run's per-map deltas at its first diagnostics step (step 0), with the run's columns. */
    public Dataset<Row> initialDeltas(StudyTables t) {
        Dataset<Row> g = t.table(LAYER_GRADIENTS);
        Dataset<Row> first = g.groupBy("run_id").agg(min("step").as("first_step"));
        Dataset<Row> g0 = g.join(first, "run_id").where(col("step").equalTo(col("first_step")))
                .select("run_id", "map", "delta_rms_per_example");
        return t.okRuns().join(g0, "run_id");
    }

    /** The largest depth with ok runs of {@code activation} (for sigmoid: of the vanishing arm, at its standard init), or -1. */
    public int deepest(StudyTables t, String activation) {
        return deepest(t, "sigmoid".equals(activation) ? VanishingClaims::vanishingArm : r -> activation.equals(r.getAs("activation")));
    }

    /** The largest depth with ok runs of an arm, or -1. */
    static int deepest(StudyTables t, Predicate<Row> arm) {
        return t.okRunRows().stream().filter(r -> arm.test(r) && !r.isNullAt(r.fieldIndex("depth")))
                .mapToInt(r -> r.<Integer>getAs("depth")).max().orElse(-1);
    }

    /** init.sigma2 of a runs row (NaN: not given, the standard init). */
    private static double sigma2(Row r) {
        return SeedValues.num(r, "init_sigma2");
    }

    /** Sigmoid at its standard init (init.sigma2 1 or not given): the vanishing arm. */
    static boolean vanishingArm(Row r) {
        return "sigmoid".equals(r.getAs("activation")) && !(sigma2(r) > STANDARD_SIGMA2);
    }

    /** Sigmoid with weights larger than the standard init's: Nielsen's exploding construction as the init options allow it. */
    static boolean explodingArm(Row r) {
        return "sigmoid".equals(r.getAs("activation")) && sigma2(r) > STANDARD_SIGMA2;
    }

    /** {@link #vanishingArm} as a Spark column (Spark orders NaN above every number, so NaN is tested first). */
    static Column vanishingColumn() {
        return col("activation").equalTo("sigmoid").and(isnan(col("init_sigma2")).or(col("init_sigma2").leq(STANDARD_SIGMA2)));
    }

    /** {@link #explodingArm} as a Spark column. */
    static Column explodingColumn() {
        return col("activation").equalTo("sigmoid").and(not(isnan(col("init_sigma2")))).and(col("init_sigma2").gt(STANDARD_SIGMA2));
    }

    public Figure deltasByMap(StudyTables t, int depth) {
        return Charts.lines("Per-example delta at initialisation, depth " + depth, "linear map (0 = input side)",
                "delta_rms_per_example", SeedStats.series(initialDeltas(t).where(col("depth").equalTo(depth)), LABEL, "map",
                        "delta_rms_per_example"), true, true);
    }

    public Figure ratioVsDepth(StudyTables t) {
        return Charts.vsDepth("delta of the first map / delta of the last, at initialisation", "first / last",
                SeedStats.series(ratios(t), LABEL, "depth", "ratio"), true);
    }

    /** Per ok run: delta(map 0) / delta(map depth) at the first diagnostics step, with the run's columns. */
    public Dataset<Row> ratios(StudyTables t) {
        Dataset<Row> d = initialDeltas(t);
        Dataset<Row> firstMap = d.where(col("map").equalTo(0)).select(col("run_id"), col("delta_rms_per_example").as("first_delta"));
        Dataset<Row> lastMap = d.where(col("map").equalTo(col("depth"))).select(col("run_id"), col("delta_rms_per_example").as("last_delta"));
        return t.okRuns().join(firstMap, "run_id").join(lastMap, "run_id").withColumn("ratio", col("first_delta").divide(col("last_delta")));
    }

    @Override
    public List<Finding> findings(StudyTables t) {
        int depth = Math.max(deepest(t, "sigmoid"), 0);
        return List.of(new Finding(sigmoidShrinksTowardsInput(t), deltasByMap(t, depth)), new Finding(sigmoidRatioBelowRelu(t), ratioVsDepth(t)),
                new Finding(explodingFirstGradientAboveLast(t), gradientRatioVsDepth(t)),
                new Finding(firstLayerLearnsSlowerThanLast(t), weightChangeByMap(t, depth)));
    }

    public Claim sigmoidShrinksTowardsInput(StudyTables t) {
        String statement = "in sigmoid networks (standard init) at the largest depth the per-example delta shrinks towards the input at initialisation "
                + "(effect: per seed the OLS slope of ln delta_rms_per_example on the map index, 0 = input side, mean across seeds)";
        String source = "Bengio, Simard & Frasconi 1994; Nielsen ch. 5 (|sigma'| <= 1/4)";
        int depth = deepest(t, "sigmoid");
        String quantity = "mean slope of ln delta per map" + (depth < 0 ? "" : " at depth " + depth);
        if (depth < 0) {
            return new Claim(statement, source, quantity, Effect.undefined("mean across seeds, t interval", "no ok sigmoid runs"), 0, 0, "");
        }
        List<Row> rows = initialDeltas(t).where(vanishingColumn().and(col("depth").equalTo(depth)))
                .select("seed", "map", "delta_rms_per_example").collectAsList();
        SortedMap<Long, double[][]> points = SeedValues.points(rows, r -> SeedValues.num(r, "map"), r -> SeedValues.log(r, "delta_rms_per_example"));
        Effect e = Effect.seedSlopes(points);
        String notes = String.format(Locale.ROOT, "exp(slope) is the factor by which the delta grows per map towards the output: %s [%s, %s]. Deltas at step 0 on the diagnostics batch; "
                + "maps with a zero or non-finite delta are left out.", Claim.num(Math.exp(e.estimate())), Claim.num(Math.exp(e.low())),
                Claim.num(Math.exp(e.high())));
        return new Claim(statement, source, quantity, e, points.size(), points.size(), notes);
    }

    public Claim sigmoidRatioBelowRelu(StudyTables t) {
        String statement = "at the largest depth the ratio of the first map's delta to the last map's at initialisation is smaller for "
                + "sigmoid (standard init) than for relu with He init (effect: ln ratio of relu minus that of sigmoid, paired by seed)";
        String source = "Nielsen ch. 5; He et al. 2015 (He init keeps relu deltas at scale)";
        int depth = Math.min(deepest(t, "sigmoid"), deepest(t, "relu"));
        String quantity = "relu minus sigmoid mean ln(delta_first / delta_last)" + (depth < 0 ? "" : " at depth " + depth);
        if (depth < 0) {
            return new Claim(statement, source, quantity, Effect.undefined("paired by seed", "no ok runs of sigmoid or of relu"), 0, 0, "");
        }
        List<Row> atDepth = ratios(t).where(col("depth").equalTo(depth).and(col("ratio").gt(0))
                .and(vanishingColumn().or(col("activation").equalTo("relu")))).select("activation", "ratio", "seed").collectAsList();
        SortedMap<Long, Double> relu = lnRatios(atDepth, "relu");
        SortedMap<Long, Double> sigmoid = lnRatios(atDepth, "sigmoid");
        String notes = String.format(Locale.ROOT, "Mean ratio first / last (geometric, across seeds): relu %s, sigmoid %s. Ratios as the "
                + "summary's delta_first_over_last_init, from layer_gradients at step 0; the two activations of a seed draw their weights "
                + "from the same stream, so they are compared as pairs.", Claim.num(Math.exp(Effect.mean(Effect.values(relu)).estimate())),
                Claim.num(Math.exp(Effect.mean(Effect.values(sigmoid)).estimate())));
        return new Claim(statement, source, quantity, Effect.difference(relu, sigmoid), relu.size() + sigmoid.size(),
                SeedValues.shared(relu, sigmoid), notes);
    }

    private static SortedMap<Long, Double> lnRatios(List<Row> rows, String activation) {
        return SeedValues.of(rows.stream().filter(r -> activation.equals(r.getAs("activation"))).toList(), r -> SeedValues.log(r, "ratio"));
    }

    /** Per ok run: ||dLoss/dW_0|| / ||dLoss/dW_L|| at the first diagnostics step (step 0), with the run's columns. */
    public Dataset<Row> gradientRatios(StudyTables t) {
        Dataset<Row> g = t.table(LAYER_GRADIENTS);
        Dataset<Row> first = g.groupBy("run_id").agg(min("step").as("first_step"));
        Dataset<Row> d = t.okRuns().join(g.join(first, "run_id").where(col("step").equalTo(col("first_step")))
                .select("run_id", "map", "weight_gradient_norm"), "run_id");
        Dataset<Row> firstMap = d.where(col("map").equalTo(0)).select(col("run_id"), col("weight_gradient_norm").as("first_gradient"));
        Dataset<Row> lastMap = d.where(col("map").equalTo(col("depth"))).select(col("run_id"), col("weight_gradient_norm").as("last_gradient"));
        return t.okRuns().join(firstMap, "run_id").join(lastMap, "run_id")
                .withColumn("gradient_ratio", col("first_gradient").divide(col("last_gradient")));
    }

    public Figure gradientRatioVsDepth(StudyTables t) {
        return Charts.vsDepth("||dLoss/dW|| of the first map / of the last, at initialisation", "first / last",
                SeedStats.series(gradientRatios(t).where(col("gradient_ratio").gt(0)), LABEL, "depth", "gradient_ratio"), true);
    }

    /** Per ok run and weight map: its change relative to its initial weights at the run's last diagnostics step. */
    public Dataset<Row> finalWeightChanges(StudyTables t) {
        Dataset<Row> w = t.table(LAYER_WEIGHT_CHANGE);
        Dataset<Row> last = w.groupBy("run_id").agg(max("step").as("last_step"));
        return t.okRuns().join(w.join(last, "run_id").where(col("step").equalTo(col("last_step")))
                .select("run_id", "step", "map", "relative_weight_change"), "run_id");
    }

    /** Per ok run: the last map's relative weight change over the first map's, at the last diagnostics step. */
    public Dataset<Row> changeRatios(StudyTables t) {
        Dataset<Row> d = finalWeightChanges(t);
        Dataset<Row> firstMap = d.where(col("map").equalTo(0)).select(col("run_id"), col("relative_weight_change").as("first_change"));
        Dataset<Row> lastMap = d.where(col("map").equalTo(col("depth"))).select(col("run_id"), col("step"),
                col("relative_weight_change").as("last_change"));
        return t.okRuns().join(firstMap, "run_id").join(lastMap, "run_id").withColumn("change_ratio", col("last_change").divide(col("first_change")));
    }

    public Figure weightChangeByMap(StudyTables t, int depth) {
        if (!t.has(LAYER_WEIGHT_CHANGE)) {
            return Charts.lines("Relative weight change (no layer_weight_change table)", "linear map (0 = input side)",
                    "||W(t) - W(0)|| / ||W(0)||", List.of(), false, true);
        }
        return Charts.lines("Relative weight change by the last diagnostics step, depth " + depth, "linear map (0 = input side)",
                "||W(t) - W(0)|| / ||W(0)||", SeedStats.series(finalWeightChanges(t).where(col("depth").equalTo(depth).and(col("relative_weight_change").gt(0))), LABEL, "map",
                        "relative_weight_change"), true, true);
    }

    public Claim explodingFirstGradientAboveLast(StudyTables t) {
        String statement = "with large weights (sigmoid, init.sigma2 above " + Claim.num(STANDARD_SIGMA2) + ") the gradient explodes towards the "
                + "input: at the largest depth the first map's weight gradient exceeds the last map's at initialisation (effect: per seed "
                + "ln(||dLoss/dW_0|| / ||dLoss/dW_L||), mean across seeds)";
        String source = "Nielsen ch. 5 (the exploding gradient problem: weights w = 100, biases keeping sigma'(z) at 1/4)";
        int depth = deepest(t, VanishingClaims::explodingArm);
        String quantity = "mean ln(gradient of map 0 / gradient of map L) in the exploding variant" + (depth < 0 ? "" : " at depth " + depth);
        if (depth < 0) {
            return new Claim(statement, source, quantity, Effect.undefined("mean across seeds, t interval",
                    "no ok runs of the exploding variant (sigmoid with init.sigma2 > " + Claim.num(STANDARD_SIGMA2) + ")"), 0, 0, "");
        }
        List<Row> rows = gradientRatios(t).where(explodingColumn().and(col("depth").equalTo(depth))).select("seed", "gradient_ratio", "init_sigma2")
                .collectAsList();
        SortedMap<Long, Double> ln = SeedValues.of(rows, r -> SeedValues.log(r, "gradient_ratio"));
        Effect e = Effect.mean(Effect.values(ln));
        String notes = String.format(Locale.ROOT, "init.sigma2 %s (a unit's incoming weights have norm about sqrt(sigma2)); geometric mean ratio "
                + "%s [%s, %s]. Weight gradients at step 0 on the diagnostics batch. Nielsen's biases hold every z at 0, where sigma' = 1/4; "
                + "zero biases centre z at 0 only on average, so the units whose z lies far out saturate and the growth per layer is "
                + "smaller than his 25.", String.join(", ", RowValues.distinct(rows, "init_sigma2")), Claim.num(Math.exp(e.estimate())), Claim.num(Math.exp(e.low())),
                Claim.num(Math.exp(e.high())));
        return new Claim(statement, source, quantity, e, rows.size(), ln.size(), notes);
    }

    public Claim firstLayerLearnsSlowerThanLast(StudyTables t) {
        String statement = "in sigmoid networks at their standard init and the largest depth the first map learns more slowly than the last: "
                + "by the last diagnostics step its weights have moved less relative to their initial size (effect: per seed "
                + "ln(||W_L(t) - W_L(0)|| / ||W_L(0)|| over the same for map 0), mean across seeds)";
        String source = "Nielsen ch. 5 (the early hidden layers learn much more slowly than the later ones)";
        int depth = deepest(t, VanishingClaims::vanishingArm);
        String quantity = "mean ln(relative weight change of map L / of map 0)" + (depth < 0 ? "" : " at depth " + depth);
        String method = "mean across seeds, t interval";
        if (depth < 0) {
            return new Claim(statement, source, quantity, Effect.undefined(method, "no ok sigmoid runs at the standard init"), 0, 0, "");
        }
        if (!t.has(LAYER_WEIGHT_CHANGE)) {
            return new Claim(statement, source, quantity, Effect.undefined(method, "no layer_weight_change table (a study written before "
                    + "it was recorded)"), 0, 0, "");
        }
        List<Row> rows = changeRatios(t).where(vanishingColumn().and(col("depth").equalTo(depth))).select("seed", "change_ratio", "step")
                .collectAsList();
        SortedMap<Long, Double> ln = SeedValues.of(rows, r -> SeedValues.log(r, "change_ratio"));
        Effect e = Effect.mean(Effect.values(ln));
        String notes = String.format(Locale.ROOT, "Changes at step %s (the runs' last diagnostics step; a run with no change yet is left out); "
                + "the last map changes %s [%s, %s] times as much as the first, relative to their initial norms.",
                String.join(", ", RowValues.distinct(rows, "step")), Claim.num(Math.exp(e.estimate())), Claim.num(Math.exp(e.low())), Claim.num(Math.exp(e.high())));
        return new Claim(statement, source, quantity, e, rows.size(), ln.size(), notes);
    }

    @Override
    public String scale(StudyTables t) {
        return "This study: " + t.values("arch") + " networks of width " + t.values("width") + " and depth "
                + t.values("depth") + ", activations " + t.values("activation") + " (init sigma2 "
                + t.values("init_sigma2") + "), " + t.values("dataset_n_train") + " labelled points of the unit sphere in "
                + t.values("dataset_input_dim") + " dimensions, gradients at initialisation on the diagnostics batch and weight changes "
                + "after " + t.values("steps") + " steps of " + t.values("optimizer_kind") + ", " + t.values("dtype")
                + ". Nielsen measures the per-layer learning speed of sigmoid networks of 30 units per layer "
                + "with 1 to 4 hidden layers on MNIST, and builds his exploding case from a chain of one unit per layer with w = 100 and "
                + "biases chosen so that every z is 0; Bengio et al. (1994) argue for recurrent networks over long time spans. A verdict "
                + "here concerns these small random-data networks, not those experiments.";
    }
}
