package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Vanishing gradients at initialisation (Bengio, Simard & Frasconi 1994; Nielsen, "Neural networks and
 * deep learning", ch. 5): per-layer backpropagated deltas ({@code layer_gradients.delta_rms_per_example}
 * at the first diagnostics step) of sigmoid, tanh and relu (He init) networks. (a) For sigmoid at the
 * largest depth the delta shrinks towards the input: per run the OLS slope of ln delta on the map index
 * (0 = input side), mean across seeds with its t interval; positive = growing with the map index. (b)
 * Sigmoid's ratio first map / last map is smaller than relu's at the largest depth: Welch's difference of
 * mean ln ratios, relu minus sigmoid.
 */
public final class VanishingClaims implements ClaimSet {
    static final String LAYER_GRADIENTS = "layer_gradients";
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

    /** The largest depth with ok runs of {@code activation}, or -1. */
    public int deepest(StudyTables t, String activation) {
        return t.okRunRows().stream().filter(r -> activation.equals(r.getAs("activation")) && !r.isNullAt(r.fieldIndex("depth")))
                .mapToInt(r -> r.<Integer>getAs("depth")).max().orElse(-1);
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
        return List.of(new Finding(sigmoidShrinksTowardsInput(t), deltasByMap(t, depth)), new Finding(sigmoidRatioBelowRelu(t), ratioVsDepth(t)));
    }

    public Claim sigmoidShrinksTowardsInput(StudyTables t) {
        String statement = "in sigmoid networks at the largest depth the per-example delta shrinks towards the input at initialisation "
                + "(effect: per seed the OLS slope of ln delta_rms_per_example on the map index, 0 = input side, mean across seeds)";
        String source = "Bengio, Simard & Frasconi 1994; Nielsen ch. 5 (|sigma'| <= 1/4)";
        int depth = deepest(t, "sigmoid");
        String quantity = "mean slope of ln delta per map" + (depth < 0 ? "" : " at depth " + depth);
        if (depth < 0) {
            return new Claim(statement, source, quantity, Effect.undefined("mean across seeds, t interval", "no ok sigmoid runs"), 0, 0, "");
        }
        List<Row> rows = initialDeltas(t).where(col("activation").equalTo("sigmoid").and(col("depth").equalTo(depth)))
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
                + "sigmoid than for relu with He init (effect: ln ratio of relu minus that of sigmoid, paired by seed)";
        String source = "Nielsen ch. 5; He et al. 2015 (He init keeps relu deltas at scale)";
        int depth = Math.min(deepest(t, "sigmoid"), deepest(t, "relu"));
        String quantity = "relu minus sigmoid mean ln(delta_first / delta_last)" + (depth < 0 ? "" : " at depth " + depth);
        if (depth < 0) {
            return new Claim(statement, source, quantity, Effect.undefined("paired by seed", "no ok runs of sigmoid or of relu"), 0, 0, "");
        }
        List<Row> atDepth = ratios(t).where(col("depth").equalTo(depth).and(col("ratio").gt(0))).select("activation", "ratio", "seed")
                .collectAsList();
        SortedMap<Long, Double> relu = lnRatios(atDepth, "relu");
        SortedMap<Long, Double> sigmoid = lnRatios(atDepth, "sigmoid");
        String notes = String.format(Locale.ROOT, "Mean ratio first / last (geometric, across seeds): relu %s, sigmoid %s. Ratios as the "
                + "summary's delta_first_over_last_init, from layer_gradients at step 0; the two activations of a seed draw their weights "
                + "from the same stream, so they are compared as pairs.", Claim.num(Math.exp(Effect.mean(Effect.values(relu)).estimate())),
                Claim.num(Math.exp(Effect.mean(Effect.values(sigmoid)).estimate())));
        return new Claim(statement, source, quantity, Effect.difference(relu, sigmoid), relu.size() + sigmoid.size(),
                QuickstartClaims.shared(relu, sigmoid), notes);
    }

    private static SortedMap<Long, Double> lnRatios(List<Row> rows, String activation) {
        return SeedValues.of(rows.stream().filter(r -> activation.equals(r.getAs("activation"))).toList(), r -> SeedValues.log(r, "ratio"));
    }

    @Override
    public String scale(StudyTables t) {
        return "This study: " + t.values("arch") + " networks of width " + t.values("width") + " and depth "
                + t.values("depth") + ", activations " + t.values("activation") + " (init sigma2 "
                + t.values("init_sigma2") + "), " + t.values("dataset_n_train") + " labelled points of the unit sphere in "
                + t.values("dataset_input_dim") + " dimensions, deltas at initialisation on the diagnostics batch, "
                + t.values("dtype") + ". Nielsen measures the per-layer learning speed of sigmoid networks of 30 units per layer "
                + "with 1 to 4 hidden layers on MNIST; Bengio et al. (1994) argue for recurrent networks over long time spans. A verdict "
                + "here concerns these small random-data networks at initialisation, not those experiments.";
    }
}
