package io.depthscope.jobs.claims;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Row;

/**
 * Rows of runs reduced to one value (or one set of points) per seed, the unit the claims replicate over:
 * the runs of one seed share their initial weights' streams and their data, so they are one replicate.
 * Rows need a {@code seed} column; a value that is not finite (NaN, an infinite log) is left out.
 */
final class SeedValues {
    private SeedValues() {}

    static long seed(Row r) {
        return ((Number) r.getAs("seed")).longValue();
    }

    /** Per seed, the mean of the finite values of that seed's rows (usually one run). */
    static SortedMap<Long, Double> of(List<Row> rows, ToDoubleFunction<Row> value) {
        SortedMap<Long, double[]> sums = new TreeMap<>();
        for (Row r : rows) {
            double v = value.applyAsDouble(r);
            if (Double.isFinite(v)) {
                double[] s = sums.computeIfAbsent(seed(r), k -> new double[2]);
                s[0] += v;
                s[1]++;
            }
        }
        SortedMap<Long, Double> out = new TreeMap<>();
        sums.forEach((seed, s) -> out.put(seed, s[0] / s[1]));
        return out;
    }

    /** Per seed, the points {x, y} of that seed's rows whose x and y are finite. */
    static SortedMap<Long, double[][]> points(List<Row> rows, ToDoubleFunction<Row> x, ToDoubleFunction<Row> y) {
        SortedMap<Long, List<double[]>> by = new TreeMap<>();
        for (Row r : rows) {
            double a = x.applyAsDouble(r);
            double b = y.applyAsDouble(r);
            if (Double.isFinite(a) && Double.isFinite(b)) {
                by.computeIfAbsent(seed(r), k -> new ArrayList<>()).add(new double[] {a, b});
            }
        }
        SortedMap<Long, double[][]> out = new TreeMap<>();
        by.forEach((seed, pts) -> out.put(seed, pts.toArray(double[][]::new)));
        return out;
    }

    /** How many points the map holds over all seeds. */
    static int count(Map<Long, double[][]> points) {
        return points.values().stream().mapToInt(p -> p.length).sum();
    }

    /** A column as a double (NaN when null). */
    static double num(Row r, String column) {
        Object v = r.getAs(column);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    /** ln of a column (NaN when null or not positive, so the row is left out). */
    static double log(Row r, String column) {
        double v = num(r, column);
        return v > 0 ? Math.log(v) : Double.NaN;
    }

    /** How many seeds two arms share: the pairs of a paired comparison. */
    static long shared(SortedMap<Long, ?> a, SortedMap<Long, ?> b) {
        return a.keySet().stream().filter(b::containsKey).count();
    }
}
