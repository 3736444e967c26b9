package io.depthscope.jobs.claims;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Where a study's numbers came from, from its runs table: the runs by status, the seeds, and every
 * distinct code version, backend, dtype, Spark and Java version, OS and CPU among them (a study resumed
 * after a rebuild can mix code versions; all of them are shown).
 */
public record StudyProvenance(long runs, Map<String, Long> byStatus, long seeds, Map<String, List<String>> values) {
    static final List<String> COLUMNS = List.of("code_version", "backend", "dtype", "spark_version", "java_version", "os", "cpu_arch");

    /** From the rows of a runs table (already on the driver: one row per run). */
    public static StudyProvenance of(List<Row> runs) {
        Map<String, Long> byStatus = new LinkedHashMap<>();
        for (String status : RowValues.distinct(runs, "status")) {
            byStatus.put(status, runs.stream().filter(r -> status.equals(String.valueOf((Object) r.getAs("status")))).count());
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String c : COLUMNS) {
            values.put(c, RowValues.distinct(runs, c));
        }
        long seeds = RowValues.distinct(runs, "seed").size();
        return new StudyProvenance(runs.size(), byStatus, seeds, values);
    }

    /** One line per item, "name: value[, value]". */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("runs: " + runs + " " + byStatus.toString().replace("{", "(").replace("}", ")") + ", " + seeds + " seeds");
        values.forEach((k, v) -> out.add(k + ": " + String.join(", ", v)));
        return out;
    }

    @Override
    public String toString() {
        return String.join("\n", lines());
    }
}
