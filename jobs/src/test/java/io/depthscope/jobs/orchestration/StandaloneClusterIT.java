package io.depthscope.jobs.orchestration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Npz;
import io.depthscope.jobs.spark.SparkSessions;
import io.depthscope.jobs.tables.TableComparison;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.study.StudyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The shaded jar, submitted as spark-submit submits it to a real standalone cluster (a Master and a Worker
 * on 127.0.0.1 started by tools/standalone-cluster.sh from Maven's Spark jars, the runs in a separate
 * executor JVM), writes the same tables as the same code on local[2] in the test's JVM. Runs after {@code package}.
 */
@Tag("cluster") // a standalone cluster on this machine, after package (failsafe)
class StandaloneClusterIT {
    /**
     * Minibatches (shuffling), momentum, both Hessian methods with probes split over tasks, Lanczos,
     * quadrature, every diagnostic and checkpoints, so each seeded stream and every table crosses the wire.
     * Eight runs in four waves of two on the Worker's two cores: the kill after the first wave finds most to do.
     */
    static final String CONF = """
            name = cluster-it
            run {
              width = 8, depth = 2, dataset { n_train = 64, n_test = 32 }, steps = 60, eval_every = 20, checkpoints = [0, 60]
              optimizer { kind = momentum, lr = 0.05, batch_size = 16 }
              hessian { probes = 4, probes_per_block = 2, top_k = 2, lanczos_steps = 12, density_runs = 1, density_steps = 8 }
              diagnostics { steps = [0, 60], examples = 32, minibatches = 4, minibatch_size = 8 }
            }
            grid { arch = [mlp, resmlp], hessian.method = [hutchinson, exact], seed = [0, 1] }
            """;
    static final int RUNS = 8;
    /** The plan index of the run whose first attempt waits for the kill. */
    static final int PAUSED = 2;

    @TempDir
    Path dir;

    /**
     * One cluster, one study, one SIGKILL of the executor JVM in the middle of it: Spark reschedules the
     * lost tasks on the executor the Worker starts in its place, and the tables and checkpoints are those of
     * a clean local[2] run of the same code (in this JVM), bitwise, no run written twice. Catches a study that hangs or
     * fails on a lost executor, loses or duplicates a run's rows, commits differing results from a task's
     * second attempt, or computes anything differently on a cluster. (Two tests, a clean cluster run and
     * a killed one, each started a cluster and a local reference; the killed run checks all the clean one did.)
     */
    @Test
    void aStudyOnAStandaloneClusterSurvivesAKilledExecutorAndWritesTheSameTablesAsOnLocal() throws Exception {
        Path conf = dir.resolve("cluster-it.conf");
        Files.writeString(conf, CONF);
        Path local = dir.resolve("local");
        Path cluster = dir.resolve("cluster");
        Map<String, FileTime> committedAtKill;
        ExecutorService reference = Executors.newSingleThreadExecutor();
        try (SparkSession spark = SparkSessions.create("local[2]", "StandaloneClusterIT");
                StandaloneCluster c = new StandaloneCluster(dir)) {
            // The local[2] reference runs here, in this JVM, while the cluster starts and works: much of either is
            // JVMs and Spark jobs starting, which leaves cores idle, and this session then compares the tables warm.
            Future<StudyJob.Result> localStudy = reference.submit(() -> StudyJob.run(spark, StudyConfig.parse(CONF), local.toString()));
            // Run PAUSED waits on its first attempt (FaultInjection), so the kill is sure to cut a task off mid-run.
            Process clusterStudy = c.study("cluster", c.start(), conf, cluster, "--pause-task-once", Integer.toString(PAUSED));
            committedAtKill = killExecutorMidStudy(c, clusterStudy, cluster);
            c.await("cluster", clusterStudy);
            assertEquals(0, localStudy.get().failed(), "the local[2] reference ran every run");
            assertExecutorReplaced(c);

            Map<String, FileTime> outcomes = committed(cluster.resolve("_outcomes"));
            assertEquals(RUNS, outcomes.size(), "one committed outcome per run");
            // The kill often lands just after a task's commit, before Spark hears of it: the task runs again,
            // and must leave that commit as it was.
            committedAtKill.forEach((name, time) -> assertEquals(time, outcomes.get(name), name + " committed before the kill is not written again"));
            assertEquals(committed(local.resolve("_hessian")).keySet(), committed(cluster.resolve("_hessian")).keySet(),
                    "one committed piece per Hessian task, as on local[2]");

            long compareStart = System.nanoTime();
            TableComparison.Report report = TableComparison.assertSameTables(spark, "local[2]", local, "cluster", cluster);
            assertTrue(report.tables().containsAll(List.of(Tables.RUNS, Tables.TRAIN_CURVE, Tables.HESSIAN_MOMENTS, Tables.SUMMARY)),
                    "tables: " + report.tables());
            // The same seeds on the same backend, one ND4J thread per task: bitwise the same numbers.
            assertEquals(0.0, report.maxRelativeDifference(), "numbers equal, not merely close");
            // A run written twice would show above: the comparison counts each key's rows on both sides (run_id first), so
            // a second copy of a run's rows is a count that differs from the clean local[2] study's.
            assertEquals(RUNS, StudyJob.read(spark, cluster.toString(), Tables.RUNS).where("status = 'ok'").select("run_id").distinct().count());
            System.out.printf("after the kill, cluster and local[2] agree: %d tables %s, %d rows (compared in %.1f s)%n",
                    report.tables().size(), report.tables(), report.rows(), (System.nanoTime() - compareStart) / 1e9);
        } finally {
            reference.shutdownNow();
        }
        assertSameCheckpoints(local.resolve("checkpoints"), cluster.resolve("checkpoints"));
    }

