package io.depthscope.jobs.orchestration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.jobs.spark.ChildJvm;
import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.study.StudyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real study process (SIGKILL, mid-phase) and starts it again: every finished run is kept, only
 * the others run, and no table holds a row twice.
 */
@Tag("spark-study") // a study process killed and restarted: left out of the fast path
class StudyRestartTest {
    static final String CONF = """
            name = restart
            run { width = 16, depth = 3, dataset { n_train = 64, n_test = 32 }, steps = 40, eval_every = 10, hessian { probes = 4 } }
            grid { seed = [0, 1, 2, 3, 4, 5, 6, 7] }
            """;
    /**
     * The run whose first attempt waits (FaultInjection's pause) until the process is killed: a run is sure to be cut off
     * mid-way, however fast the others finish (with 300-step runs timed by the clock this test took 43 s idle, 90 s in CI).
     */
    static final int PAUSED = 2;

    @TempDir
    Path dir;

    @Test
    void aKilledStudyKeepsWhatItFinishedAndRedoesOnlyTheRest() throws Exception {
        Path conf = dir.resolve("restart.conf");
        Files.writeString(conf, CONF);
        Path out = dir.resolve("out");
        Path outcomes = out.resolve("_outcomes");

        ProcessBuilder pb = ChildJvm.of("io.depthscope.jobs.cli.Main", List.of("study", conf.toString(), "--out", out.toString(), "--master",
                "local[2]", "--pause-task-once", Integer.toString(PAUSED))).redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile());
        Process first = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        Path paused = out.resolve("_faults/paused-once-" + PAUSED);
        while (committed(outcomes).size() < 2 || !Files.exists(paused)) {
            assertTrue(first.isAlive(), "the study ended before it could be killed: " + Files.readString(dir.resolve("first.log")));
            assertTrue(System.nanoTime() < deadline, "no run finished in time: " + Files.readString(dir.resolve("first.log")));
            Thread.sleep(100);
        }
        first.destroyForcibly();
        assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        Map<String, FileTime> before = committed(outcomes);
        assertTrue(before.size() < 8, "killed before every run finished: " + before.size());
        assertTrue(!before.containsKey(StudyConfig.load(conf.toFile()).plan().get(PAUSED).runId()), "the paused run had not finished");

        StudyConfig config = StudyConfig.load(conf.toFile());
        // What a write cut off by the kill leaves (whether this kill cut one off is a matter of timing): swept by the restart.
        String pausedRun = config.plan().get(PAUSED).runId();
        Files.createDirectories(out.resolve("checkpoints").resolve(pausedRun));
        Files.writeString(out.resolve("checkpoints").resolve(pausedRun).resolve(".spec.json." + UUID.randomUUID() + ".tmp"), "cut off");
        Files.writeString(outcomes.resolve("." + pausedRun + ".outcome." + UUID.randomUUID() + ".tmp"), "cut off");
        SparkSession spark = SharedSpark.session();
        StudyJob.run(spark, config, out.toString());
        try (Stream<Path> all = Files.walk(out)) {
            assertEquals(List.of(), all.map(p -> out.relativize(p).toString()).filter(n -> n.endsWith(".tmp") || n.endsWith(".tmp.crc")).toList(),
                    "no temporary file of a killed attempt is left");
        }
        Map<String, FileTime> after = committed(outcomes);
        for (Map.Entry<String, FileTime> e : before.entrySet()) {
            assertEquals(e.getValue(), after.get(e.getKey()), "run " + e.getKey() + " was finished before the kill and is not run again");
        }
        Set<String> planned = new HashSet<>();
        config.plan().forEach(s -> planned.add(s.runId()));
        assertEquals(planned, after.keySet());

        List<Row> runs = StudyJob.read(spark, out.toString(), Tables.RUNS).collectAsList();
        assertEquals(8, runs.size());
        Set<String> ids = new HashSet<>();
        runs.forEach(r -> ids.add(r.getAs("run_id")));
        assertEquals(planned, ids, "every run once");
        assertTrue(runs.stream().allMatch(r -> "ok".equals(r.getAs("status"))));
        List<Row> curve = StudyJob.read(spark, out.toString(), Tables.TRAIN_CURVE).collectAsList();
        Set<String> keys = new HashSet<>();
        curve.forEach(r -> keys.add(r.getAs("run_id") + "@" + r.getAs("step")));
        assertEquals(8 * 5, curve.size());
        assertEquals(curve.size(), keys.size(), "no curve row twice");
        assertEquals(8, StudyJob.read(spark, out.toString(), Tables.HESSIAN_MOMENTS).select("run_id").distinct().count());
        assertEquals(8, StudyJob.read(spark, out.toString(), Tables.HESSIAN_MOMENTS).count());
    }

    /** Committed outcome files (run id to modification time); a killed attempt's temporary file is not one. */
    private static Map<String, FileTime> committed(Path outcomes) throws Exception {
        Map<String, FileTime> m = new HashMap<>();
        if (!Files.isDirectory(outcomes)) {
            return m;
        }
        try (Stream<Path> files = Files.list(outcomes)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(".outcome") && !name.startsWith(".")) {
                    m.put(name.substring(0, name.length() - ".outcome".length()), Files.getLastModifiedTime(p));
                }
            }
        }
        return m;
    }

}
