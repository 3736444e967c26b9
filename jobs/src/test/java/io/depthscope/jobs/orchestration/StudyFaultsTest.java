package io.depthscope.jobs.orchestration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.jobs.spark.SparkSessions;
import io.depthscope.jobs.storage.CommitStore;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that fails once is retried by Spark; one that keeps failing is a "failed" run and the study
 * finishes; a restart keeps the failure unless asked to retry it, and a retry gives the clean numbers.
 */
@Tag("spark-study") // five studies with injected faults: left out of the fast path
class StudyFaultsTest {
    @TempDir
    Path dir;
    /** The {@link #SMALL} study without faults, run once for the tests that compare with it. */
    @TempDir
    static Path shared;
    private static String clean;

    @Test
    void retriedTasksSucceedAndPersistentFailuresAreRecorded() throws Exception {
        StudyConfig config = StudyConfig.parse("""
                name = faults
                run { width = 8, dataset { n_train = 24, n_test = 8 }, steps = 5, hessian { probes = 2 } }
                grid { seed = [0, 1, 2, 3] }
                """);
        List<RunSpec> plan = config.plan();
        String out = dir.resolve("out").toString();
        // task retries (local[N,F]) are a static setting, which the shared session would ignore: a session of its own
        SharedSpark.stop();
        try (SparkSession spark = SparkSessions.create("local[2,2]", "StudyFaultsTest")) {
            assertEquals(2, StudyJob.maxTaskFailures(spark));
            StudyJob.Result result = StudyJob.run(spark, config, out, new FaultInjection(1, 2, null));
            assertEquals(1, result.failed());
            assertTrue(Files.exists(dir.resolve("out/_faults/failed-once-1")), "run 1 did fail once");
            for (Row r : StudyJob.read(spark, out, Tables.RUNS).collectAsList()) {
                String id = r.getAs("run_id");
                if (id.equals(plan.get(2).runId())) {
                    assertEquals("failed", r.getAs("status"));
                    assertTrue(((String) r.getAs("error")).contains("injected fault") && ((String) r.getAs("error")).contains("attempt 2 of 2"),
                            (String) r.getAs("error"));
                } else {
                    assertEquals("ok", r.getAs("status"), id);
                }
            }
            Row summary = StudyJob.read(spark, out, Tables.SUMMARY).filter("metric = 'final_loss'").first();
            assertEquals(3L, summary.<Long>getAs("n"));
            assertEquals(1L, summary.<Long>getAs("n_failed"));
        }
    }

    private static final String SMALL = """
            name = retry
            run { width = 8, dataset { n_train = 24, n_test = 8 }, steps = 5, hessian { probes = 4, probes_per_block = 2 } }
            grid { seed = [0, 1, 2] }
            """;

    private static synchronized String clean(SparkSession spark) {
        if (clean == null) {
            String out = shared.resolve("clean").toString();
            StudyJob.run(spark, StudyConfig.parse(SMALL), out);
            clean = out;
        }
        return clean;
    }

    @AfterAll
    static void forgetClean() {
        clean = null; // its directory goes with the class
    }

    @Test
    void retryFailedRunsAgainOnlyWhatFailedAndGivesTheCleanNumbers() throws Exception {
        StudyConfig config = StudyConfig.parse(SMALL);
        String id = config.plan().get(1).runId();
        String out = dir.resolve("out").toString();
        SparkSession spark = SharedSpark.session();
        String clean = clean(spark);
        assertEquals(1, StudyJob.run(spark, config, out, new FaultInjection(-1, 1, null)).failed());
        // a plain restart keeps the failure: nothing runs again
        long before = outcomeModified(out, config.plan().get(0).runId());
        assertEquals(1, StudyJob.run(spark, config, out).failed());
        StudyJob.Result retried = StudyJob.run(spark, config, out, FaultInjection.none(), true);
        assertEquals(0, retried.failed());
        assertEquals(before, outcomeModified(out, config.plan().get(0).runId()), "a run that finished is not run again");
        assertSameNumbers(spark, clean, out, 3);
        assertNull(runRow(spark, out, id).getAs("error"));
    }

    @Test
    void retryFailedRecomputesAFailedHessianPiece() throws Exception {
        StudyConfig config = StudyConfig.parse(SMALL);
        String id = config.plan().get(2).runId();
        String out = dir.resolve("out").toString();
        SparkSession spark = SharedSpark.session();
        String clean = clean(spark);
        StudyJob.run(spark, config, out);
        // the piece holding probes 2-3 of run 2 is replaced by the error its last attempt would have committed
        CommitStore<HessianPhase.PieceOutcome> pieces = HessianPhase.pieceStore(out);
        String key = pieces.finished().stream().filter(k -> k.startsWith(id + ".")).sorted().toList().get(1);
        HessianPhase.PieceOutcome good = pieces.load(key);
        pieces.delete(key);
        pieces.save(key, new HessianPhase.PieceOutcome(good.task(), null, 0, "java.lang.OutOfMemoryError (attempt 4 of 4)", 1.0));

        StudyJob.run(spark, config, out);
        assertTrue(((String) runRow(spark, out, id).getAs("error")).contains("OutOfMemoryError"));
        assertEquals(0, StudyJob.read(spark, out, Tables.HESSIAN_MOMENTS).filter("run_id = '" + id + "'").count(),
                "a step with a failed piece has no moments");

        StudyJob.run(spark, config, out, FaultInjection.none(), true);
        assertNull(runRow(spark, out, id).getAs("error"));
        assertSameNumbers(spark, clean, out, 3);
    }

    private static long outcomeModified(String out, String runId) {
        return Path.of(out, "_outcomes", runId + ".outcome").toFile().lastModified();
    }

    private static Row runRow(SparkSession spark, String out, String runId) {
        return StudyJob.read(spark, out, Tables.RUNS).filter("run_id = '" + runId + "'").first();
    }

    /** Every run's final loss and Hessian moments equal the clean study's, each run once. */
    private static void assertSameNumbers(SparkSession spark, String clean, String out, int runs) {
        for (String table : List.of(Tables.RUNS, Tables.HESSIAN_MOMENTS)) {
            String column = table.equals(Tables.RUNS) ? "final_loss" : "m2";
            Map<String, Double> expected = new HashMap<>();
            StudyJob.read(spark, clean, table).collectAsList().forEach(r -> expected.put(r.getAs("run_id"), r.<Double>getAs(column)));
            List<Row> got = StudyJob.read(spark, out, table).collectAsList();
            assertEquals(runs, got.size(), table + ": one row per run");
            for (Row r : got) {
                assertEquals(expected.get(r.<String>getAs("run_id")), r.<Double>getAs(column), 0.0, table + " " + column);
            }
        }
    }
}
