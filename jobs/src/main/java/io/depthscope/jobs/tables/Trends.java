package io.depthscope.jobs.tables;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How each metric changes with depth: for each group of runs that differ only in depth and seed, and each
 * metric with values at {@value #MIN_DEPTHS} depths or more, the line value = intercept + slope depth
 * ({@link DepthFit}), and the same line through log(value) when every value is positive, where
 * geometric growth or decay per layer (gradient norms, kurtosis) is a straight line.
 */
public final class Trends {
    /** Fewer distinct depths leave no residual degree of freedom (or no slope at all). */
    static final int MIN_DEPTHS = 3;
    private static final List<String> STATS = List.of("slope", "slope_stderr", "slope_ci95_low", "slope_ci95_high", "intercept",
            "intercept_stderr", "p_value", "r2");

    private Trends() {}

    /** Trend rows from {@link Summary#values}; {@code groups} are the config columns but depth and seed. */
    public static Dataset<Row> compute(SparkSession spark, Dataset<Row> values, List<String> groups) {
        List<Column> keys = new ArrayList<>();
        groups.forEach(c -> keys.add(col(c)));
        keys.add(col("metric"));
        // Only finite values of runs that finished count (NaN < Infinity is false in Spark SQL); each
        // (group, metric) with enough depths comes back as one row holding its points.
        List<Row> fits = values.filter("status = 'ok' AND value IS NOT NULL AND abs(value) < double('Infinity')")
                .groupBy(keys.toArray(Column[]::new))
                .agg(count("value").as("n"), countDistinct("depth").as("n_depths"), min("value").as("min"),
                        collect_list(struct(col("depth").cast("double").as("x"), col("value").as("y"))).as("points"))
                .filter(col("n_depths").geq(MIN_DEPTHS)).orderBy(keys.toArray(Column[]::new)).collectAsList();
        List<Row> rows = new ArrayList<>();
        fits.forEach(f -> rows.addAll(fit(f, groups)));
        return spark.createDataFrame(rows, schema(values.schema(), groups));
    }

    /** The linear row of one (group, metric), and the log one when every value is positive. */
    private static List<Row> fit(Row f, List<String> groups) {
        // collect_list keeps the order the shuffle delivered, which depends on how Spark scheduled the tasks: sorted,
        // the sums of the fit (and so their last bits) are a function of the points alone
        List<Row> points = new ArrayList<>(f.<Row>getList(f.fieldIndex("points")));
        points.sort(java.util.Comparator.<Row>comparingDouble(p -> p.getDouble(0)).thenComparingDouble(p -> p.getDouble(1)));
        double[] x = points.stream().mapToDouble(p -> p.getDouble(0)).toArray();
        double[] y = points.stream().mapToDouble(p -> p.getDouble(1)).toArray();
        List<Row> rows = new ArrayList<>();
        rows.add(row(f, groups, "linear", DepthFit.of(x, y)));
        if (f.<Double>getAs("min") > 0) {
            rows.add(row(f, groups, "log", DepthFit.of(x, Arrays.stream(y).map(Math::log).toArray())));
        }
        return rows;
    }

    private static Row row(Row f, List<String> groups, String scale, DepthFit fit) {
        List<Object> v = new ArrayList<>();
        groups.forEach(c -> v.add(f.getAs(c)));
        v.addAll(List.<Object>of(f.getAs("metric"), scale, f.<Long>getAs("n"), f.<Long>getAs("n_depths")));
        v.addAll(List.of(fit.slope(), fit.slopeStderr(), fit.slopeCiLow(), fit.slopeCiHigh(), fit.intercept(), fit.interceptStderr(),
                fit.pValue(), fit.r2()));
        return RowFactory.create(v.toArray());
    }

    private static StructType schema(StructType in, List<String> groups) {
        List<StructField> fields = new ArrayList<>();
        groups.forEach(c -> fields.add(in.apply(c)));
        fields.add(DataTypes.createStructField("metric", DataTypes.StringType, false));
        fields.add(DataTypes.createStructField("scale", DataTypes.StringType, false));
        fields.add(DataTypes.createStructField("n", DataTypes.LongType, false));
        fields.add(DataTypes.createStructField("n_depths", DataTypes.LongType, false));
        STATS.forEach(c -> fields.add(DataTypes.createStructField(c, DataTypes.DoubleType, true)));
        return DataTypes.createStructType(fields);
    }
}
