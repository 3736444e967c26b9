package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.depthscope.io.Json;
import io.depthscope.jobs.spark.SparkSessions;
import io.depthscope.study.StudyConfig;
import io.depthscope.jobs.orchestration.StudyJob;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Executes every notebook in notebooks/ headless (nbconvert, Debian's Jupyter, the Java kernel) against a
 * quick run of its study, and fails on any cell error. The kernel gets this test's class path, so it works
 * in the test phase, before the shaded jar exists. Without Jupyter it is skipped, except under CI (env CI,
 * set by .ci/run, which installs Jupyter), where it fails.
 */
class NotebooksTest {
    static final String PYTHON = "/usr/bin/python3";
    static final String INSTALL = "apt-get update && apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client";
    /** A small run of each notebook's study, under the study's own name: a notebook without one here fails the test. */
    static final Map<String, String> QUICK_STUDIES = Map.of("quickstart", """
            name = quickstart
            run { width = 12, dataset { input_dim = 5, n_train = 32, n_test = 16 }, steps = 20, eval_every = 5,
                  optimizer { lr = 0.1 }, hessian { probes = 4 } }
            grid { arch = [mlp, resmlp], depth = [1, 3], seed = [0, 1, 2] }
            """, "du2018", quickConf("du2018"), "vanishing", quickConf("vanishing"), "ghorbani2019", quickConf("ghorbani2019"),
            "orhan2017", quickConf("orhan2017"), "de2020", quickConf("de2020"));

    /** The study's real quick config, conf/studies/STUDY-quick.conf (the tests run in jobs/). */
    static String quickConf(String study) {
        Path conf = Path.of("..", "conf", "studies", study + "-quick.conf");
        try {
            return Files.readString(conf);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + conf.toAbsolutePath(), e);
        }
    }

    @TempDir
    Path dir;

    @Test
    void everyNotebookExecutesAgainstAQuickRunOfItsStudyAndStatesItsClaims() throws Exception {
        requireJupyter();
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> notebooks;
        try (Stream<Path> files = Files.list(root.resolve("notebooks"))) {
            notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertFalse(notebooks.isEmpty(), "no notebooks in " + root.resolve("notebooks"));
        Path jupyter = writeKernelSpec(root);
        for (Path notebook : notebooks) {
            String name = notebook.getFileName().toString().replace(".ipynb", "");
            String conf = QUICK_STUDIES.get(name);
            assertNotNull(conf, notebook + " has no quick study in NotebooksTest.QUICK_STUDIES; add one");
            Path study = dir.resolve("studies").resolve(name);
            List<String> sentences = runStudy(conf, study);
            Path executed = execute(notebook, jupyter, study);
            String text = outputText(executed);
            for (String s : sentences) {
                assertTrue(text.contains(s), notebook + " does not state, as the report does: " + s + "\n--- its output:\n" + text);
            }
            assertTrue(countImages(executed) >= 1, notebook + " shows no figure");
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

    /** The quick study's tables, and the claim sentences the report gives for them. */
    private static List<String> runStudy(String conf, Path out) {
        SparkSession spark = SparkSessions.create("local[2]", "NotebooksTest");
        try {
            StudyJob.run(spark, StudyConfig.parse(conf), out.toString());
            return Report.of(StudyTables.open(spark, out.toString())).sentences();
        } finally {
            spark.stop();
        }
    }

    private Path writeKernelSpec(Path root) {
        List<String> classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).toList();
        assertTrue(classPath.stream().anyMatch(p -> p.contains("spark-sql")), "the test class path lacks Spark: " + classPath);
        List<String> opens = Arrays.stream(System.getProperty("depthscope.test.opens", "").trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
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
    private Path execute(Path notebook, Path jupyter, Path study) throws Exception {
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