    /**
     * Waits until at least one run has committed and run {@link #PAUSED} has begun its injected pause (its marker is
     * written), so one task is cut off mid-run, not only tasks between their commit and Spark hearing of it; then
     * SIGKILLs the study's executor (the only one: it has all the Worker's cores). Returns the outcomes committed by then.
     * (Timing the kill by the executor's log instead left no task running in about one CI run in ten: small runs end fast.)
     */
    private static Map<String, FileTime> killExecutorMidStudy(StandaloneCluster c, Process study, Path out) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(StandaloneCluster.STEP_SECONDS);
        Path paused = out.resolve("_faults/paused-once-" + PAUSED);
        while (committed(out.resolve("_outcomes")).isEmpty() || !Files.exists(paused)) {
            assertTrue(study.isAlive(), "the study ended before a run committed and run " + PAUSED + " paused: " + c.log("cluster"));
            assertTrue(System.nanoTime() < deadline, "no run committed within " + StandaloneCluster.STEP_SECONDS + " s: " + c.log("cluster"));
            Thread.sleep(20);
        }
        List<ProcessHandle> executors = c.executors();
        assertEquals(1, executors.size(), "the study's executor, found among the Worker's children: " + executors);
        ProcessHandle executor = executors.get(0);
        assertTrue(executor.destroyForcibly(), "SIGKILL sent to executor " + executor.pid());
        executor.onExit().get(30, TimeUnit.SECONDS);
        Map<String, FileTime> runs = committed(out.resolve("_outcomes"));
        assertTrue(runs.size() < RUNS, "killed while runs were training: " + runs.size() + " of " + RUNS + " had committed");
        System.out.printf("killed executor pid %d (SIGKILL) with %d of %d runs and %d Hessian pieces committed%n", executor.pid(),
                runs.size(), RUNS, committed(out.resolve("_hessian")).size());
        return runs;
    }

    /**
     * The Worker saw its executor die of SIGKILL (exit 137) and started a second one for the app, which ran
     * tasks; the driver lost the killed executor's tasks and ran them again.
     */
    private static void assertExecutorReplaced(StandaloneCluster c) throws IOException {
        List<Path> apps = children(c.work());
        assertEquals(1, apps.size(), "one application under " + c.work() + ": " + apps);
        String app = apps.get(0).getFileName().toString();
        List<String> executors = children(apps.get(0)).stream().map(p -> p.getFileName().toString()).sorted().toList();
        assertTrue(executors.size() >= 2 && executors.containsAll(List.of("0", "1")), "a second executor was started: " + executors);
        List<String> worker = Files.readAllLines(c.worker());
        assertTrue(worker.stream().anyMatch(l -> l.contains("Executor " + app + "/0 finished") && l.endsWith("exitStatus 137")),
                "the Worker saw executor 0 killed: " + c.worker());
        assertTrue(worker.stream().anyMatch(l -> l.contains("Asked to launch executor " + app + "/1")), "the Worker launched executor 1: " + c.worker());
        Path replacement = apps.get(0).resolve("1/stderr");
        assertTrue(Files.readString(replacement).contains("Running task"), "the second executor ran tasks: " + replacement);
        long lost = Files.readAllLines(c.logFile("cluster")).stream().filter(l -> l.contains("ExecutorLostFailure")).count();
        assertTrue(lost > 0, "the driver lost tasks with the executor and ran them again: " + c.log("cluster"));
        System.out.printf("executors of %s: %s; %d task(s) lost with executor 0%n", app, executors, lost);
    }

    /** The committed files of a commit store and their times (temporary files of killed attempts start with a dot). */
    private static Map<String, FileTime> committed(Path store) throws IOException {
        Map<String, FileTime> files = new TreeMap<>();
        if (Files.isDirectory(store)) {
            try (Stream<Path> list = Files.list(store)) {
                for (Path f : (Iterable<Path>) list::iterator) {
                    if (!f.getFileName().toString().startsWith(".")) {
                        files.put(f.getFileName().toString(), Files.getLastModifiedTime(f));
                    }
                }
            }
        }
        return files;
    }

    private static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isDirectory).toList();
        }
    }

    /** The same checkpoint files; arrays equal to the tables' tolerance (npz archives carry their write time). */
    private static void assertSameCheckpoints(Path local, Path cluster) throws IOException {
        List<String> names = files(local);
        assertEquals(names, files(cluster), "the same checkpoint files");
        for (String name : names) {
            if (name.endsWith(".npz")) {
                Map<String, INDArray> a = Npz.read(local.resolve(name), "checkpoint");
                Map<String, INDArray> b = Npz.read(cluster.resolve(name), "checkpoint");
                assertEquals(a.keySet(), b.keySet(), name);
                for (String key : a.keySet()) {
                    double[] x = a.get(key).data().asDouble();
                    double[] y = b.get(key).data().asDouble();
                    assertEquals(x.length, y.length, name + " " + key);
                    for (int i = 0; i < x.length; i++) {
                        assertTrue(TableComparison.same(x[i], y[i]), name + " " + key + "[" + i + "]: local[2] " + x[i] + ", cluster " + y[i]);
                    }
                }
            } else if (!name.endsWith(".crc")) {
                assertEquals(Files.readString(local.resolve(name)), Files.readString(cluster.resolve(name)), name);
            }
        }
    }

    private static List<String> files(Path under) throws IOException {
        try (Stream<Path> files = Files.walk(under)) {
            return files.filter(Files::isRegularFile).map(f -> under.relativize(f).toString()).sorted().toList();
        }
    }
}
