package io.depthscope.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task that fails once is retried by Spark; one that keeps failing is a "failed" run and the study finishes. */
class StudyFaultsTest {
    @TempDir
    Path dir;

    @Test
    void retriedTasksSucceedAndPersistentFailuresAreRecorded() throws Exception {
        StudyConfig config = StudyConfig.parse("""
                name = faults
                run { width = 8, dataset { n_train = 24, n_test = 8 }, steps = 5, hessian { probes = 2 } }
                grid { seed = [0, 1, 2, 3] }
                """);
        List<RunSpec> plan = config.plan();
        String out = dir.resolve("out").toString();
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
}
