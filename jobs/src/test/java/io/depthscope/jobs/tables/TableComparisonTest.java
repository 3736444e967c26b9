package io.depthscope.jobs.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.jobs.spark.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The comparison the cluster test relies on: it must find every kind of difference, and only those. */
@Tag("spark") // Spark SQL over tables written in the test: the full suite, not the fast path
@ExtendWith(SharedSpark.class)
class TableComparisonTest {
    static final StructType CURVE = DataTypes.createStructType(List.of(
            DataTypes.createStructField("run_id", DataTypes.StringType, true),
            DataTypes.createStructField("step", DataTypes.IntegerType, true),
            DataTypes.createStructField("loss", DataTypes.DoubleType, true),
            DataTypes.createStructField("status", DataTypes.StringType, true),
            DataTypes.createStructField("sizes", DataTypes.createArrayType(DataTypes.IntegerType), true),
            DataTypes.createStructField("seconds", DataTypes.DoubleType, true)));
    /** No key column set is unique here: rows differ only in a double (as summary rows of an lr grid do). */
    static final StructType SUMMARY = DataTypes.createStructType(List.of(
            DataTypes.createStructField("metric", DataTypes.StringType, true),
            DataTypes.createStructField("lr", DataTypes.DoubleType, true),
            DataTypes.createStructField("mean", DataTypes.DoubleType, true)));

    static SparkSession spark;
    @TempDir
    Path dir;

    @BeforeAll
    static void start(SparkSession shared) {
        spark = shared;
    }

    static Object[][] curve() {
        return new Object[][] {
            {"a", 0, 1.0, "ok", List.of(3, 4), 0.5},
            {"a", 10, 0.25, "ok", List.of(3, 4), 0.9},
            {"b", 0, Double.NaN, "diverged", List.of(5), 0.1},
            {"b", 10, 2e-300, null, List.of(), 0.2},
        };
    }

    Path write(String name, StructType schema, Object[][] rows) {
        Path out = dir.resolve(name);
        List<Row> list = Arrays.stream(rows).map(r -> {
            Object[] v = r.clone();
            for (int i = 0; i < v.length; i++) {
                if (v[i] instanceof List<?> l) {
                    v[i] = scala.jdk.javaapi.CollectionConverters.asScala(l).toSeq();
                }
            }
            return RowFactory.create(v);
        }).toList();
        spark.createDataFrame(list, schema).coalesce(1).write().parquet(out.resolve(schema == CURVE ? "curve" : "summary").toString());
        return out;
    }

    String differences(Object[][] changed) {
        Path left = write("left", CURVE, curve());
        Path right = write("right", CURVE, changed);
        return assertThrows(AssertionError.class, () -> TableComparison.assertSameTables(spark, "local", left, "cluster", right))
                .getMessage();
    }

    @Test
    void equalTablesPassWithNaNsNullsReorderedRowsAndDifferentTimings() throws Exception {
        Object[][] other = curve();
        List<Object[]> reversed = Arrays.asList(other);
        java.util.Collections.reverse(reversed);
        for (Object[] r : other) {
            r[5] = (Double) r[5] + 100;
        }
        other[0][2] = (Double) other[0][2] * (1 + 1e-12);
        Path left = write("left", CURVE, curve());
        Files.createDirectories(left.resolve("checkpoints/a"));
        Files.writeString(left.resolve("checkpoints/a/spec.json"), "{}");
        TableComparison.Report report = TableComparison.assertSameTables(spark, "local", left, "cluster", write("right", CURVE, other));
        assertEquals(List.of("curve"), report.tables());
        assertEquals(4, report.rows());
        assertTrue(report.maxRelativeDifference() > 0 && report.maxRelativeDifference() < 1e-11, "" + report.maxRelativeDifference());
    }

    @Test
    void aNumberBeyondTheToleranceIsNamedWithTableKeyColumnAndBothValues() {
        Object[][] changed = curve();
        changed[1][2] = 0.25 * (1 + 1e-8);
        String m = differences(changed);
        assertTrue(m.contains("table curve, row {run_id='a', step=10}, column loss: local 0.25, cluster 0.2500000025"), m);
        assertTrue(m.startsWith("1 difference(s)"), m);
    }

