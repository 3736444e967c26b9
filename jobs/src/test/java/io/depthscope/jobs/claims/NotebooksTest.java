package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.depthscope.io.Json;
import io.depthscope.jobs.orchestration.StudyJob;
import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.study.StudyConfig;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Executes each notebook in notebooks/ headless (nbconvert, Debian's Jupyter, the Java kernel) against a small
 * run of its study, {@code src/test/resources/notebooks/NAME.conf}, and fails on any cell error. One test case
 * per notebook file, found at run time, so a new notebook is tested without a change here (and fails until it
 * has its study). One notebook alone: {@code mvn -B -ntp test -pl jobs -am -Dtest=NotebooksTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dnotebook=du2018}.
 * The kernel gets this test's class path, so it works in the test phase, before the shaded jar exists. Without
 * Jupyter it is skipped, except under CI (env CI, set by .ci/run, which installs Jupyter), where it fails.
 */
@Tag("notebooks")
@ExtendWith(SharedSpark.class)
@Execution(ExecutionMode.CONCURRENT)
class NotebooksTest {
    static final String PYTHON = "/usr/bin/python3";
    static final String INSTALL = "apt-get update && apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client";
    /** Selects one notebook by name (without .ipynb); unset or blank, every notebook runs. */
    static final String ONLY = "notebook";
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    static Path dir;
    static SparkSession spark;
    /**
     * Each distinct study config's run, computed once per test run and shared by the notebooks that read it.
     * One background thread runs them in the notebooks' order from the start, so the next notebook's study
     * runs here while a kernel works on this one (a kernel leaves much of the two cores idle).
     */
    static final Map<String, Future<Study>> STUDIES = new HashMap<>();
    static ExecutorService studies;
    static Path jupyter;

    record Study(Path dir, List<String> sentences) {}

    @BeforeAll
    static void start(SparkSession shared) throws Exception {
        spark = shared;
        requireJupyter();
        jupyter = writeKernelSpec();
        studies = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "notebook studies");
            t.setDaemon(true);
            return t;
        });
        notebooks().forEach(NotebooksTest::schedule);
    }

    @AfterAll
    static void stopStudies() {
        studies.shutdownNow();
    }

    static Stream<String> notebooks() throws IOException {
        List<String> names;
        try (Stream<Path> files = Files.list(ROOT.resolve("notebooks"))) {
            names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ipynb")).map(n -> n.replace(".ipynb", ""))
                    .sorted().toList();
        }
        assertFalse(names.isEmpty(), "no notebooks in " + ROOT.resolve("notebooks"));
        String only = System.getProperty(ONLY, "").trim();
        if (only.isEmpty()) {
            return names.stream();
        }
        assertTrue(names.contains(only), "-D" + ONLY + "=" + only + ": no notebooks/" + only + ".ipynb; there are " + names);
        return Stream.of(only);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notebooks")
    void executesAgainstASmallRunOfItsStudyAndStatesItsClaims(String name) throws Exception {
        Path notebook = ROOT.resolve("notebooks").resolve(name + ".ipynb");
        Study study = study(name);
        Path executed = execute(notebook, study.dir());
        String text = outputText(executed);
        assertFalse(study.sentences().isEmpty(), "the report states no claim for " + name + "'s study");
        for (String s : study.sentences()) {
            assertTrue(text.contains(s), notebook + " does not state, as the report does: " + s + "\n--- its output:\n" + text);
        }
        assertTrue(countImages(executed) >= 1, notebook + " shows no figure");
    }

    /** The notebook's study (scheduled at the start, or now); notebooks with the same config text share one run. */
    static Study study(String notebook) throws InterruptedException {
        try {
            return schedule(notebook).get();
        } catch (ExecutionException e) {
            // a failure inside the study reaches this notebook's test as itself
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private static Future<Study> schedule(String notebook) {
        String resource = "/notebooks/" + notebook + ".conf";
        String conf;
        try (InputStream in = NotebooksTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                return CompletableFuture.failedFuture(new AssertionError("notebooks/" + notebook + ".ipynb has no study for the test: add "
                        + "jobs/src/test/resources" + resource + " (see the README beside the others)"));
            }
            conf = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
        synchronized (STUDIES) {
            return STUDIES.computeIfAbsent(conf, c -> studies.submit(() -> runStudy(c, dir.resolve("studies").resolve(notebook))));
        }
    }

    private static void requireJupyter() throws InterruptedException {
        boolean present;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import nbconvert, nbclient, jupyter_client").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            present = p.waitFor() == 0;
        } catch (IOException e) {
            present = false;
        }
        if (!present && System.getenv("CI") != null) {
            fail("the notebooks cannot be executed: " + PYTHON + " lacks nbconvert, nbclient or jupyter_client; install them: " + INSTALL);
        }
        if (!present) {
            String reason = "notebooks not executed: " + PYTHON + " lacks nbconvert, nbclient or jupyter_client (" + INSTALL + "; CI installs them)";
            System.err.println(reason);
            Assumptions.abort(reason);
        }
    }

    /** The study's tables, and the claim sentences the report gives for them. */
    private static Study runStudy(String conf, Path out) {
        long start = System.nanoTime();
        StudyJob.run(spark, StudyConfig.parse(conf), out.toString());
        long ran = System.nanoTime();
        Study study = new Study(out, Report.of(StudyTables.open(spark, out.toString())).sentences());
        // where the notebook test's time goes, for whoever makes it faster
        System.err.printf("notebook study %s: %.1f s, its report %.1f s%n", out.getFileName(), (ran - start) / 1e9, (System.nanoTime() - ran) / 1e9);
        return study;
    }

    private static Path writeKernelSpec() {
        Path root = ROOT;
        List<String> classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).toList();
        assertTrue(classPath.stream().anyMatch(p -> p.contains("spark-sql")), "the test class path lacks Spark: " + classPath);
        List<String> opens = Arrays.stream(System.getProperty("depthscope.test.opens", "").trim().split("\\s+")).filter(s -> !s.isEmpty()).collect(java.util.stream.Collectors.toCollection(ArrayList::new));
        // a kernel lives for one notebook: the client compiler alone and one GC thread start it and compile its
        // cells faster on two cores than C2 would
        opens.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        Path kernelJar = Path.of("target/kernel/rapaio-jupyter-kernel.jar");
        assertTrue(Files.isRegularFile(kernelJar), kernelJar.toAbsolutePath() + " is missing: the jobs pom's `kernel` execution copies it (mvn test)");
        Path jupyter = dir.resolve("jupyter");
        new KernelSpec(Path.of(System.getProperty("java.home"), "bin", "java").toString(), opens, kernelJar, classPath,
                root.resolve("notebooks/kernel"), root.resolve("conf/log4j2.properties")).writeInto(jupyter);
        return jupyter;
    }

    /**
     * Executes a notebook once: a kernel that fails to start fails the test, as a cell error does.
     * notebooks/kernel/KernelLauncher.java closes rapaio 3.0.1's two start-up races, which made about one
     * start in five fail on a loaded machine; a retry here would hide a new one.
     */
    private static Path execute(Path notebook, Path study) throws Exception {
        Path outDir = dir.resolve("executed");
        Path log = dir.resolve(notebook.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder(PYTHON, "-m", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.timeout=900", "--ExecutePreprocessor.startup_timeout=120", "--output-dir", outDir.toString(),
                notebook.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("JUPYTER_PATH", jupyter.toString());
        // nothing from the user's Jupyter setup, and no runtime files outside the test's directory
        env.put("JUPYTER_CONFIG_DIR", dir.resolve("jupyter-config").toString());
        env.put("JUPYTER_DATA_DIR", dir.resolve("jupyter-data").toString());
        env.put("JUPYTER_RUNTIME_DIR", dir.resolve("jupyter-runtime").toString());
        env.put(Notebook.STUDY_DIR_ENV, study.toString());
        Process p = pb.start();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(notebook + " did not finish in 20 minutes\n" + tail(log));
        }
        assertEquals(0, p.exitValue(), notebook + " failed headless (nbconvert exit " + p.exitValue() + "):\n" + tail(log));
        return outDir.resolve(notebook.getFileName());
    }

    /** The end of nbconvert's log (the cell's error), without the kernel's own INFO chatter and class path listing. */
    private static String tail(Path log) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            if (!l.startsWith("INFO: ") && !l.matches("^[A-Z][a-z]{2} \\d+, \\d{4} .*") && !l.contains("classpath")) {
                lines.add(l);
            }
        }
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static String outputText(Path executed) {
        StringBuilder b = new StringBuilder();
        for (JsonNode out : outputs(executed)) {
            out.path("text").forEach(t -> b.append(t.asText()));
            out.path("data").path("text/plain").forEach(t -> b.append(t.asText()));
        }
        return b.toString();
    }

    private static long countImages(Path executed) {
        return outputs(executed).stream().filter(o -> o.path("data").has("image/png")).count();
    }

    private static List<JsonNode> outputs(Path executed) {
        List<JsonNode> out = new ArrayList<>();
        Json.read(executed, "executed notebook").path("cells").forEach(c -> c.path("outputs").forEach(out::add));
        return out;
    }
}
