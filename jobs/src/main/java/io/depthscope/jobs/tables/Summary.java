package io.depthscope.jobs.tables;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Aggregates across seeds: for each group of config columns (every run field but the seed) and each
 * scalar metric, n, mean, sample standard deviation, standard error and a 95% confidence interval from
 * Student's t with n - 1 degrees of freedom. Runs that diverged or failed are counted, not averaged.
 */
public final class Summary {
    /** Metrics summarised, from the runs table and the final Hessian moments. */
    public static final List<String> METRICS = List.of("final_loss", "final_gradient_norm", "final_train_accuracy",
            "final_test_loss", "final_test_accuracy", "steps_to_target", "m1", "m2", "skewness", "kurtosis");

    /**
     * Per-run scalars from the diagnostics and Hessian tables, summarised and fitted like the others:
     * the NTK Gram's lambda_min at the first diagnostics step and its drift at the last; the per-example
     * gradient confusion (min cosine) at the first step; the ratio of the first map's per-example delta
     * to the last one's at the first step (below 1: gradients shrink towards the input); the largest
     * Hessian eigenvalue and |lambda_min|/lambda_max at the last Hessian step.
     */
    public static final List<String> DIAGNOSTIC_METRICS = List.of("ntk_lambda_min_init", "ntk_drift_final", "confusion_min_cosine_init",
            "delta_first_over_last_init", "hessian_lambda_max", "hessian_negative_to_positive_ratio");

    private Summary() {}

    /**
     * (run_id, metric, value) rows of {@link #DIAGNOSTIC_METRICS} from the tables under {@code out}; a
     * run without the diagnostic has no row. Each table is read as stored.
     */
    public static Dataset<Row> diagnosticValues(SparkSession spark, String out) {
        for (String t : List.of("ntk", "gradient_confusion", "layer_gradients", "hessian_top_eigenvalues")) {
            spark.read().parquet(out + "/" + t).createOrReplaceTempView("summary_" + t);
        }
        String first = "ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY step) AS k";
        String last = "ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY step DESC) AS k";
        return spark.sql(String.join(" UNION ALL ",
                "SELECT run_id, 'ntk_lambda_min_init' AS metric, lambda_min AS value FROM (SELECT *, " + first + " FROM summary_ntk) WHERE k = 1",
                "SELECT run_id, 'ntk_drift_final', drift FROM (SELECT *, " + last + " FROM summary_ntk) WHERE k = 1",
                "SELECT run_id, 'confusion_min_cosine_init', min_cosine FROM (SELECT *, " + first
                        + " FROM summary_gradient_confusion WHERE kind = 'per_example') WHERE k = 1",
                "SELECT run_id, 'delta_first_over_last_init', first_delta / last_delta FROM ("
                        + " SELECT run_id, step, MAX(CASE WHEN map = 0 THEN delta_rms_per_example END) AS first_delta,"
                        + " MAX_BY(delta_rms_per_example, map) AS last_delta, ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY step) AS k"
                        + " FROM summary_layer_gradients GROUP BY run_id, step) WHERE k = 1",
                "SELECT run_id, 'hessian_lambda_max', eigenvalue FROM (SELECT *, " + last
                        + " FROM summary_hessian_top_eigenvalues WHERE side = 'largest' AND rank = 1) WHERE k = 1",
                "SELECT run_id, 'hessian_negative_to_positive_ratio', negative_to_positive_ratio FROM (SELECT *, " + last
                        + " FROM summary_hessian_top_eigenvalues WHERE side = 'largest' AND rank = 1) WHERE k = 1"));
    }

    /** {@link #values} with the diagnostics' per-run scalars ({@link #diagnosticValues}) joined to their runs. */
    public static Dataset<Row> values(SparkSession spark, Dataset<Row> runs, Dataset<Row> moments, Dataset<Row> diagnostics,
            List<String> columns) {
        Dataset<Row> base = values(spark, runs, moments, columns);
        runs.createOrReplaceTempView("summary_runs_d");
        diagnostics.createOrReplaceTempView("summary_diagnostics");
        String c = columns.stream().map(x -> "r." + x).collect(Collectors.joining(", "));
        Dataset<Row> extra = spark.sql("SELECT " + c + ", r.run_id, r.status, d.metric,"
                + " CASE WHEN isnan(CAST(d.value AS DOUBLE)) THEN NULL ELSE CAST(d.value AS DOUBLE) END AS value"
                + " FROM summary_runs_d r JOIN summary_diagnostics d ON r.run_id = d.run_id");
        return base.unionByName(extra);
    }