    @Test
    void nanAgainstANumberNullAgainstAValueAStringAndAnArrayAreDifferences() {
        Object[][] changed = curve();
        changed[2][2] = 1.0;
        changed[3][3] = "ok";
        changed[0][3] = "failed";
        changed[3][4] = List.of(7);
        String m = differences(changed);
        assertTrue(m.contains("row {run_id='b', step=0}, column loss: local NaN, cluster 1.0"), m);
        assertTrue(m.contains("row {run_id='b', step=10}, column status: local null, cluster 'ok'"), m);
        assertTrue(m.contains("row {run_id='a', step=0}, column status: local 'ok', cluster 'failed'"), m);
        assertTrue(m.contains("row {run_id='b', step=10}, column sizes: local [], cluster [7]"), m);
    }

    /** A run's row written twice: what StandaloneClusterIT relies on to catch a run committed twice. */
    @Test
    void aRowWrittenTwiceIsADifference() {
        Object[][] twice = Arrays.copyOf(curve(), curve().length + 1);
        twice[twice.length - 1] = curve()[1];
        String d = differences(twice);
        assertTrue(d.contains("table curve, row {run_id='a', step=10}: 1 row(s) in local, 2 in cluster"), d);
    }

    @Test
    void aMissingRowAndAMissingTableAreDifferences() throws Exception {
        Object[][] fewer = Arrays.copyOf(curve(), 3);
        String m = differences(fewer);
        assertTrue(m.contains("table curve, row {run_id='b', step=10}: 1 row(s) in local, 0 in cluster"), m);


        Path left = write("left2", CURVE, curve());
        Path right = write("right2", CURVE, curve());
        write("left2", SUMMARY, new Object[][] {{"m1", 0.1, 1.0}});
        String missing = assertThrows(AssertionError.class,
                () -> TableComparison.assertSameTables(spark, "local", left, "cluster", right)).getMessage();
        assertTrue(missing.contains("tables differ: local has [curve, summary], cluster has [curve]"), missing);
    }

    @Test
    void numbersAreSameToARelativeOneInABillionWithNaNEqualToNaN() {
        assertTrue(TableComparison.same(Double.NaN, Double.NaN));
        assertTrue(TableComparison.same(-3e-200, -3e-200 * (1 + 5e-10)));
        assertTrue(TableComparison.same(0.0, -0.0));
        assertTrue(!TableComparison.same(1.0, 1.0 + 2e-9));
        assertTrue(!TableComparison.same(1e-300, 0.0), "relative, with no absolute floor");
        assertTrue(!TableComparison.same(Double.NaN, 0.0));
        assertTrue(!TableComparison.same(Double.POSITIVE_INFINITY, Double.MAX_VALUE));
    }

    @Test
    void rowsWithoutAUniqueKeyAreLinedUpByTheirValues() {
        Object[][] rows = {{"m1", 0.1, 1.0}, {"m1", 0.01, 2.0}, {"m2", 0.1, 3.0}};
        Object[][] shuffled = {{"m2", 0.1, 3.0}, {"m1", 0.1, 1.0}, {"m1", 0.01, 2.0}};
        Path left = write("left", SUMMARY, rows);
        assertEquals(3, TableComparison.assertSameTables(spark, "local", left, "cluster", write("right", SUMMARY, shuffled)).rows());

        Object[][] changed = {{"m1", 0.1, 1.0}, {"m1", 0.01, 2.5}, {"m2", 0.1, 3.0}};
        String m = assertThrows(AssertionError.class,
                () -> TableComparison.assertSameTables(spark, "local", left, "cluster", write("changed", SUMMARY, changed))).getMessage();
        assertTrue(m.contains("table summary, row {metric='m1'}, column mean: local 2.0, cluster 2.5"), m);
    }
}
