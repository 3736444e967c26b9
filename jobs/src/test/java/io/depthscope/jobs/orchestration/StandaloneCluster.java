package io.depthscope.jobs.orchestration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * tools/standalone-cluster.sh driven from an integration test: a Master and a Worker on 127.0.0.1, and
 * the shaded jar submitted to it (or to local[N]) as spark-submit submits it. Each command's stdout and
 * stderr are kept in {@code <name>.out} and {@code <name>.log} under the test's directory. Closing it
 * ends what it launched, stops the cluster and checks its daemons are gone.
 */
final class StandaloneCluster implements AutoCloseable {
    /** A bound on each step (start, a study, stop): minutes on an idle machine, but the tests share 2 cores with others. */
    static final long STEP_SECONDS = 600;
    static final String EXECUTOR_CLASS = "org.apache.spark.executor.CoarseGrainedExecutorBackend";

    private final Path root = Path.of(System.getProperty("depthscope.root", "..")).toAbsolutePath().normalize();
    private final Path script = root.resolve("tools/standalone-cluster.sh");
    private final Path dir;
    private final Path state;
    private final Map<String, Long> launched = new HashMap<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Long> daemons = new ArrayList<>();
    private long workerPid = -1;

    StandaloneCluster(Path dir) {
        this.dir = dir;
        this.state = dir.resolve("state");
        assertTrue(Files.isRegularFile(root.resolve("jobs/target/depthscope.jar")), "jobs/target/depthscope.jar is built at package, before this test");
    }

    /** Starts the Master and the Worker; returns the master URL. */
    String start() throws IOException, InterruptedException {
        String url = await("start", launch("start", "start", state.toString())).strip();
        assertTrue(url.matches("spark://127\\.0\\.0\\.1:\\d+"), "master URL: " + url);
        daemons.add(Long.parseLong(Files.readString(state.resolve("master.pid")).strip()));
        workerPid = Long.parseLong(Files.readString(state.resolve("worker.pid")).strip());
        daemons.add(workerPid);
        return url;
    }

    /**
     * Submits {@code study CONF --out OUT [OPTIONS]} to {@code master} (the cluster's URL, or local[N]), as process
     * {@code name}.
     */
    Process study(String name, String master, Path conf, Path out, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("submit", "--master", master, "--conf", "spark.ui.enabled=false", "--", "study",
                conf.toString(), "--out", out.toString()));
        args.addAll(List.of(options));
        return launch(name, args.toArray(String[]::new));
    }

    /** The Worker's executor JVMs that are alive now (other clusters on this machine have their own Worker). */
    List<ProcessHandle> executors() {
        return executorsOf(ProcessHandle.of(workerPid).orElseThrow(() -> new AssertionError("the Worker (pid " + workerPid + ") is gone")));
    }

    /** The Worker's directory of executor work and logs, {@code work/<app-id>/<executor-id>/}. */
    Path work() {
        return state.resolve("work");
    }

    Path worker() {
        return state.resolve("worker.log");
    }

    /** A launched command's stderr (a study's: the driver's log). */
    Path logFile(String name) {
        return dir.resolve(name + ".log");
    }

    /** The last lines of a launched command's stderr, for failure messages. */
    String log(String name) throws IOException {
        return tail(logFile(name));
    }

    /** Waits for a launched command; returns its stdout, or fails showing its output. */
    String await(String name, Process p) throws IOException, InterruptedException {
        if (!p.waitFor(STEP_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(name + " took over " + STEP_SECONDS + " s: " + log(name));
        }
        assertEquals(0, p.exitValue(), name + " failed: " + log(name) + tail(dir.resolve(name + ".out")));
        System.out.printf("%s: %.1f s%n", name, (System.nanoTime() - launched.get(name)) / 1e9);
        return Files.readString(dir.resolve(name + ".out"));
    }

    /** Starts tools/standalone-cluster.sh with {@code args}, its output kept under {@code name}. */
    Process launch(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".log").toFile());
        // The cluster goes down with this JVM even if the test is killed before close().
        pb.environment().put("CLUSTER_OWNER_PID", Long.toString(ProcessHandle.current().pid()));
        launched.put(name, System.nanoTime());
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** Ends the studies still running, stops the cluster, and checks that no daemon or executor is left. */
    @Override
    public void close() throws IOException {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the cluster in " + state, e);
        }
    }

    private void stop() throws IOException, InterruptedException {
        List<ProcessHandle> executors = workerPid < 0 ? List.of() : ProcessHandle.of(workerPid).map(StandaloneCluster::executorsOf).orElse(List.of());
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (Files.isDirectory(state)) {
            await("stop", launch("stop", "stop", state.toString()));
        }
        for (long pid : daemons) {
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "daemon " + pid + " is stopped");
        }
        for (ProcessHandle e : executors) {
            // The Worker ends its executors as it stops; one left behind is ended here, and fails the test.
            boolean ended = e.onExit().completeOnTimeout(e, 30, TimeUnit.SECONDS).join().isAlive() == false;
            e.destroyForcibly();
            assertTrue(ended, "executor " + e.pid() + " ended with its Worker");
        }
    }

    private static List<ProcessHandle> executorsOf(ProcessHandle worker) {
        return worker.descendants().filter(p -> commandLine(p).contains(EXECUTOR_CLASS)).toList();
    }

    /** A process's full command line from /proc (ProcessHandle.Info may shorten it); empty once it is gone. */
    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        List<String> lines = Files.readAllLines(file);
        return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
