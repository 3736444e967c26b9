package io.depthscope.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthscope.jobs.orchestration.StudyJob;
import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench --study} on a 4-run study of a few steps: the figures agree with each other and with the
 * runs tables they come from. Not the goals: those are measurements, and a test machine is shared.
 */
@Tag("spark-study") // a study on local[1] and again on local[2]: left out of the fast path
class BenchStudyTest {
    static final String CONF = """
            name = bench-study-test
            run { width = 8, dataset { input_dim = 4, n_train = 16, n_test = 8 }, steps = 3, eval_every = 3, hessian { probes = 2 } }
            grid { seed = [0, 1, 2, 3] }
            """;

    @Test
    void figuresAgreeWithEachOtherAndWithTheRunsTables(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("study.conf");
        Files.writeString(conf, CONF);
        Path out = dir.resolve("out");
        Path json = dir.resolve("study.json");
        // the bench starts local[1], then local[2], and reports each; a live shared session would stand in for both
        SharedSpark.stop();
        Captured run = Captured.run("bench", "--study", "--study-config", conf.toString(),
                "--study-out", out.toString(), "--study-no-warm-up", "--json", json.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode r = new ObjectMapper().readTree(Files.readString(json));
        assertEquals("bench-study-test", r.get("study").asText());
        JsonNode serial = r.get("serial");
        JsonNode parallel = r.get("parallel");
        assertEquals("local[1]", serial.get("master").asText());
        assertEquals("local[2]", parallel.get("master").asText());
        double t1 = serial.get("wall_seconds").asDouble();
        double t2 = parallel.get("wall_seconds").asDouble();
        assertEquals(t1 / (2 * t2), r.get("efficiency").asDouble(), 1e-12);
        assertEquals(r.get("efficiency").asDouble() >= 0.9, r.get("efficiency_met").asBoolean());

        List<String> plan = StudyConfig.parse(CONF).plan().stream().map(RunSpec::runId).toList();
        SparkSession spark = SharedSpark.session();
        for (JsonNode m : List.of(serial, parallel)) {
            int slots = m.get("slots").asInt();
            double wall = m.get("wall_seconds").asDouble();
            double tasks = m.get("task_seconds").asDouble();
            assertEquals(4, m.get("runs").asInt());
            assertEquals(0, m.get("failed").asInt());
            assertEquals(tasks / 4, m.get("mean_task_seconds").asDouble(), 1e-12 * tasks);
            assertEquals((slots * wall - tasks) / tasks, m.get("overhead").asDouble(), 1e-9);
            // each trainer's clock runs inside the study's, at most `slots` at a time
            assertTrue(m.get("overhead").asDouble() >= 0, m.toString());
            // the tables are written after the tasks, inside the study's wall, and their share is part of the overhead
            double tablesSeconds = m.get("tables_seconds").asDouble();
            assertTrue(tablesSeconds > 0 && tablesSeconds < wall, m.toString());
            assertEquals(slots * tablesSeconds / tasks, m.get("tables_overhead").asDouble(), 1e-9);
            assertEquals(m.get("overhead").asDouble(), m.get("tables_overhead").asDouble() + m.get("task_overhead").asDouble(), 1e-9);

            List<Row> runs = StudyJob.read(spark, out.resolve("local-" + slots).toString(), Tables.RUNS).collectAsList();
            Set<String> ids = new HashSet<>();
            double sum = 0;
            for (Row row : runs) {
                ids.add(row.getAs("run_id"));
                sum += row.<Double>getAs("wall_seconds");
            }
            assertEquals(new HashSet<>(plan), ids);
            assertEquals(sum, tasks, 1e-12 * sum);
        }
        for (String shown : new String[] {"local[1]", "local[2]", "parallel efficiency T1 / (2 T2)", "goal >= 0.9", "goal <= 5%",
                "tasks >= 10 s"}) {
            assertTrue(run.out().contains(shown), "shows " + shown + ":\n" + run.out());
        }
    }

    /** {@code bench --study-scale} at 50 runs: the figures are consistent with each other and with the runs table. */
    @Test
    void scaleFiguresAreConsistent(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path json = dir.resolve("scale.json");
        SharedSpark.stop();
        Captured run = Captured.run("bench", "--study-scale", "50", "--study-scale-steps", "3", "--study-out", out.toString(),
                "--study-no-warm-up", "--json", json.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode r = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(50, r.get("runs").asInt());
        assertEquals(3, r.get("steps").asInt());
        assertEquals(2, r.get("slots").asInt());
        assertEquals(0, r.get("failed").asInt());
        double wall = r.get("wall_seconds").asDouble();
        double tasks = r.get("task_seconds").asDouble();
        double tables = r.get("tables_seconds").asDouble();
        double plan = r.get("plan_seconds").asDouble();
        assertTrue(plan > 0 && plan < wall && tables > 0 && tables < wall && tasks > 0 && tasks < 2 * wall, r.toString());
        assertEquals(1e3 * (2 * wall - tasks) / 50, r.get("task_overhead_ms").asDouble(), 1e-9);
        assertEquals(1e3 * (2 * (wall - tables) - tasks) / 50, r.get("task_overhead_without_tables_ms").asDouble(), 1e-9);
        assertEquals(r.get("task_overhead_ms").asDouble() <= 50, r.get("task_overhead_met").asBoolean());
        double restart = r.get("restart_seconds").asDouble();
        double restartTables = r.get("restart_tables_seconds").asDouble();
        assertTrue(restartTables > 0 && restartTables < restart, r.toString());
        assertEquals(restart - restartTables, r.get("scan_seconds").asDouble(), 1e-9);
        long peak = r.get("heap_peak_bytes").asLong();
        assertTrue(peak > 0 && peak <= r.get("heap_max_bytes").asLong() && peak <= r.get("heap_pool_peaks_bytes").asLong(), r.toString());
        assertTrue(r.get("gc_seconds").asDouble() >= 0, r.toString());

        // the restart ran nothing: the runs table holds each run once, with the trainer seconds of the first study
        List<Row> runs = StudyJob.read(SharedSpark.session(), out.resolve("scale").toString(), Tables.RUNS).collectAsList();
        assertEquals(50, runs.size());
        assertEquals(50, runs.stream().map(row -> row.<String>getAs("run_id")).distinct().count());
        assertEquals(tasks, runs.stream().mapToDouble(row -> row.<Double>getAs("wall_seconds")).sum(), 1e-12 * tasks);
        for (String shown : new String[] {"50 tiny runs", "per-task overhead", "goal <= 50 ms", "scan of the committed outcomes", "driver heap"}) {
            assertTrue(run.out().contains(shown), "shows " + shown + ":\n" + run.out());
        }
    }
}