    /**
     * One row per run and metric: the given config columns, {@code run_id}, {@code status}, {@code metric}
     * and {@code value} (null where absent), from the runs table and the Hessian moments at each run's last
     * step. Every statistic across runs starts from this table, so a new metric is added here only.
     */
    public static Dataset<Row> values(SparkSession spark, Dataset<Row> runs, Dataset<Row> moments, List<String> columns) {
        runs.createOrReplaceTempView("summary_runs");
        moments.createOrReplaceTempView("summary_moments");
        String c = columns.stream().map(x -> "r." + x).collect(Collectors.joining(", "));
        // NaN (no test set, regression accuracy) and steps_to_target = -1 (target not reached) are absent values
        String stack = METRICS.stream().map(m -> "'" + m + "', " + value(m)).collect(Collectors.joining(", "));
        return spark.sql("SELECT " + c + ", r.run_id, r.status, stack(" + METRICS.size() + ", " + stack + ") AS (metric, value) FROM ("
                + "  SELECT r.*, m.m1, m.m2, m.skewness, m.kurtosis"
                + "  FROM summary_runs r LEFT JOIN summary_moments m ON r.run_id = m.run_id AND m.step = r.steps_completed"
                + ") r");
    }

    /** Summary rows from {@link #values}; {@code groups} are config column names. */
    public static Dataset<Row> compute(SparkSession spark, Dataset<Row> values, List<String> groups) {
        values.createOrReplaceTempView("summary_values");
        String g = String.join(", ", groups);
        String sql = "SELECT " + g + ", metric, COUNT(value) AS n, AVG(value) AS mean, STDDEV_SAMP(value) AS std, "
                + "MAX(n_diverged) AS n_diverged, MAX(n_failed) AS n_failed FROM ("
                + "  SELECT *,"
                + "    SUM(CASE WHEN status = 'diverged' THEN 1 ELSE 0 END) OVER (PARTITION BY " + g + ", metric) AS n_diverged,"
                + "    SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) OVER (PARTITION BY " + g + ", metric) AS n_failed"
                + "  FROM summary_values"
                + ") WHERE status = 'ok' GROUP BY " + g + ", metric";
        Dataset<Row> grouped = spark.sql(sql);
        StructType in = grouped.schema();
        List<StructField> fields = new ArrayList<>();
        for (String c : groups) {
            fields.add(in.apply(c));
        }
        fields.add(DataTypes.createStructField("metric", DataTypes.StringType, false));
        fields.add(DataTypes.createStructField("n", DataTypes.LongType, false));
        fields.add(DataTypes.createStructField("n_diverged", DataTypes.LongType, true));
        fields.add(DataTypes.createStructField("n_failed", DataTypes.LongType, true));
        for (String c : List.of("mean", "std", "stderr", "ci95_low", "ci95_high")) {
            fields.add(DataTypes.createStructField(c, DataTypes.DoubleType, true));
        }
        List<Row> rows = new ArrayList<>();
        for (Row r : grouped.collectAsList()) {
            List<Object> cells = new ArrayList<>();
            for (String c : groups) {
                cells.add(r.getAs(c));
            }
            long n = r.<Long>getAs("n");
            Double mean = r.getAs("mean");
            Double std = r.getAs("std");
            cells.add(r.getAs("metric"));
            cells.add(n);
            cells.add(r.<Long>getAs("n_diverged"));
            cells.add(r.<Long>getAs("n_failed"));
            double[] stats = interval(n, mean == null ? Double.NaN : mean, std == null ? Double.NaN : std);
            for (double s : stats) {
                cells.add(s);
            }
            rows.add(RowFactory.create(cells.toArray()));
        }
        return spark.createDataFrame(rows, DataTypes.createStructType(fields));
    }

    private static String value(String metric) {
        String v = "CAST(" + metric + " AS DOUBLE)";
        String missing = "steps_to_target".equals(metric) ? v + " < 0" : "isnan(" + v + ")";
        return "CASE WHEN " + v + " IS NULL OR " + missing + " THEN NULL ELSE " + v + " END";
    }

    /** mean, std, stderr and the 95% t interval; std and the interval are NaN below two values. */
    public static double[] interval(long n, double mean, double std) {
        if (n < 2 || Double.isNaN(std)) {
            return new double[] {mean, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        }
        double se = std / Math.sqrt(n);
        double t = new TDistribution(null, n - 1).inverseCumulativeProbability(0.975);
        return new double[] {mean, std, se, mean - t * se, mean + t * se};
    }
}
