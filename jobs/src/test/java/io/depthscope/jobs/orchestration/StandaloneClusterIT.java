package io.depthscope.jobs.orchestration;

import io.depthscope.jobs.spark.SparkSessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Npz;
import io.depthscope.jobs.tables.TableComparison;
import io.depthscope.jobs.tables.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar, submitted as spark-submit submits it to a real standalone cluster (a Master and a Worker
 * on 127.0.0.1 started by tools/standalone-cluster.sh from Maven's Spark jars, the runs in a separate
 * executor JVM), writes the same tables as the same jar on local[2]. Runs after {@code package}.
 */
@Tag("cluster") // a standalone cluster on this machine, after package (failsafe)
class StandaloneClusterIT {
    /**
     * Minibatches (shuffling), both Hessian methods with probes split over tasks, Lanczos, quadrature and
     * every diagnostic, so each seeded stream and every table crosses the wire.
     */
    static final String CONF = """
            name = cluster-it
            run {
              width = 8, depth = 2, dataset { n_train = 64, n_test = 32 }, steps = 20, eval_every = 5, checkpoints = [0, 20]
              optimizer { kind = momentum, lr = 0.05, batch_size = 16 }
              hessian { probes = 4, probes_per_block = 2, top_k = 2, lanczos_steps = 12, density_runs = 1, density_steps = 8 }
              diagnostics { steps = [0, 20], examples = 32, minibatches = 4, minibatch_size = 8 }
            }
            grid { arch = [mlp, resmlp], hessian.method = [hutchinson, exact], seed = [0, 1] }
            """;
    static final int RUNS = 8;
    static final long STEP_SECONDS = 300;

    @TempDir
    Path dir;
    private final Map<String, Long> launched = new HashMap<>();

    @Test
    void aStudyOnAStandaloneClusterWritesTheSameTablesAsOnLocal() throws Exception {
        Path root = Path.of(System.getProperty("depthscope.root", "..")).toAbsolutePath().normalize();
        Path script = root.resolve("tools/standalone-cluster.sh");
        assertTrue(Files.isRegularFile(root.resolve("jobs/target/depthscope.jar")), "jobs/target/depthscope.jar is built at package, before this test");
        Path conf = dir.resolve("cluster-it.conf");
        Files.writeString(conf, CONF);
        Path local = dir.resolve("local");
        Path cluster = dir.resolve("cluster");
        Path state = dir.resolve("state");

        // The two studies are independent, so the local one runs while the cluster starts and works: much of
        // either is JVMs and Spark jobs starting, which leaves cores idle.
        Process localStudy = launch("local", script, "submit", "--master", "local[2]", "--", "study", conf.toString(), "--out",
                local.toString());
        Process clusterStudy = null;
        List<Long> daemons = new ArrayList<>();
        try {
            String url = await("start", launch("start", script, "start", state.toString())).strip();
            assertTrue(url.matches("spark://127\\.0\\.0\\.1:\\d+"), "master URL: " + url);
            daemons.add(Long.parseLong(Files.readString(state.resolve("master.pid")).strip()));
            daemons.add(Long.parseLong(Files.readString(state.resolve("worker.pid")).strip()));
            clusterStudy = launch("cluster", script, "submit", "--master", url, "--conf", "spark.ui.enabled=false", "--",
                    "study", conf.toString(), "--out", cluster.toString());
            await("local", localStudy);
            await("cluster", clusterStudy);
        } finally {
            localStudy.destroyForcibly();
            if (clusterStudy != null) {
                clusterStudy.destroyForcibly();
            }
            await("stop", launch("stop", script, "stop", state.toString()));
        }
        for (long pid : daemons) {
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "daemon " + pid + " is stopped");
        }
        Path executorLog = find(state.resolve("work"), "stderr").orElseThrow(() -> new AssertionError("no executor log under " + state));
        assertTrue(Files.readString(executorLog).contains("Running task"), "the tasks ran in the Worker's executor: " + executorLog);

        long compareStart = System.nanoTime();
        try (SparkSession spark = SparkSessions.create("local[1]", "StandaloneClusterIT")) {
            TableComparison.Report report = TableComparison.assertSameTables(spark, "local[2]", local, "cluster", cluster);
            assertTrue(report.tables().containsAll(List.of(Tables.RUNS, Tables.TRAIN_CURVE, Tables.HESSIAN_MOMENTS, Tables.SUMMARY)),
                    "tables: " + report.tables());
            assertEquals(RUNS, StudyJob.read(spark, cluster.toString(), Tables.RUNS).where("status = 'ok'").count());
            System.out.printf("cluster and local[2] agree: %d tables %s, %d rows, largest relative difference %.3g (compared in %.1f s)%n",
                    report.tables().size(), report.tables(), report.rows(), report.maxRelativeDifference(),
                    (System.nanoTime() - compareStart) / 1e9);
        }
        assertSameCheckpoints(local.resolve("checkpoints"), cluster.resolve("checkpoints"));
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

    /** Starts the script, its stdout kept in {@code <name>.out} and its stderr in {@code <name>.log}. */
    private Process launch(String name, Path script, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".log").toFile());
        // The cluster goes down with this JVM even if the test is killed before its finally block.
        pb.environment().put("CLUSTER_OWNER_PID", Long.toString(ProcessHandle.current().pid()));
        launched.put(name, System.nanoTime());
        return pb.start();
    }

    /** Waits for a launched script; returns its stdout, or fails showing its output. */
    private String await(String name, Process p) throws IOException, InterruptedException {
        Path out = dir.resolve(name + ".out");
        Path log = dir.resolve(name + ".log");
        if (!p.waitFor(STEP_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(name + " took over " + STEP_SECONDS + " s: " + tail(log));
        }
        assertEquals(0, p.exitValue(), name + " failed: " + tail(log) + tail(out));
        System.out.printf("%s: %.1f s%n", name, (System.nanoTime() - launched.get(name)) / 1e9);
        return Files.readString(out);
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static Optional<Path> find(Path under, String name) throws IOException {
        try (Stream<Path> files = Files.walk(under)) {
            return files.filter(f -> f.getFileName().toString().equals(name)).findFirst();
        }
    }

    private static List<String> files(Path under) throws IOException {
        try (Stream<Path> files = Files.walk(under)) {
            return files.filter(Files::isRegularFile).map(f -> under.relativize(f).toString()).sorted().toList();
        }
    }
}
