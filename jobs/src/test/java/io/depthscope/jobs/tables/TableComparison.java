package io.depthscope.jobs.tables;

import io.depthscope.io.Checks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Checks that two outputs of the same study hold the same tables: every Parquet table directory under
 * either, with the same columns, the same rows (matched on a key found from the data, not named per
 * table, so tables added later are covered too) and equal values: floating-point numbers to a relative
 * {@link #RELATIVE_TOLERANCE} (thread counts and BLAS may order sums differently; NaN equals NaN),
 * everything else exactly, except the {@link #TIMING_COLUMNS}.
 */
public final class TableComparison {
    /** Columns that measure elapsed time, so differ between two runs of the same study. */
    public static final Set<String> TIMING_COLUMNS = Set.of("wall_seconds", "seconds");
    public static final double RELATIVE_TOLERANCE = 1e-9;
    private static final int SHOWN = 20;
    private static final Set<DataType> DISCRETE = Set.of(DataTypes.StringType, DataTypes.IntegerType, DataTypes.LongType,
            DataTypes.ShortType, DataTypes.ByteType, DataTypes.BooleanType);

    /** What was compared: table names, rows, and the largest relative difference of a compared number. */
    public record Report(List<String> tables, long rows, double maxRelativeDifference) {}

    private final SparkSession spark;
    private final String leftName;
    private final String rightName;
    private final List<String> differences = new ArrayList<>();
    private long rows;
    private double worst;

    private TableComparison(SparkSession spark, String leftName, String rightName) {
        this.spark = spark;
        this.leftName = leftName;
        this.rightName = rightName;
    }

    /** Compares every table under {@code left} and {@code right}; throws an AssertionError listing the differences. */
    public static Report assertSameTables(SparkSession spark, String leftName, Path left, String rightName, Path right) {
        TableComparison c = new TableComparison(spark, leftName, rightName);
        List<String> names = tables(left);
        List<String> others = tables(right);
        if (!names.equals(others)) {
            c.differences.add("tables differ: " + leftName + " has " + names + ", " + rightName + " has " + others);
        } else {
            names.forEach(t -> c.compareTable(t, left.resolve(t), right.resolve(t)));
        }
        if (!c.differences.isEmpty()) {
            List<String> shown = c.differences.subList(0, Math.min(SHOWN, c.differences.size()));
            throw new AssertionError(c.differences.size() + " difference(s) between " + leftName + " (" + left + ") and "
                    + rightName + " (" + right + ")"
                    + (c.differences.size() > SHOWN ? ", the first " + SHOWN : "") + ":\n  " + String.join("\n  ", shown)
                    + "\n(a column that measures time belongs in TableComparison.TIMING_COLUMNS)");
        }
        return new Report(names, c.rows, c.worst);
    }

    /** Whether two numbers are equal as table cells are: to the relative tolerance, NaN equal to NaN. */
    public static boolean same(double a, double b) {
        return Cells.difference(a, b) <= RELATIVE_TOLERANCE;
    }

    /** The Parquet tables under a study's output: directories with Spark's _SUCCESS marker or a .parquet file. */
    public static List<String> tables(Path out) {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> children = Files.list(out)) {
            for (Path p : (Iterable<Path>) children::iterator) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && !name.startsWith("_") && !name.startsWith(".") && isTable(p)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArrayList<>(names);
    }

    private static boolean isTable(Path dir) throws IOException {
        if (Files.exists(dir.resolve("_SUCCESS"))) {
            return true;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"));
        }
    }

    private void compareTable(String table, Path left, Path right) {
        Dataset<Row> da = spark.read().parquet(left.toString());
        Dataset<Row> db = spark.read().parquet(right.toString());
        StructType schema = da.schema();
        if (!schema.simpleString().equals(db.schema().simpleString())) {
            differences.add("table " + table + ": columns differ: " + leftName + " " + schema.simpleString() + ", "
                    + rightName + " " + db.schema().simpleString());
            return;
        }
        List<Row> a = da.collectAsList();
        List<Row> b = db.collectAsList();
        List<Integer> compared = new ArrayList<>();
        for (int i = 0; i < schema.fields().length; i++) {
            if (!TIMING_COLUMNS.contains(schema.fields()[i].name())) {
                compared.add(i);
            }
        }
        List<Integer> key = key(schema, a);
        Map<List<Object>, List<Row>> ga = group(a, key);
        Map<List<Object>, List<Row>> gb = group(b, key);
        Set<List<Object>> keys = new LinkedHashSet<>(ga.keySet());
        keys.addAll(gb.keySet());
        Comparator<Row> order = rowOrder(compared);
        for (List<Object> k : keys) {
            List<Row> ra = new ArrayList<>(ga.getOrDefault(k, List.of()));
            List<Row> rb = new ArrayList<>(gb.getOrDefault(k, List.of()));
            String where = "table " + table + ", row " + describe(schema, key, k);
            if (ra.size() != rb.size()) {
                differences.add(where + ": " + ra.size() + " row(s) in " + leftName + ", " + rb.size() + " in " + rightName);
                continue;
            }
            // Rows sharing a key (only when no key column set is unique) are lined up by all their values.
            ra.sort(order);
            rb.sort(order);
            for (int r = 0; r < ra.size(); r++) {
                rows++;
                for (int c : compared) {
                    Object x = ra.get(r).get(c);
                    Object y = rb.get(r).get(c);
                    double d = Cells.difference(x, y);
                    if (d > RELATIVE_TOLERANCE) {
                        differences.add(where + ", column " + schema.fields()[c].name() + ": " + leftName + " " + Cells.show(x)
                                + ", " + rightName + " " + Cells.show(y) + (Double.isFinite(d) ? " (relative difference " + d + ")" : ""));
                    } else {
                        worst = Math.max(worst, d);
                    }
                }
            }
        }
    }

    /**
     * The key rows are matched on: run_id (when there is one), then the other non-timing string, integer
     * and boolean columns in table order, as few as make the reference rows unique (all of them if none do).
     * Columns with one value throughout are left out: they separate no rows, and would only lengthen messages.
     */
    static List<Integer> key(StructType schema, List<Row> reference) {
        List<Integer> candidates = new ArrayList<>();
        StructField[] fields = schema.fields();
        for (int i = 0; i < fields.length; i++) {
            boolean discrete = DISCRETE.contains(fields[i].dataType()) && !TIMING_COLUMNS.contains(fields[i].name())
                    && group(reference, List.of(i)).size() > 1;
            if (discrete && "run_id".equals(fields[i].name())) {
                candidates.add(0, i);
            } else if (discrete) {
                candidates.add(i);
            }
        }
        for (int n = 0; n <= candidates.size(); n++) {
            List<Integer> prefix = candidates.subList(0, n);
            if (group(reference, prefix).size() == reference.size()) {
                return new ArrayList<>(prefix);
            }
        }
        return candidates;
    }

    private static Map<List<Object>, List<Row>> group(List<Row> rows, List<Integer> key) {
        Map<List<Object>, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            List<Object> k = new ArrayList<>();
            key.forEach(i -> k.add(r.get(i)));
            groups.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
        }
        return groups;
    }

    private static Comparator<Row> rowOrder(List<Integer> columns) {
        return (x, y) -> {
            for (int c : columns) {
                int o = Cells.ORDER.compare(x.get(c), y.get(c));
                if (o != 0) {
                    return o;
                }
            }
            return 0;
        };
    }

    private static String describe(StructType schema, List<Integer> key, List<Object> values) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            parts.add(schema.fields()[key.get(i)].name() + "=" + Cells.show(values.get(i)));
        }
        return "{" + String.join(", ", parts) + "}";
    }
}
