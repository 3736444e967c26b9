package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.util.List;
import java.util.SortedMap;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Gradient confusion (De et al., ICML 2020): the most negative cosine between two examples' loss
 * gradients ({@code gradient_confusion.min_cosine}, kind per_example, on the diagnostics batch); lower
 * means more confusion. The seed is the unit: slopes are fitted per seed and averaged across seeds.
 * (a) In the tanh networks with Gaussian init, at the narrowest width, it falls with depth at
 * initialisation: minus the per-seed slope of min_cosine on depth. (b) At the largest depth it is higher
 * (less confusion) at the widest width than at the narrowest: paired by seed. (c) Claim (a) at the last
 * diagnostics step, along training. (d) With orthogonal init a linear network's confusion does not depend
 * on depth: an equivalence test on the per-seed slope on log2(depth), margin {@link #DEPTH_MARGIN}. (e) The
 * control: with Gaussian init the linear network's confusion does grow with depth.
 */
public final class De2020Claims implements ClaimSet {
    static final String TANH = "tanh";
    static final String LINEAR = "linear";
    public static final String LABEL = "concat(activation, CASE WHEN activation = 'linear' THEN concat(' ', init_kind) ELSE '' END, "
            + "' width ', CAST(width AS STRING))";
    /** Claim (d)'s equivalence margin: the min cosine's change per doubling of depth. */
    public static final double DEPTH_MARGIN = 0.02;

    @Override
    public String name() {
        return "de2020";
    }

    @Override
    public boolean accepts(String study) {
        return study.equals("de2020") || study.startsWith("de2020-");
    }

    /** Each ok run's per-example min_cosine at every diagnostics step, with the run's columns and the run's first and last step. */
    public Dataset<Row> confusion(StudyTables t) {
        Dataset<Row> c = t.table("gradient_confusion").where(col("kind").equalTo("per_example")).select("run_id", "step", "min_cosine");
        Dataset<Row> ends = c.groupBy("run_id").agg(min("step").as("first_step"), max("step").as("last_step"));
        return t.okRuns().join(c.join(ends, "run_id"), "run_id");
    }

    private Dataset<Row> at(StudyTables t, boolean first) {
        Dataset<Row> c = confusion(t);
        return c.where(col("step").equalTo(col(first ? "first_step" : "last_step")));
    }

    /** {@link #at} on the driver, one row per run: the claims below read it in Java rather than by a Spark job per number. */
    private List<Row> collectAt(StudyTables t, boolean first) {
        return at(t, first).select("activation", "init_kind", "width", "depth", "seed", "min_cosine").collectAsList();
    }

    private static List<Row> where(List<Row> rows, String activation) {
        return rows.stream().filter(r -> activation.equals(r.getAs("activation"))).toList();
    }

    private static List<Row> where(List<Row> rows, String column, int value) {
        return rows.stream().filter(r -> !r.isNullAt(r.fieldIndex(column)) && r.<Integer>getAs(column) == value).toList();
    }

    /** The smallest or largest value of an int column, -1 for no rows (SQL's min/max leave nulls out). */
    private static int extreme(List<Row> rows, String column, boolean largest) {
        IntStream values = rows.stream().filter(r -> !r.isNullAt(r.fieldIndex(column))).mapToInt(r -> r.<Integer>getAs(column));
        return (largest ? values.max() : values.min()).orElse(-1);
    }

    public Figure vsDepth(StudyTables t, boolean first) {
        return Charts.vsDepth("min cosine between per-example gradients, " + (first ? "at initialisation" : "at the last diagnostics step"),
                "min cosine (lower: more confusion)", SeedStats.series(at(t, first), LABEL, "depth", "min_cosine"), false);
    }

    @Override
    public List<Finding> findings(StudyTables t) {
        return List.of(new Finding(fallsWithDepth(t, true), vsDepth(t, true)), new Finding(widerIsLessConfused(t), vsDepth(t, true)),
                new Finding(fallsWithDepth(t, false), vsDepth(t, false)), new Finding(orthogonalLinearIndependentOfDepth(t), vsDepth(t, true)),
                new Finding(gaussianLinearFallsWithDepth(t), vsDepth(t, true)));
    }

    /** Per seed, (x(depth), min_cosine) of the runs of {@code variant} at {@code width}. */
    private static SortedMap<Long, double[][]> points(List<Row> rows, java.util.function.Predicate<Row> variant, int width,
            java.util.function.ToDoubleFunction<Row> x) {
        return SeedValues.points(where(rows.stream().filter(variant).toList(), "width", width), x, r -> SeedValues.num(r, "min_cosine"));
    }

    private static boolean tanh(Row r) {
        return TANH.equals(r.getAs("activation"));
    }

    private static boolean orthogonalLinear(Row r) {
        return LINEAR.equals(r.getAs("activation")) && "orthogonal".equals(r.getAs("init_kind"));
    }

    private static boolean gaussianLinear(Row r) {
        return LINEAR.equals(r.getAs("activation")) && "gaussian".equals(r.getAs("init_kind"));
    }

    private static double log2Depth(Row r) {
        return Math.log(SeedValues.num(r, "depth")) / Math.log(2);
    }

    public Claim fallsWithDepth(StudyTables t, boolean first) {
        String when = first ? "at initialisation" : "at the last diagnostics step (along training)";
        String statement = "in tanh networks with Gaussian init at the narrowest width, gradient confusion grows with depth " + when
                + " (effect: minus the per-seed OLS slope of the per-example min cosine on depth, mean across seeds)";
        List<Row> rows = collectAt(t, first);
        int width = extreme(where(rows, TANH), "width", false);
        String quantity = "-d(min cosine)/d(depth), tanh" + (width < 0 ? "" : " width " + width);
        if (width < 0) {
            return new Claim(statement, "De et al. 2020", quantity, Effect.undefined("per-seed slopes", "no ok tanh runs"), 0, 0, "");
        }
        SortedMap<Long, double[][]> xy = points(rows, De2020Claims::tanh, width, r -> SeedValues.num(r, "depth"));
        return new Claim(statement, "De et al. 2020", quantity, Effect.seedSlopes(xy).negated(), SeedValues.count(xy), xy.size(),
                "Per-example gradients of the diagnostics batch; each seed's runs give one slope.");
    }

    public Claim widerIsLessConfused(StudyTables t) {
        String statement = "in tanh networks with Gaussian init at the largest depth, gradient confusion at initialisation is lower at the "
                + "widest width than at the narrowest (effect: min cosine, widest minus narrowest, paired by seed)";
        List<Row> rows = where(collectAt(t, true), TANH);
        int depth = extreme(rows, "depth", true);
        int narrow = extreme(rows, "width", false);
        int wide = extreme(rows, "width", true);
        String quantity = "min cosine, width " + wide + " minus width " + narrow + " at depth " + depth + ", paired by seed";
        if (depth < 0 || narrow == wide) {
            return new Claim(statement, "De et al. 2020", quantity, Effect.undefined("paired by seed", "fewer than two widths"), 0, 0, "");
        }
        List<Row> d = where(rows, "depth", depth);
        SortedMap<Long, Double> a = SeedValues.of(where(d, "width", wide), r -> SeedValues.num(r, "min_cosine"));
        SortedMap<Long, Double> b = SeedValues.of(where(d, "width", narrow), r -> SeedValues.num(r, "min_cosine"));
        return new Claim(statement, "De et al. 2020", quantity, Effect.difference(a, b), a.size() + b.size(), SeedValues.shared(a, b),
                "Both widths of a seed see the same data and diagnostics batch.");
    }

    /**
     * The paper's "orthogonal initializations make early training independent of depth" for linear networks: a claim of no effect,
     * so an equivalence test. The per-seed slope of min cosine on log2(depth) must lie within -+{@link #DEPTH_MARGIN} per doubling.
     */
    public Claim orthogonalLinearIndependentOfDepth(StudyTables t) {
        String statement = "with orthogonal init, a linear network's gradient confusion at initialisation does not depend on depth "
                + "(effect: per-seed OLS slope of min cosine on log2(depth) at the narrowest width, mean across seeds; equivalent iff "
                + "its 95% interval lies within -+" + DEPTH_MARGIN + " per doubling)";
        String source = "De et al. 2020 (orthogonal init: the confusion bound holds independently of depth)";
        List<Row> rows = collectAt(t, true).stream().filter(De2020Claims::orthogonalLinear).toList();
        int width = extreme(rows, "width", false);
        String quantity = "d(min cosine)/d(log2 depth), orthogonal linear" + (width < 0 ? "" : " width " + width);
        Hypothesis none = Hypothesis.within(DEPTH_MARGIN, "a change of less than 0.02 in the cosine per doubling of depth, 1% of its range "
                + "[-1, 1]; fixed before the data");
        if (width < 0) {
            return new Claim(statement, source, quantity, Effect.undefined("per-seed slopes", "no ok orthogonal linear runs"), 0, 0, "", none);
        }
        SortedMap<Long, double[][]> xy = points(rows, r -> true, width, De2020Claims::log2Depth);
        return new Claim(statement, source, quantity, Effect.seedSlopes(xy), SeedValues.count(xy), xy.size(),
                "The slope of the tanh networks with Gaussian init at the same width, for comparison: "
                        + Effect.seedSlopes(points(collectAt(t, true), De2020Claims::tanh, width, De2020Claims::log2Depth)).brief()
                        + " per doubling.", none);
    }

    /**
     * The control for the claim above: with Gaussian init, the same linear networks do become more confused with depth, so that what
     * the orthogonal arm shows is the initialisation's doing, not linearity's.
     */
    public Claim gaussianLinearFallsWithDepth(StudyTables t) {
        String statement = "the control: with Gaussian init, a linear network's gradient confusion at initialisation grows with depth "
                + "(effect: minus the per-seed OLS slope of min cosine on log2(depth) at the narrowest width, mean across seeds)";
        List<Row> rows = collectAt(t, true).stream().filter(De2020Claims::gaussianLinear).toList();
        int width = extreme(rows, "width", false);
        String quantity = "-d(min cosine)/d(log2 depth), Gaussian linear" + (width < 0 ? "" : " width " + width);
        if (width < 0) {
            return new Claim(statement, "De et al. 2020", quantity, Effect.undefined("per-seed slopes", "no ok linear runs with Gaussian init"),
                    0, 0, "");
        }
        SortedMap<Long, double[][]> xy = points(rows, r -> true, width, De2020Claims::log2Depth);
        return new Claim(statement, "De et al. 2020", quantity, Effect.seedSlopes(xy).negated(), SeedValues.count(xy), xy.size(), "");
    }

    @Override
    public String scale(StudyTables t) {
        return "This study: mlp networks of width " + t.values("width") + " and depth " + t.values("depth")
                + " (activations " + t.values("activation") + "), " + t.values("dataset_n_train")
                + " labelled points of the unit sphere, SGD, confusion on a batch of " + t.values("diagnostics_examples")
                + " examples. De et al. (2020) bound confusion for wide networks and measure it on CIFAR-10 with much wider and deeper"
                + " networks; a verdict here concerns these small networks.";
    }
}
