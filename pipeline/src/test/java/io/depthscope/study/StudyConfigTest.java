package io.depthscope.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StudyConfigTest {
    @Test
    void quickstartExpandsToTheDocumentedGrid() {
        StudyConfig c = StudyConfig.load(new File("../conf/studies/quickstart.conf"));
        List<RunSpec> plan = c.plan();
        assertEquals(2 * 4 * 3, plan.size());
        Set<String> ids = new HashSet<>();
        plan.forEach(s -> ids.add(s.runId()));
        assertEquals(plan.size(), ids.size());
        assertTrue(plan.stream().allMatch(s -> s.width() == 64 && s.activation().equals("tanh") && s.dataset().nTrain() == 256 && s.dataset().inputDim() == 16));
    }

    /**
     * Fields added later (batch_norm, shortcut, hessian.mode, hessian.chunk, dataset.downsample, ...) stay out of a run's id while they have
     * their defaults: d9d575f80511f76b is this run's id as the code before them computed it (commit d5d839c), and
     * the same holds for all 757 runs of conf/studies (checked once against that build).
     */
    @Test
    void fieldsAddedLaterKeepEveryEarlierRunId() {
        String run = "name = t\nrun { depth = 3, width = 10, seed = 7 }";
        assertEquals("d9d575f80511f76b", StudyConfig.parse(run).plan().get(0).runId());
        assertEquals("d9d575f80511f76b", StudyConfig.parse("name = t\nrun { depth = 3, width = 10, seed = 7, shortcut = A,"
                + " hessian { mode = train, chunk = 0 } }").plan().get(0).runId());
        assertNotEquals("d9d575f80511f76b", StudyConfig.parse("name = t\nrun { depth = 3, width = 10, seed = 7,"
                + " hessian { mode = eval } }").plan().get(0).runId());
        assertEquals("d9d575f80511f76b", StudyConfig.parse("name = t\nrun { depth = 3, width = 10, seed = 7, dataset { downsample = 1 } }")
                .plan().get(0).runId());
        String images = "name = t\nrun { arch = cnn, activation = relu, loss = cross_entropy, dataset { kind = fashion_mnist, layout = image";
        RunSpec full = StudyConfig.parse(images + " } }").plan().get(0);
        assertEquals(full.runId(), StudyConfig.parse(images + ", downsample = 1 } }").plan().get(0).runId());
        RunSpec half = StudyConfig.parse(images + ", downsample = 2 } }").plan().get(0);
        assertNotEquals(full.runId(), half.runId());
        assertTrue(half.canonical().contains(";dataset.downsample=2;"), half.canonical());
        assertTrue(!full.canonical().contains("downsample"), full.canonical());
    }

    /** A downsampled image dataset's network is the network of the smaller images, before any file is read. */
    @Test
    void paramCountIsOfTheDownsampledImages() {
        String fashion = "name = t\nrun { activation = relu, loss = cross_entropy, dataset { kind = fashion_mnist, layout = image, downsample = 2 }";
        RunSpec cnn = StudyConfig.parse(fashion + ", arch = cnn, depth = 2, width = 4 }").plan().get(0);
        assertEquals(cnn.network(new int[] {1, 14, 14}, 10).paramCount(), cnn.paramCount());
        assertEquals(List.of(196, 10), List.of(cnn.expectedDims()[0], cnn.expectedDims()[1]));
        // the mlp reads the flat vector, so its first layer shows the size: 196 inputs, not 784
        RunSpec mlp = StudyConfig.parse(fashion + ", arch = mlp, depth = 1, width = 4 }").plan().get(0);
        assertEquals(io.depthscope.nn.Network.of(mlp.network(new int[] {1, 14, 14}, 10)).paramCount(), mlp.paramCount());
        assertEquals((196 + 1) * 4 + (4 + 1) * 10, mlp.paramCount());
        RunSpec cifar = StudyConfig.parse("name = t\nrun { arch = mlp, depth = 1, width = 4, loss = cross_entropy,"
                + " dataset { kind = cifar10, path = /nonexistent, layout = image, downsample = 4 } }").plan().get(0);
        assertEquals((3 * 8 * 8 + 1) * 4 + (4 + 1) * 10, cifar.paramCount());
        // 3 does not divide 28: only the files can say whether it divides theirs, so the count waits for them
        RunSpec odd = StudyConfig.parse(fashion.replace("downsample = 2", "downsample = 3") + ", arch = mlp }").plan().get(0);
        assertEquals(-1, odd.paramCount());
    }

    /**
     * Jacobian spectra and representation ranks are defined for every preset (BatchNorm in eval mode); the per-example
     * Grams are not. A run whose matrices would exceed the SVD's limit is refused before it starts, naming the field.
     */
    @Test
    void convolutionalDiagnosticsAreAllowedWithinTheSvdLimit() {
        String images = "name = t\nrun { activation = relu, loss = cross_entropy, optimizer { kind = sgd, batch_size = 8 },"
                + " dataset { kind = fashion_mnist, layout = image, downsample = 4, n_train = 64 },";
        for (String net : List.of("arch = cnn, depth = 2, width = 4, batch_norm = true", "arch = resnet, depth = 8, width = 4, batch_norm = true",
                "arch = simple, depth = 8, width = 4", "arch = mlp_bn, depth = 2, width = 8")) {
            RunSpec r = StudyConfig.parse(images + net + ", diagnostics { steps = [0], examples = 32, confusion = false, ntk = false,"
                    + " jacobian_inputs = 2, representation = true } }").plan().get(0);
            assertEquals(2, r.diagnostics().jacobianInputs(), net);
        }
        IllegalArgumentException confusion = assertThrows(IllegalArgumentException.class, () -> StudyConfig.parse(images
                + "arch = cnn, diagnostics { steps = [0], ntk = false } }"));
        assertTrue(confusion.getMessage().startsWith("run.diagnostics.confusion: value true is not allowed; allowed: false for arch cnn"),
                confusion.getMessage());
        // 16 filters on 28 x 28 images: dh_l/dx is [12544, 784], 7.7e9 > 1e9
        IllegalArgumentException jacobian = assertThrows(IllegalArgumentException.class, () -> StudyConfig.parse(images.replace(
                "downsample = 4", "downsample = 1") + "arch = cnn, width = 16, diagnostics { steps = [0], confusion = false, ntk = false,"
                + " representation = false } }"));
        assertTrue(jacobian.getMessage().startsWith("run.diagnostics.jacobian_inputs: value 1 is not allowed; allowed: 0 for arch cnn of"
                + " width 16 on inputs [1, 28, 28]: its largest dh_l/dx would be a [12544, 784] matrix"), jacobian.getMessage());
        assertTrue(jacobian.getMessage().contains("dataset.downsample"), jacobian.getMessage());
        // the same network's representation over 64 examples fits ([64, 12544]), over 1024 it does not
        RunSpec fits = StudyConfig.parse(images.replace("downsample = 4", "downsample = 1") + "arch = cnn, width = 16, diagnostics {"
                + " steps = [0], examples = 64, confusion = false, ntk = false, jacobian_inputs = 0 } }").plan().get(0);
        assertTrue(fits.diagnostics().representation());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> StudyConfig.parse(images.replace(
                "downsample = 4, n_train = 64", "downsample = 1, n_train = 2000") + "arch = cnn, width = 16, diagnostics { steps = [0],"
                + " examples = 1024, confusion = false, ntk = false, jacobian_inputs = 0 } }"));
        assertTrue(rank.getMessage().startsWith("run.diagnostics.examples: value 1024 is not allowed; allowed: at most 282 with"
                + " diagnostics.representation = true for arch cnn"), rank.getMessage());
    }

    @Test
    void runIdIsAStableHashOfTheNormalisedConfig() {
        StudyConfig a = StudyConfig.parse("name = a\nrun { width = 8, activation = TANH }\ngrid { seed = [0, 1] }");
        StudyConfig b = StudyConfig.parse("name = b\ngrid { seed = [0, 1] }\nrun { activation = \"tanh\", width = 8.0 }");
        assertEquals(a.plan().get(0).runId(), b.plan().get(0).runId(), "the study name, key order and spelling do not change a run's id");
        assertNotEquals(a.plan().get(0).runId(), a.plan().get(1).runId());
        // pinned: a change to this value means every stored run id changes, which needs a migration note
        assertEquals(16, a.plan().get(0).runId().length());
        assertTrue(a.plan().get(0).canonical().startsWith("arch=mlp;depth=1;width=8;activation=tanh;"));
        assertTrue(a.plan().get(0).canonical().contains(";dataset.kind=sphere;"), a.plan().get(0).canonical());
    }

    @Test
    void sectionsTakeTheirKindsDefaultsThenTheGivenValues() {
        RunSpec r = StudyConfig.parse("name = k, run { optimizer { kind = nesterov, lr = 0.01 }, dataset { kind = sphere_labels, classes = 5 },"
                + " loss = cross_entropy, init { kind = orthogonal, gain = 1.5 } }").plan().get(0);
        assertEquals(0.9, r.optimizer().momentum(), "nesterov's default momentum");
        assertEquals(0.01, r.optimizer().lr());
        assertEquals(5, r.dataset().classes());
        assertEquals(1.5, r.init().gain());
        assertEquals(List.of(16, 5), List.of(r.expectedDims()[0], r.expectedDims()[1]));
    }

    /**
     * matched_params picks, per depth and arch, the integer width whose P is closest to the target: checked against every width by
     * brute force, with the closed form P = (in + 1) w + (L - 1)(w^2 + w) + (w + 1) out of an mlp (resmlp has the same maps).
     */
    @Test
    void matchedParamsPicksTheWidthWhoseParameterCountIsClosest() {
        long target = 20_000;
        List<RunSpec> plan = StudyConfig.parse("name = m, run { dataset { input_dim = 16 } }, "
                + "grid { matched_params = 20000, arch = [mlp, resmlp], depth = [1, 2, 4, 8], seed = [0, 1] }").plan();
        assertEquals(16, plan.size());
        for (RunSpec r : plan) {
            java.util.function.IntToLongFunction p = w -> 17L * w + (r.depth() - 1L) * ((long) w * w + w) + (w + 1L);
            assertEquals(p.applyAsLong(r.width()), r.paramCount(), "the closed form is the network's P");
            for (int w = 1; w < 3000; w++) {
                assertTrue(Math.abs(p.applyAsLong(r.width()) - target) <= Math.abs(p.applyAsLong(w) - target),
                        "depth " + r.depth() + ": width " + r.width() + " (P " + r.paramCount() + ") against width " + w);
            }
            assertTrue(Math.abs(r.paramCount() - target) < 0.02 * target, "depth " + r.depth() + ": P " + r.paramCount());
        }
        assertEquals(java.util.Set.of(1111, 132, 78, 52), plan.stream().map(RunSpec::width).collect(java.util.stream.Collectors.toSet()),
                "widths fall with depth");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "name = x, run { activation = swish }|run.activation|swish|relu",
        "name = x, run { width = \"abc\" }|run.width|abc|integer",
        "name = x, run { width = 0 }|run.width|0|>= 1",
        "name = x, run { optimizer { lr = -0.1 } }|run.optimizer.lr|-0.1|>= 0",
        "name = x, run { optimizer { kind = rmsprop } }|run.optimizer.kind|rmsprop|adam",
        "name = x, run { init { kind = uniform } }|run.init.kind|uniform|orthogonal",
        "name = x, run { dataset { kind = mnist } }|run.dataset.kind|mnist|fashion_mnist",
        "name = x, run { dataset { n_train = \"many\" } }|run.dataset.n_train|many|integer",
        "name = x, run { model { width = 3 } }|run.model.width|unknown field|width",
        "name = x, run { loss = cross_entropy }|run.loss|cross_entropy|mse",
        "name = x, grid { optimizer.lr = [0.1, -1] }|grid.optimizer.lr[1]|-1|>= 0",
        "name = x, run { optimizer { curvature_lr = 0 } }|run.optimizer.curvature_lr|0|a finite number > 0",
        "name = x, run { optimizer { curvature_lr = -2 } }|run.optimizer.curvature_lr|-2|a finite number > 0",
        "name = x, run { optimizer { curvature_lr = abc } }|run.optimizer.curvature_lr|abc|a number",
        "name = x, run { optimizer { curvature_lr = 1, lr = 0.1 } }|run.optimizer.lr|0.1|leave lr out",
        "name = x, run { optimizer { curvature_lr = 1 } }, grid { optimizer.lr = [0.1, 0.2] }|grid.optimizer.lr[0]|0.1|leave lr out",
        "name = x, run { optimizer { kind = adam, curvature_lr = 1 } }|run.optimizer.curvature_lr|1|kind adam",
        "name = x, run { checkpoints = [0, 500], steps = 100 }|run.checkpoints|500|steps",
        "name = x, run { widht = 3 }|run.widht|unknown field|width",
        "name = x, grid { depth = 3 }|grid.depth|3|list",
        "name = x, grid { depth = [1, 0] }|grid.depth[1]|0|>= 1",
        "name = x, grid { seed = [1, 1] }|grid|appears twice|distinct",
        "name = x, fresh_data_per_seed = 1|fresh_data_per_seed|1|true or false",
        "name = x, fresh_data_per_seed = true, run { dataset { seed = 4 } }|fresh_data_per_seed|true|dataset.seed left to the run's seed",
        "name = x, fresh_data_per_seed = true, grid { dataset.seed = [1, 2] }|fresh_data_per_seed|true|dataset.seed left",
        "run { width = 3 }|name|missing|study name",
        "name = x, grid { matched_params = 0 }|grid.matched_params|0|an integer >= 1",
        "name = x, grid { matched_params = big }|grid.matched_params|big|an integer >= 1",
        "name = x, grid { matched_params = 1500.5 }|grid.matched_params|1500.5|an integer >= 1",
        "name = x, grid { matched_params = [1000, 2000] }|grid.matched_params|[1000,2000]|an integer >= 1",
        "name = x, run { width = 8 }, grid { matched_params = 1000 }|grid.matched_params|1000|width left to matched_params",
        "name = x, grid { matched_params = 1000, width = [4, 8] }|grid.matched_params|1000|width left to matched_params",
        "name = x, grid { matched_params = 10, depth = [1, 4] }|grid.matched_params|10|>= 19, the parameter count at width 1",
        "name = x, run { bias = 3 }|run.bias|3|true or false",
        "name = x, run { dtype = float16 }|run.dtype|float16|float64",
        "name = x, run { dataset { downsample = 0 } }|run.dataset.downsample|0|>= 1",
        "name = x, run { dataset { kind = fashion_mnist, downsample = 2 } }|run.dataset.downsample|2|layout = image",
        "name = x, run { dataset { kind = cifar10, path = d, layout = image, downsample = 3 } }|run.dataset.downsample|3|1, 2, 4, 8, 16, 32",
    })
    void badConfigsNameTheFieldTheValueAndWhatIsAllowed(String hocon, String field, String value, String allowed) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StudyConfig.parse(hocon));
        assertTrue(e.getMessage().contains(field), e.getMessage());
        assertTrue(e.getMessage().contains(value), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
    }

    @Test
    void curvatureLrTakesTheLearningRateFromTheRunAndKeepsOtherRunIds() {
        RunSpec fixed = StudyConfig.parse("name = c, run { optimizer { lr = 0.05 } }").plan().get(0);
        assertFalse(fixed.canonical().contains("curvature_lr"), "a run without it keeps its run id");
        List<RunSpec> plan = StudyConfig.parse("name = c, run { optimizer { kind = momentum, curvature_lr = 1.0 } }, grid { optimizer.curvature_lr = [0.5, 1.5] }")
                .plan();
        assertEquals(List.of(0.5, 1.5), plan.stream().map(r -> r.optimizer().curvatureLr()).toList());
        for (RunSpec r : plan) {
            assertTrue(Double.isNaN(r.optimizer().lr()), "lr left to the run");
            assertEquals(0.9, r.optimizer().momentum());
            assertTrue(r.canonical().contains("optimizer.curvature_lr=" + r.optimizer().curvatureLr() + ";"), r.canonical());
            assertEquals(Double.NaN, r.columns().get("optimizer_lr"));
        }
        assertNotEquals(plan.get(0).runId(), plan.get(1).runId());
    }

    @Test
    void variantsCrossTheGridAndPairFieldsAGridCannot() {
        StudyConfig c = StudyConfig.parse("""
                name = v
                run { steps = 5 }
                variants = [ { activation = relu, init.sigma2 = 2 }, { activation = tanh, init { kind = orthogonal, gain = 1.1 } } ]
                grid { depth = [1, 2], seed = [0, 1, 2] }
                """);
        List<RunSpec> plan = c.plan();
        assertEquals(2 * 2 * 3, plan.size());
        assertEquals(List.of("relu", "relu", "relu", "relu", "relu", "relu", "tanh", "tanh", "tanh", "tanh", "tanh", "tanh"),
                plan.stream().map(RunSpec::activation).toList(), "variants in order, each crossed with the whole grid");
        for (RunSpec r : plan) {
            if (r.activation().equals("relu")) {
                assertEquals("gaussian", r.init().kind());
                assertEquals(2.0, r.init().sigma2());
            } else {
                assertEquals("orthogonal", r.init().kind());
                assertEquals(1.1, r.init().gain());
            }
        }
        assertEquals(12, plan.stream().map(RunSpec::runId).distinct().count());
    }

    @Test
    void badVariantsAreNamed() {
        assertEquals("variants: value 3 is not allowed; allowed: a non-empty list of objects { field = value, ... }",
                assertThrows(IllegalArgumentException.class, () -> StudyConfig.parse("name = v, variants = 3")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StudyConfig.parse("name = v, variants = [ { depht = 2 } ]"))
                .getMessage().startsWith("variants[0].depht: unknown field"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> StudyConfig.parse("name = v, variants = [ { depth = 2 } ], grid { depth = [1, 2] }")).getMessage()
                .startsWith("variants[0].depth: also a grid axis"));
        String m = assertThrows(IllegalArgumentException.class,
                () -> StudyConfig.parse("name = v, variants = [ { depth = 2 }, { depth = -1 } ], grid { seed = [0, 1] }")).getMessage();
        assertTrue(m.startsWith("run.depth: value -1 is not allowed") && m.contains("variants[1]"), m);
    }

    @Test
    void gridValuesAreCheckedAtPointsOfThePlanNotOverTheBaseRunsDefaults() {
        // the base run alone (arch mlp by default) may not take batch_norm; every point of this grid does
        StudyConfig c = StudyConfig.parse("name = g\nrun { activation = relu, batch_norm = true, optimizer { kind = momentum, batch_size = 8 },"
                + " dataset { kind = fashion_mnist, layout = image } }\ngrid { arch = [simple, resnet], depth = [8, 14] }");
        assertEquals(4, c.plan().size());
        assertTrue(c.plan().stream().allMatch(RunSpec::batchNorm));
        // a bad value is still named by its place in the grid, whichever axis is being checked
        String m = assertThrows(IllegalArgumentException.class,
                () -> StudyConfig.parse("name = g\ngrid { seed = [0, 1], depth = [0, 2] }")).getMessage();
        assertTrue(m.startsWith("grid.depth[0]: value 0 is not allowed"), m);
    }

    @Test
    void freshDataPerSeedDrawsEachRunsDataWithItsOwnSeedAndKeepsTheTeacher() {
        List<RunSpec> fresh = StudyConfig.parse("name = f, fresh_data_per_seed = true, run { dataset { kind = teacher } }, "
                + "grid { depth = [1, 2], seed = [3, 7] }").plan();
        assertEquals(4, fresh.size());
        for (RunSpec r : fresh) {
            assertEquals(r.seed(), r.dataset().seed(), r.runId());
            assertEquals(RunSpec.defaults().dataset().teacherSeed(), r.dataset().teacherSeed());
        }
        List<RunSpec> fixed = StudyConfig.parse("name = f, fresh_data_per_seed = false, grid { seed = [3, 7] }").plan();
        assertTrue(fixed.stream().allMatch(r -> r.dataset().seed() == RunSpec.defaults().dataset().seed()));
        // the data differ between seeds, so do the runs' ids
        assertNotEquals(StudyConfig.parse("name = f, grid { seed = [3] }").plan().get(0).runId(),
                StudyConfig.parse("name = f, fresh_data_per_seed = true, grid { seed = [3] }").plan().get(0).runId());
    }
}
