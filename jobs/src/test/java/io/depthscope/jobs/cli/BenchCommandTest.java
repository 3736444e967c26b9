package io.depthscope.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command end to end on a tiny network: its JSON, its tables, and its answers to bad input. */
class BenchCommandTest {
    @Test
    void writesOneJsonRecordPerDtype(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Captured run = Captured.run("bench", "--width", "8", "--depth", "3", "--batch", "5", "--input-dim", "4",
                "--output-dim", "2", "--warmup", "1", "--repetitions", "3", "--probes", "3", "--lanczos-steps", "4",
                "--cost-repetitions", "2", "--block", "3", "--block-repetitions", "2", "--torch", "off", "--jit-warmup", "0.2",
                "--json", json.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("JIT warm-up, float32: ") && run.out().contains("JIT warm-up, float64: "), run.out());
        JsonNode results = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(2, results.size());
        assertEquals("float32", results.get(0).get("dtype").asText());
        assertEquals("float64", results.get(1).get("dtype").asText());
        for (JsonNode r : results) {
            // P = 4*8 + 2*8*8 + 8*2 weights + 3*8 + 2 biases
            assertEquals(4 * 8 + 2 * 8 * 8 + 8 * 2 + 3 * 8 + 2, r.get("param_count").asLong());
            assertEquals(0.2, r.get("jit_warmup_seconds").asDouble(), 0.0);
            // a gradient: forward + weight gradient per map, input gradient above the first (3L + 2);
            // an Hv: both R-pass terms of each, except the first map's (6L + 2)
            assertEquals(3 * 3 + 2, r.get("gemms_per_gradient").asInt());
            assertEquals(6 * 3 + 2, r.get("gemms_per_hvp").asInt());
            double grad = r.get("gradient_seconds").asDouble();
            double hv = r.get("hvp_seconds").asDouble();
            assertTrue(grad > 0 && hv > 0, "times are positive: " + r);
            assertEquals(hv / grad, r.get("ratio").asDouble(), 1e-12 * hv / grad);

            double g = r.get("diagnostics_gradient_seconds").asDouble();
            double gram = r.get("per_example_gram_seconds").asDouble();
            double ntk = r.get("ntk_gram_seconds").asDouble();
            assertTrue(g > 0 && gram > 0 && ntk > 0, "times are positive: " + r);
            assertEquals((g + gram) / g, r.get("per_example_gram_ratio").asDouble(), 1e-12 * (g + gram) / g);
            assertEquals((g + ntk) / g, r.get("ntk_gram_ratio").asDouble(), 1e-12 * (g + ntk) / g);
            assertEquals(2, r.get("cost_repetitions").asInt());
            assertEquals(3, r.get("hutchinson_probes").asInt());
            assertEquals(4, r.get("lanczos_steps").asInt());
            double unit = r.get("hv_unit_seconds").asDouble();
            double hutchinson = r.get("hutchinson_seconds").asDouble();
            double lanczos = r.get("lanczos_seconds").asDouble();
            assertTrue(unit > 0 && hutchinson > 0 && lanczos > 0, "times are positive: " + r);
            assertEquals(hutchinson / unit, r.get("hutchinson_hvs").asDouble(), 1e-12 * hutchinson / unit);
            assertEquals(lanczos / unit, r.get("lanczos_hvs").asDouble(), 1e-12 * lanczos / unit);
            double ritz = r.get("ritz_run_seconds").asDouble();
            assertTrue(ritz > 0, "times are positive: " + r);
            assertEquals(ritz / unit, r.get("ritz_run_hvs").asDouble(), 1e-12 * ritz / unit);
            for (String e : new String[] {"hutchinson", "lanczos", "ritz_run"}) {
                // inside the products and outside them, each a median over the same runs; a median of two is their mean, so
                // here the two shares add up to the whole run's median
                double products = r.get(e + "_product_seconds").asDouble();
                double own = r.get(e + "_own_seconds").asDouble();
                double whole = r.get(e + "_seconds").asDouble();
                assertTrue(products > 0 && own > 0, e + ": " + r);
                assertEquals(whole, products + own, 1e-9 * whole, e + ": " + r);
            }
            assertEquals(3, r.get("block_k").asInt());
            assertTrue(r.get("block_warmup_pairs").asInt() >= 1, r.toString());
            double blockHv = r.get("block_hv_seconds").asDouble();
            double block = r.get("block_seconds").asDouble();
            assertEquals(block / 3 / blockHv, r.get("block_per_direction").asDouble(), 1e-12 * block / blockHv);
            for (String floor : new String[] {"block_gemm_single_seconds", "block_gemm_block_seconds"}) {
                assertTrue(r.get(floor).asDouble() > 0, floor + " is a time: " + r);
            }
            assertFalse(r.has("torch_gradient_seconds"), "--torch off: " + r);
        }
        for (String heading : new String[] {"Hv/grad", "Gram/grad", "NTK/grad", "Gram goal <= 3", "Hutchinson, 3 probes (designed 6)",
                "Lanczos of 4 steps, partial reorthogonalisation (designed 4)", "eigenvalue run of 4 steps, kept basis, full "
                + "reorthogonalisation (designed 4)", "Hutchinson/Hv", "Lanczos/Hv", "Ritz run/Hv", "step/(f+b)", "hvpBlock on 3 directions", "per direction", "block's per direction"}) {
            assertTrue(run.out().contains(heading), "the tables show " + heading + ":\n" + run.out());
        }
    }

