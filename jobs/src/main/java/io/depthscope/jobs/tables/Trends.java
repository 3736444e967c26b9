package io.depthscope.jobs.tables;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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

    /** Trend rows of {@code values}, in the order their groups first appear; {@code groups} are the config columns but depth and seed. */
    public static List<Row> rows(List<RunMetric> values, List<String> groups) {
        // only finite values of runs that finished count
        Map<List<Object>, List<double[]>> byGroup = new LinkedHashMap<>();
        for (RunMetric v : values) {
            if (v.ok() && v.value() != null && Double.isFinite(v.value())) {
                double depth = ((Number) v.column("depth")).doubleValue();
                byGroup.computeIfAbsent(Summary.key(v, groups), k -> new ArrayList<>()).add(new double[] {depth, v.value()});
            }
        }
        List<Row> rows = new ArrayList<>();
        byGroup.forEach((key, points) -> {
            long depths = points.stream().mapToDouble(p -> p[0]).distinct().count();
            if (depths < MIN_DEPTHS) {
                return;
            }
            // sorted, the sums of the fit (and so their last bits) are a function of the points alone
            points.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
            double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
            double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
            rows.add(row(key, "linear", points.size(), depths, DepthFit.of(x, y)));
            if (Arrays.stream(y).allMatch(v -> v > 0)) {
                rows.add(row(key, "log", points.size(), depths, DepthFit.of(x, Arrays.stream(y).map(Math::log).toArray())));
            }
        });
        return rows;
    }

    private static Row row(List<Object> key, String scale, long n, long depths, DepthFit fit) {
        List<Object> v = new ArrayList<>(key);
        v.addAll(List.<Object>of(scale, n, depths));
        v.addAll(List.of(fit.slope(), fit.slopeStderr(), fit.slopeCiLow(), fit.slopeCiHigh(), fit.intercept(), fit.interceptStderr(),
                fit.pValue(), fit.r2()));
        return RowFactory.create(v.toArray());
    }

    /** The trends' columns: {@code groups} as typed in {@code config} (the runs table's config columns), then the fit. */
    public static StructType schema(List<StructField> config, List<String> groups) {
        List<StructField> fields = new ArrayList<>(Summary.pick(config, groups));
        fields.add(DataTypes.createStructField("metric", DataTypes.StringType, false));
        fields.add(DataTypes.createStructField("scale", DataTypes.StringType, false));
        fields.add(DataTypes.createStructField("n", DataTypes.LongType, false));
        fields.add(DataTypes.createStructField("n_depths", DataTypes.LongType, false));
        STATS.forEach(c -> fields.add(DataTypes.createStructField(c, DataTypes.DoubleType, true)));
        return DataTypes.createStructType(fields);
    }
}
