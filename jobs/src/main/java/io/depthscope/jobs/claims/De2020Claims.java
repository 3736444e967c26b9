package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Gradient confusion (De et al., ICML 2020): the most negative cosine between two examples' loss
 * gradients ({@code gradient_confusion.min_cosine}, kind per_example, on the diagnostics batch); lower
 * means more confusion. (a) In the tanh networks with Gaussian init, at the narrowest width, it falls
 * with depth at initialisation: OLS slope of min_cosine on depth over runs, sign flipped so that a
 * positive effect is the claim. (b) At the largest depth it is higher (less confusion) at the widest
 * width than at the narrowest: Welch's difference. (c) Claim (a) at the last diagnostics step, along
 * training. (d) With orthogonal init a linear network's confusion falls less with depth than the tanh
 * network's: the linear slope minus the tanh slope at the narrowest width (Welch-type interval). A CI
 * of the linear slope that includes 0 would not show that confusion is independent of depth, so that
 * is not what is claimed.
 */
public final class De2020Claims implements ClaimSet {
    static final String TANH = "tanh";
    static final String LINEAR = "linear";
    public static final String LABEL = "concat(activation, ' width ', CAST(width AS STRING))";

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
        return at(t, first).select("activation", "width", "depth", "seed", "min_cosine").collectAsList();
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

    private static long seeds(List<Row> rows) {
        return RowValues.distinct(rows, "seed").size();
    }

    public Figure vsDepth(StudyTables t, boolean first) {
        return Charts.vsDepth("min cosine between per-example gradients, " + (first ? "at initialisation" : "at the last diagnostics step"),
                "min cosine (lower: more confusion)", SeedStats.series(at(t, first), LABEL, "depth", "min_cosine"), false);
    }

    @Override
    public List<Finding> findings(StudyTables t) {
        return List.of(new Finding(fallsWithDepth(t, true), vsDepth(t, true)), new Finding(widerIsLessConfused(t), vsDepth(t, true)),
                new Finding(fallsWithDepth(t, false), vsDepth(t, false)), new Finding(orthogonalLinearFallsLess(t), vsDepth(t, true)));
    }

    /** (depth, min_cosine) of the runs of {@code activation} at {@code width}. */
    private static double[][] points(List<Row> rows, String activation, int width) {
        List<Row> r = where(where(rows, activation), "width", width);
        double[][] xy = new double[2][r.size()];
        for (int i = 0; i < r.size(); i++) {
            xy[0][i] = r.get(i).<Integer>getAs("depth");
            xy[1][i] = r.get(i).<Double>getAs("min_cosine");
        }
        return xy;
    }

    public Claim fallsWithDepth(StudyTables t, boolean first) {
        String when = first ? "at initialisation" : "at the last diagnostics step (along training)";
        String statement = "in tanh networks with Gaussian init at the narrowest width, gradient confusion grows with depth " + when
                + " (effect: minus the OLS slope of the per-example min cosine on depth over runs; supported iff its 95% interval lies above 0)";
        List<Row> rows = collectAt(t, first);
        int width = extreme(where(rows, TANH), "width", false);
        String quantity = "-d(min cosine)/d(depth), tanh" + (width < 0 ? "" : " width " + width);
        if (width < 0) {
            return new Claim(statement, "De et al. 2020", quantity, Effect.undefined("OLS slope", "no ok tanh runs"), 0, 0, "");
        }
        double[][] xy = points(rows, TANH, width);
        Effect slope = Effect.olsSlope(xy[0], xy[1]);
        Effect e = new Effect(-slope.estimate(), -slope.high(), -slope.low(), slope.method(), slope.missing());
        long seeds = seeds(where(where(rows, TANH), "width", width));
        return new Claim(statement, "De et al. 2020", quantity, e, xy[0].length, seeds, "Per-example gradients of the diagnostics batch; "
                + "each run is one point of the fit.");
    }

    public Claim widerIsLessConfused(StudyTables t) {
        String statement = "in tanh networks with Gaussian init at the largest depth, gradient confusion at initialisation is lower at the "
                + "widest width than at the narrowest (effect: min cosine, widest minus narrowest, Welch; supported iff its 95% interval "
                + "lies above 0)";
        List<Row> rows = where(collectAt(t, true), TANH);
        int depth = extreme(rows, "depth", true);
        int narrow = extreme(rows, "width", false);
        int wide = extreme(rows, "width", true);
        String quantity = "min cosine, width " + wide + " minus width " + narrow + " at depth " + depth;
        if (depth < 0 || narrow == wide) {
            return new Claim(statement, "De et al. 2020", quantity, Effect.undefined("Welch", "fewer than two widths"), 0, 0, "");
        }
        List<Row> d = where(rows, "depth", depth);
        double[] a = values(where(d, "width", wide));
        double[] b = values(where(d, "width", narrow));
        return new Claim(statement, "De et al. 2020", quantity, Effect.welch(a, b), a.length + b.length, seeds(d), "");
    }

    public Claim orthogonalLinearFallsLess(StudyTables t) {
        String statement = "at initialisation and the narrowest width, the per-example min cosine of linear networks with orthogonal init "
                + "falls less with depth than that of tanh networks with Gaussian init (effect: the linear OLS slope on depth minus the tanh "
                + "one, Welch-type interval; supported iff it lies above 0; this does not show independence of depth)";
        List<Row> rows = collectAt(t, true);
        int width = Math.max(extreme(where(rows, TANH), "width", false), extreme(where(rows, LINEAR), "width", false));
        String quantity = "slope(linear) - slope(tanh) of min cosine on depth, width " + width;
        double[][] tanh = points(rows, TANH, width);
        double[][] linear = points(rows, LINEAR, width);
        if (tanh[0].length < 3 || linear[0].length < 3) {
            return new Claim(statement, "De et al. 2020", quantity, Effect.undefined("slope difference", "fewer than 3 runs per arm"), 0, 0, "");
        }
        Effect lin = Effect.olsSlope(linear[0], linear[1]);
        String notes = "The linear network's own slope: " + Claim.num(lin.estimate()) + " [" + Claim.num(lin.low()) + ", "
                + Claim.num(lin.high()) + "] per layer.";
        return new Claim(statement, "De et al. 2020", quantity, Effect.slopeDifference(tanh[0], tanh[1], linear[0], linear[1]),
                tanh[0].length + linear[0].length, seeds(rows), notes);
    }

    private static double[] values(List<Row> rows) {
        return rows.stream().mapToDouble(r -> r.<Double>getAs("min_cosine")).toArray();
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