    @Test
    void zeroCostRepetitionsSkipsTheDiagnostics(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Captured run = Captured.run("bench", "--width", "4", "--depth", "1", "--batch", "3", "--input-dim", "2", "--output-dim", "1",
                "--dtype", "float64", "--warmup", "0", "--jit-warmup", "0", "--repetitions", "1", "--step-batch", "0", "--cost-repetitions", "0",
                "--block", "0", "--torch", "off", "--json", json.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode r = new ObjectMapper().readTree(Files.readString(json)).get(0);
        assertTrue(r.has("hvp_seconds"));
        assertFalse(r.has("per_example_gram_seconds") || r.has("hutchinson_hvs"), r.toString());
        assertFalse(run.out().contains("Gram/grad"), run.out());
        assertFalse(r.has("block_k") || run.out().contains("hvpBlock"), run.out());
    }

    @Test
    void cnnAddsAResNet20RecordAtATinyBatch(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Captured run = Captured.run("bench", "--width", "4", "--depth", "1", "--batch", "3", "--input-dim", "2", "--output-dim", "1",
                "--dtype", "float32", "--warmup", "0", "--jit-warmup", "0", "--repetitions", "1", "--step-batch", "0", "--cost-repetitions", "0",
                "--block", "0", "--torch", "off", "--cnn", "--cnn-batch", "2", "--cnn-warmup", "0", "--cnn-repetitions", "1",
                "--json", json.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode results = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(2, results.size());
        JsonNode r = results.get(1);
        assertEquals("resnet", r.get("arch").asText());
        assertEquals(20, r.get("depth").asInt());
        assertEquals(2, r.get("batch").asInt());
        assertEquals(269_722, r.get("param_count").asLong());
        double grad = r.get("gradient_seconds").asDouble();
        double hv = r.get("hvp_seconds").asDouble();
        assertTrue(grad > 0 && hv > 0, r.toString());
        assertEquals(hv / grad, r.get("ratio").asDouble(), 1e-12 * hv / grad);
        assertTrue(run.out().contains("ResNet-20") && run.out().contains("goal <= 2"), run.out());
    }

    /** Tiny sizes of every section but the whole estimators, which the two tests below run. */
    private static final String[] WHOLE_ONLY = {"bench", "--width", "8", "--depth", "3", "--batch", "5", "--input-dim", "4",
        "--output-dim", "2", "--warmup", "0", "--jit-warmup", "0", "--repetitions", "1", "--step-batch", "0", "--cost-repetitions", "0", "--block", "0",
        "--probes", "3", "--lanczos-steps", "4", "--slq-runs", "2", "--slq-steps", "3", "--estimator-repetitions", "2"};

    private static String[] wholeOnly(String... more) {
        String[] args = java.util.Arrays.copyOf(WHOLE_ONLY, WHOLE_ONLY.length + more.length);
        System.arraycopy(more, 0, args, WHOLE_ONLY.length, more.length);
        return args;
    }

    @Test
    void wholeEstimatorsAreTimedWithoutPyTorch(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Captured run = Captured.run(wholeOnly("--torch", "off", "--json", json.toString()));
        assertEquals(0, run.code(), run.err());
        for (JsonNode r : new ObjectMapper().readTree(Files.readString(json))) {
            assertEquals(2, r.get("estimator_repetitions").asInt());
            for (String e : new String[] {"hutchinson", "top_eigenvalue", "density"}) {
                assertTrue(r.get("whole_" + e + "_seconds").asDouble() > 0, r.toString());
            }
            assertFalse(r.has("whole_hutchinson_torch_moments_seconds") || r.has("torch_agrees"), r.toString());
        }
        assertTrue(run.out().contains("Hutchinson, 3 probes (6 Hv)") && run.out().contains("density, 2 x 3 steps (6 Hv)"), run.out());
    }

    /**
     * PyTorch's estimators (tools/torch_estimators.py), started from our weights, batch and vectors, return our numbers in
     * both dtypes, and the bench times each against ours. Skipped where /usr/bin/python3 has no torch (CI installs none).
     */
    @Test
    void wholeEstimatorsAgreeWithPyHessiansOverTorch(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(torchPresent(), "/usr/bin/python3 has no torch");
        Path json = dir.resolve("bench.json");
        Captured run = Captured.run(wholeOnly("--torch", "on", "--json", json.toString()));
        assertEquals(0, run.code(), run.out() + run.err());
        JsonNode results = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(2, results.size());
        for (JsonNode r : results) {
            assertTrue(r.get("torch_agrees").asBoolean(), r.toString());
            // loss, m1, m2, Lanczos top, power <= top, and q.Hq and the top node of each of the 2 quadratures
            assertEquals(9, r.get("torch_agreement").size(), r.toString());
            double tolerance = "float64".equals(r.get("dtype").asText()) ? 1e-9 : 1e-3;
            assertEquals(tolerance, r.get("torch_agreement_tolerance").asDouble());
            assertTrue(r.get("torch_agreement_worst").asDouble() <= tolerance, r.toString());
            for (String[] e : new String[][] {{"hutchinson", "moments"}, {"hutchinson", "trace"}, {"top_eigenvalue", "lanczos"},
                    {"top_eigenvalue", "power"}, {"density", "slq"}}) {
                double ours = r.get("whole_" + e[0] + "_seconds").asDouble();
                double torch = r.get("whole_" + e[0] + "_torch_" + e[1] + "_seconds").asDouble();
                assertTrue(ours > 0 && torch > 0, r.toString());
                assertEquals(ours / torch, r.get("whole_" + e[0] + "_over_torch_" + e[1]).asDouble(), 1e-12 * ours / torch);
            }
        }
        assertTrue(run.out().contains("agree") && !run.out().contains("DISAGREE"), run.out());
    }

    private static boolean torchPresent() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void badNumbersAreBadInputNamingTheField() {
        String[][] cases = {
            {"dtype", "--dtype", "float16"},
            {"probes", "--probes", "1"},
            {"lanczos-steps", "--lanczos-steps", "0"},
            {"cost-repetitions", "--cost-repetitions", "-1"},
            {"block", "--block", "-1"},
            {"block-repetitions", "--block-repetitions", "0"},
            {"jit-warmup", "--jit-warmup", "-1"},
            {"torch", "--torch", "maybe"},
            {"estimator-repetitions", "--estimator-repetitions", "-1"},
            {"slq-runs", "--slq-runs", "0"},
            {"slq-steps", "--slq-steps", "0"},
            {"cnn-batch", "--cnn-batch", "1"},
            {"study-steps", "--study-steps", "5"},
            {"study-out", "--study-out", "x"},
        };
        for (String[] c : cases) {
            Captured run = Captured.run("bench", c[1], c[2], "--repetitions", "1");
            assertEquals(Main.BAD_INPUT, run.code(), String.join(" ", c));
            assertTrue(run.err().startsWith("error: " + c[0]) && run.err().contains(c[2]) && run.err().contains("allowed"), run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
        }
    }

    @Test
    void badStudyOptionsAreRejectedBeforeSparkStarts(@TempDir Path dir) throws Exception {
        Path oneRun = dir.resolve("one.conf");
        Files.writeString(oneRun, "name = one\n");
        Path used = Files.createDirectories(dir.resolve("used"));
        Files.writeString(used.resolve("leftover"), "");
        String[][] cases = {
            {"study-steps", "--study", "--study-steps", "0"},
            {"study-steps", "--study", "--study-config", oneRun.toString(), "--study-steps", "3"},
            {"study-config", "--study", "--study-config", oneRun.toString()},
            {"config", "--study", "--study-config", dir.resolve("missing.conf").toString()},
            {"study-out", "--study", "--study-out", used.toString()},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length];
            args[0] = "bench";
            System.arraycopy(c, 1, args, 1, c.length - 1);
            Captured run = Captured.run(args);
            assertEquals(Main.BAD_INPUT, run.code(), String.join(" ", args));
            assertTrue(run.err().startsWith("error: " + c[0]) && run.err().contains("allowed"), run.err());
            assertFalse(run.out().contains("local[1]"), "no study started: " + run.out());
        }
    }
}
