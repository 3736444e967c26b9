package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;

import io.depthscope.jobs.tables.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A study's Parquet tables (docs/tables.md) as written by {@code depthscope study}, and the joins the
 * notebooks and the report share. Statistics use runs with status {@code ok} only; the others are counted
 * in {@link #provenance()}.
 */
public final class StudyTables {
    private static final String WHAT = "a directory written by 'depthscope study' (runs/, train_curve/, hessian_moments/, summary/)";

    private final SparkSession spark;
    private final String dir;
    private final Dataset<Row> runs;
    /** The runs table on the driver, read once: one row per run, small next to any other table. */
    private List<Row> runRows;

    private StudyTables(SparkSession spark, String dir) {
        this.spark = spark;
        this.dir = dir;
        this.runs = table(Tables.RUNS);
    }

    /** The tables under {@code dir} (any Hadoop path); fails with one line when it holds no study. */
    public static StudyTables open(SparkSession spark, String dir) {
        if (!exists(spark, new Path(dir))) {
            throw new IllegalArgumentException("study dir: '" + dir + "' does not exist; allowed: " + WHAT);
        }
        return new StudyTables(spark, dir);
    }

    /**
     * Every finished study directly under {@code root} (its trends table, the last one a study writes, committed), in name order: the
     * studies of one output root, as the pooled cross-explanation table reads them. A study still being written is left out.
     */
    public static List<StudyTables> under(SparkSession spark, String root) {
        Path r = new Path(root);
        try {
            FileSystem fs = r.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(r)) {
                throw new IllegalArgumentException("output root: '" + root + "' does not exist; allowed: a directory of study dirs");
            }
            List<String> dirs = new ArrayList<>();
            for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(r)) {
                if (st.isDirectory() && fs.exists(new Path(st.getPath(), Tables.TRENDS + "/_SUCCESS"))
                        && fs.exists(new Path(st.getPath(), Tables.RUNS))) {
                    dirs.add(st.getPath().toString());
                }
            }
            java.util.Collections.sort(dirs);
            return dirs.stream().map(d -> new StudyTables(spark, d)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    public SparkSession spark() {
        return spark;
    }

    public String dir() {
        return dir;
    }

    public Dataset<Row> runs() {
        return runs;
    }

    /** Whether the study has a table of this name (a study written before a table existed has none). */
    public boolean has(String name) {
        return exists(spark, new Path(dir, name));
    }

    /** Any table of the study by name (tables other studies add included). */
    public Dataset<Row> table(String name) {
        Path path = new Path(dir, name);
        if (!exists(spark, path)) {
            throw new IllegalArgumentException("study dir: '" + dir + "' has no " + name + " table (" + path + "); allowed: " + WHAT);
        }
        return spark.read().parquet(path.toString());
    }

    /**
     * Every row of the runs table, collected once. The descriptions of a study (its name, provenance, the
     * values its runs take) are read from here rather than by one Spark job each.
     */
    public synchronized List<Row> runRows() {
        if (runRows == null) {
            runRows = List.copyOf(runs.collectAsList());
        }
        return runRows;
    }

    /** The runs with status {@code ok}, from {@link #runRows()}. */
    public List<Row> okRunRows() {
        return runRows().stream().filter(r -> "ok".equals(r.getAs("status"))).toList();
    }

    /** The distinct values of a runs column over the ok runs, as {@link #distinct} gives them, without a Spark job. */
    public List<String> okValues(String column) {
        return RowValues.distinct(okRunRows(), column);
    }

    /** The largest depth at which ok runs of two archs or more exist (plain and residual arms), or -1. */
    public int deepestDepthWithTwoArchs() {
        Map<Integer, Set<Object>> archs = new HashMap<>();
        for (Row r : okRunRows()) {
            if (!r.isNullAt(r.fieldIndex("depth")) && !r.isNullAt(r.fieldIndex("arch"))) {
                archs.computeIfAbsent(r.<Integer>getAs("depth"), k -> new HashSet<>()).add(r.getAs("arch"));
            }
        }
        return archs.entrySet().stream().filter(e -> e.getValue().size() >= 2).mapToInt(Map.Entry::getKey).max().orElse(-1);
    }

    /** {@link #okValues} joined by ", ", for the sentences that describe a study. */
    public String values(String column) {
        return String.join(", ", okValues(column));
    }

    /** The name in the runs table's {@code study} column; a directory holds exactly one study. */
    public String study() {
        List<String> names = RowValues.distinct(runRows(), "study");
        if (names.size() != 1) {
            throw new IllegalArgumentException("study dir: '" + dir + "' has runs.study = " + names + "; allowed: exactly one study name");
        }
        return names.get(0);
    }

    public Dataset<Row> okRuns() {
        return runs.where(col("status").equalTo("ok"));
    }

    /** Every evaluated step of the ok runs, with the runs' columns beside it. */
    public Dataset<Row> curves() {
        return okRuns().join(table(Tables.TRAIN_CURVE), "run_id");
    }

    /** The ok runs with their Hessian moments at the last step (as the summary table takes them). */
    public Dataset<Row> finalMoments() {
        return atLastStep(Tables.HESSIAN_MOMENTS);
    }

    /** The ok runs joined with a per-run, per-step table's rows at the run's last step, the runs' columns first. */
    private Dataset<Row> atLastStep(String table) {
        Dataset<Row> r = okRuns().alias("r");
        Dataset<Row> t = table(table).alias("t");
        List<Column> columns = new ArrayList<>(List.of(col("r.*")));
        for (String c : t.columns()) {
            // run_id and param_count are already the run's
            if (!c.equals("run_id") && !c.equals("param_count")) {
                columns.add(col("t." + c));
            }
        }
        return r.join(t, col("r.run_id").equalTo(col("t.run_id")).and(col("t.step").equalTo(col("r.steps_completed"))))
                .select(columns.toArray(Column[]::new));
    }

    /**
     * The ok runs with their hessian_spectrum row (the dimension-controlled measures) at the last step, beside that step's
     * kurtosis and skewness from hessian_moments when the study has them.
     */
    public Dataset<Row> finalSpectrum() {
        Dataset<Row> joined = atLastStep(Tables.HESSIAN_SPECTRUM);
        if (!has(Tables.HESSIAN_MOMENTS)) {
            return joined.withColumn("kurtosis", org.apache.spark.sql.functions.lit(null).cast("double"))
                    .withColumn("skewness", org.apache.spark.sql.functions.lit(null).cast("double"));
        }
        Dataset<Row> m = table(Tables.HESSIAN_MOMENTS).select(col("run_id").as("m_run"), col("step").as("m_step"), col("kurtosis"),
                col("skewness"));
        return joined.join(m, joined.col("run_id").equalTo(m.col("m_run")).and(joined.col("step").equalTo(m.col("m_step"))), "left")
                .drop("m_run", "m_step");
    }

    /** The distinct values of a column, as strings in order (null as "null"). */
    public static List<String> distinct(Dataset<Row> rows, String column) {
        List<String> out = new ArrayList<>();
        for (Row r : rows.select(col(column)).distinct().orderBy(col(column)).collectAsList()) {
            out.add(String.valueOf(r.get(0)));
        }
        return out;
    }

    public StudyProvenance provenance() {
        return StudyProvenance.of(runRows());
    }

    private static boolean exists(SparkSession spark, Path path) {
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            return fs.exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look at " + path, e);
        }
    }
}
