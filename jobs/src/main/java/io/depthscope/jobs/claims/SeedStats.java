package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.stddev_samp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Means across seeds with 95% t intervals, aggregated in Spark, one {@link Series} per group. */
public final class SeedStats {
    private SeedStats() {}

    /**
     * Groups {@code rows} by the SQL expression {@code seriesExpr} (the line, e.g. {@code arch}) and the
     * column {@code x} (e.g. {@code depth} or {@code step}), and gives each group's mean of {@code value}
     * across its rows (one per seed) with the t interval. Null and NaN values are left out, not counted.
     */
    public static List<Series> series(Dataset<Row> rows, String seriesExpr, String x, String value) {
        List<Row> groups = rows.where(col(value).isNotNull().and(not(col(value).isNaN())))
                .groupBy(expr(seriesExpr).cast("string").as("series"), col(x).cast("double").as("x"))
                .agg(count(col(value)).as("n"), avg(col(value)).as("mean"), stddev_samp(col(value)).as("std"))
                .collectAsList();
        // ordered here, not by orderBy: the groups are few, and a global sort costs Spark two more jobs
        groups = new ArrayList<>(groups);
        groups.sort(Comparator.comparing((Row r) -> r.<String>getAs("series"), Comparator.nullsFirst(RowValues::compareUtf8))
                .thenComparing(r -> r.<Double>getAs("x"), Comparator.nullsFirst(Double::compare)));
        Map<String, List<Series.Point>> bySeries = new LinkedHashMap<>();
        for (Row r : groups) {
            Double std = r.getAs("std");
            Interval y = Interval.of(r.<Long>getAs("n"), r.<Double>getAs("mean"), std == null ? Double.NaN : std);
            bySeries.computeIfAbsent(r.getAs("series"), k -> new ArrayList<>()).add(new Series.Point(r.<Double>getAs("x"), y));
        }
        List<Series> out = new ArrayList<>();
        bySeries.forEach((name, points) -> out.add(new Series(name, points)));
        return out;
    }
}
