package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.depthscope.io.Json;
import io.depthscope.jobs.spark.ChildJvm;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
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
@Execution(ExecutionMode.CONCURRENT)
class NotebooksTest {
    static final String PYTHON = "/usr/bin/python3";
    static final String INSTALL = "apt-get update && apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client";
    /** Selects one notebook by name (without .ipynb); unset or blank, every notebook runs. */
    static final String ONLY = "notebook";
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    static Path dir;
    /**
     * Each distinct study config's run and report sentences, made once per test run by one child JVM
     * ({@link NotebookStudies}) in the notebooks' order from the start, so the next notebook's study runs
     * while a kernel works on this one; notebooks with the same config text share one run. The child has a
     * Spark session of its own: this class runs beside the other test classes (a kernel leaves much of the
     * two cores idle), several of which stop the shared session.
     */
    static final Map<String, CompletableFuture<Study>> STUDIES = new HashMap<>();
    static Process studies;
    static Path jupyter;

    record Study(Path dir, List<String> sentences) {}

    @BeforeAll
    static void start() throws Exception {
        requireJupyter();
        jupyter = writeKernelSpec();
        startStudies(notebooks().toList());
    }

    @AfterAll
    static void stopStudies() {
        if (studies != null) {
            studies.destroyForcibly();
        }
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

    /** The notebook's study, waited for; a notebook without a study config, or whose study failed, fails here. */
    static Study study(String notebook) throws Exception {
        CompletableFuture<Study> f;
        synchronized (STUDIES) {
            f = STUDIES.get(notebook);
        }
        try {
            return f.get(20, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            // a failure inside the study reaches this notebook's test as itself
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Starts the child JVM on the notebooks' study configs, and a thread that completes each notebook's study as the child reports it. */
    private static void startStudies(List<String> notebooks) throws IOException {
        Path root = dir.resolve("studies");
        Files.createDirectories(root);
        Map<String, String> firstWithConf = new LinkedHashMap<>();
        Map<String, List<String>> sharing = new HashMap<>();
        List<String> args = new ArrayList<>(List.of(root.toString()));
        for (String notebook : notebooks) {
            CompletableFuture<Study> f = new CompletableFuture<>();
            STUDIES.put(notebook, f);
            String resource = "/notebooks/" + notebook + ".conf";
            try (InputStream in = NotebooksTest.class.getResourceAsStream(resource)) {
                if (in == null) {
                    f.completeExceptionally(new AssertionError("notebooks/" + notebook + ".ipynb has no study for the test: add "
                            + "jobs/src/test/resources" + resource + " (see the README beside the others)"));
                    continue;
                }
                String conf = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                String owner = firstWithConf.computeIfAbsent(conf, c -> notebook);
                sharing.computeIfAbsent(owner, k -> new ArrayList<>()).add(notebook);
                if (owner.equals(notebook)) {
                    Path file = root.resolve(notebook + ".conf");
                    Files.writeString(file, conf);
                    args.add(notebook + "=" + file);
                }
            }
        }
        if (args.size() == 1) {
            return;
        }
        Path log = dir.resolve("studies.log");
        studies = ChildJvm.of(NotebookStudies.class.getName(), args).redirectError(log.toFile()).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(studies.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    boolean done = line.startsWith(NotebookStudies.DONE);
                    if (!done && !line.startsWith(NotebookStudies.FAILED)) {
                        continue;
                    }
                    String name = line.substring(done ? NotebookStudies.DONE.length() : NotebookStudies.FAILED.length());
                    for (String n : sharing.getOrDefault(name, List.of())) {
                        if (done) {
                            List<String> sentences = new ArrayList<>();
                            Json.read(root.resolve(name + ".json"), "report sentences").forEach(x -> sentences.add(x.asText()));
                            STUDIES.get(n).complete(new Study(root.resolve(name), sentences));
                        } else {
                            STUDIES.get(n).completeExceptionally(new AssertionError("the study of " + n + ".ipynb failed:\n"
                                    + Files.readString(root.resolve(name + ".error"))));
                        }
                    }
                }
                int code = studies.waitFor();
                // whatever the child did not report (it died), fails with its log
                String why = "the notebook studies' JVM ended (exit " + code + ") before this study:\n" + tailOf(log);
                STUDIES.values().forEach(f -> f.completeExceptionally(new AssertionError(why)));
            } catch (IOException | InterruptedException e) {
                STUDIES.values().forEach(f -> f.completeExceptionally(e));
            }
        }, "notebook studies");
        reader.setDaemon(true);
        reader.start();
    }

    private static String tailOf(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
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
