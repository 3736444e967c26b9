package io.depthscope.jobs.tables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Aggregates across seeds: for each group of config columns (every run field but the seed) and each
 * metric of {@link RunMetrics}, n, mean, sample standard deviation, standard error and a 95% confidence
 * interval from Student's t with n - 1 degrees of freedom. Runs that diverged or failed are counted, not
 * averaged; a group with no run that finished has no row.
 */
public final class Summary {
    private Summary() {}

    /** Summary rows of {@code values}, in the order their groups first appear; {@code groups} are config column names. */
    public static List<Row> rows(List<RunMetric> values, List<String> groups) {
        Map<List<Object>, List<RunMetric>> byGroup = new LinkedHashMap<>();
        for (RunMetric v : values) {
            byGroup.computeIfAbsent(key(v, groups), k -> new ArrayList<>()).add(v);
        }
        List<Row> rows = new ArrayList<>();
        byGroup.forEach((key, group) -> {
            if (group.stream().noneMatch(RunMetric::ok)) {
                return;
            }
            double[] ok = group.stream().filter(v -> v.ok() && v.value() != null).mapToDouble(RunMetric::value).toArray();
            List<Object> cells = new ArrayList<>(key);
            cells.add((long) ok.length);
            cells.add(group.stream().filter(v -> "diverged".equals(v.status())).count());
            cells.add(group.stream().filter(v -> "failed".equals(v.status())).count());
            for (double s : interval(ok.length, mean(ok), std(ok))) {
                cells.add(s);
            }
            rows.add(RowFactory.create(cells.toArray()));
        });
        return rows;
    }

    /** The summary's columns: {@code groups} as typed in {@code config} (the runs table's config columns), then the statistics. */
    public static StructType schema(List<StructField> config, List<String> groups) {
        List<StructField> fields = new ArrayList<>(pick(config, groups));
        fields.add(DataTypes.createStructField("metric", DataTypes.StringType, false));
        fields.add(DataTypes.createStructField("n", DataTypes.LongType, false));
        fields.add(DataTypes.createStructField("n_diverged", DataTypes.LongType, true));
        fields.add(DataTypes.createStructField("n_failed", DataTypes.LongType, true));
        for (String c : List.of("mean", "std", "stderr", "ci95_low", "ci95_high")) {
            fields.add(DataTypes.createStructField(c, DataTypes.DoubleType, true));
        }
        return DataTypes.createStructType(fields);
    }

    /** The values of {@code groups} in {@code v}'s config, then its metric: the key of its group. */
    static List<Object> key(RunMetric v, List<String> groups) {
        List<Object> key = new ArrayList<>(groups.size() + 1);
        groups.forEach(g -> key.add(v.column(g)));
        key.add(v.metric());
        return key;
    }

    /** The fields named {@code names}, in that order. */
    static List<StructField> pick(List<StructField> fields, List<String> names) {
        List<StructField> out = new ArrayList<>();
        for (String n : names) {
            out.add(fields.stream().filter(f -> f.name().equals(n)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no config column " + n)));
        }
        return out;
    }

    /** The mean (the sum in order, over the count, as Spark SQL's AVG); NaN for no values. */
    static double mean(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return x.length == 0 ? Double.NaN : sum / x.length;
    }

    /**
     * The sample standard deviation, by the running update of Spark SQL's STDDEV_SAMP (its CentralMomentAgg), so the
     * summary's digits are those the SQL version of this class wrote; NaN below two values.
     */
    static double std(double[] x) {
        if (x.length < 2) {
            return Double.NaN;
        }
        double n = 0;
        double avg = 0;
        double m2 = 0;
        for (double v : x) {
            n += 1;
            double delta = v - avg;
            double deltaN = delta / n;
            avg += deltaN;
            m2 += delta * (delta - deltaN);
        }
        return Math.sqrt(m2 / (n - 1));
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
