package io.depthscope.jobs.claims;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;

/**
 * Distinct values of a column of rows already on the driver, in the order and spelling that
 * {@link StudyTables#distinct} gives through Spark ({@code distinct().orderBy(column)}, each value as
 * {@code String.valueOf}): nulls first, numbers by value with NaN last and -0.0 the same as 0.0, strings
 * by their UTF-8 bytes, false before true.
 */
final class RowValues {
    private RowValues() {}

    static List<String> distinct(List<Row> rows, String column) {
        Set<Object> seen = new LinkedHashSet<>();
        for (Row r : rows) {
            seen.add(normal(r.getAs(column)));
        }
        List<Object> values = new ArrayList<>(seen);
        values.sort(Comparator.nullsFirst(RowValues::compare));
        List<String> out = new ArrayList<>(values.size());
        values.forEach(v -> out.add(String.valueOf(v)));
        return out;
    }

    /** Spark's distinct treats -0.0 and 0.0 (and every NaN) as one value. */
    private static Object normal(Object v) {
        if (v instanceof Double d && d == 0.0) {
            return 0.0;
        }
        if (v instanceof Float f && f == 0.0f) {
            return 0.0f;
        }
        return v;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a instanceof String x && b instanceof String y) {
            return compareUtf8(x, y);
        }
        if (a instanceof Double x && b instanceof Double y) {
            return Double.compare(x, y);
        }
        if (a instanceof Float x && b instanceof Float y) {
            return Float.compare(x, y);
        }
        if (a instanceof Comparable x && a.getClass() == b.getClass()) {
            return x.compareTo(b);
        }
        throw new IllegalArgumentException("cannot order values " + a + " (" + a.getClass().getSimpleName() + ") and " + b + " ("
                + b.getClass().getSimpleName() + ") of one column");
    }

    /** Spark orders strings by their UTF-8 bytes, unsigned; Java's compareTo by UTF-16 units differs above U+FFFF. */
    static int compareUtf8(String x, String y) {
        byte[] a = x.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] b = y.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(a, b);
    }
}
