package io.depthscope.jobs.tables;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

/** How two Parquet cell values differ, for {@link TableComparison}. */
final class Cells {
    private Cells() {}

    /**
     * 0 for equal values (NaN equals NaN, null equals null), the relative difference |a - b| / max(|a|, |b|)
     * for two finite floating-point numbers, and infinity for anything else that differs. Arrays and structs
     * differ by their largest element difference.
     */
    static double difference(Object a, Object b) {
        if (a == null || b == null) {
            return a == b ? 0 : Double.POSITIVE_INFINITY;
        }
        if (isFloating(a) && isFloating(b)) {
            double x = ((Number) a).doubleValue();
            double y = ((Number) b).doubleValue();
            if (x == y || Double.isNaN(x) && Double.isNaN(y)) {
                return 0;
            }
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                return Double.POSITIVE_INFINITY;
            }
            return Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
        }
        List<Object> xs = elements(a);
        List<Object> ys = elements(b);
        if (xs != null && ys != null) {
            if (xs.size() != ys.size()) {
                return Double.POSITIVE_INFINITY;
            }
            double worst = 0;
            for (int i = 0; i < xs.size(); i++) {
                worst = Math.max(worst, difference(xs.get(i), ys.get(i)));
            }
            return worst;
        }
        return a.equals(b) ? 0 : Double.POSITIVE_INFINITY;
    }

    /** A total order on cell values, to line up rows that share a key (nulls first, numbers by value). */
    static final Comparator<Object> ORDER = Cells::compare;

    private static int compare(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        List<Object> xs = elements(a);
        List<Object> ys = elements(b);
        if (xs != null && ys != null) {
            for (int i = 0; i < Math.min(xs.size(), ys.size()); i++) {
                int c = compare(xs.get(i), ys.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(xs.size(), ys.size());
        }
        return String.valueOf(a).compareTo(String.valueOf(b));
    }

    /** A value as a message shows it: strings quoted, doubles in full (shortest round-trip) precision. */
    static String show(Object v) {
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        List<Object> xs = elements(v);
        if (xs != null) {
            List<String> parts = new ArrayList<>();
            xs.forEach(x -> parts.add(show(x)));
            return "[" + String.join(", ", parts) + "]";
        }
        return String.valueOf(v);
    }

    private static boolean isFloating(Object v) {
        return v instanceof Double || v instanceof Float;
    }

    /** The elements of an array (a Scala Seq, as Spark returns it) or struct, else null. */
    private static List<Object> elements(Object v) {
        if (v instanceof scala.collection.Seq<?> seq) {
            return new ArrayList<>(CollectionConverters.asJava(seq));
        }
        if (v instanceof Row row) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < row.length(); i++) {
                out.add(row.get(i));
            }
            return out;
        }
        return null;
    }
}
