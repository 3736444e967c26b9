package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.data.IdxFiles;
import io.depthscope.data.MinibatchSampler;
import io.depthscope.util.Seeds;
import io.depthscope.nn.Landscape;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.probe.HessianWork;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training networks with BatchNorm: each step's forward folds its minibatch's statistics into the running
 * statistics, the curve is evaluated with them, checkpoints carry them, and the Hessian of a deferred step (a
 * study's second phase) is the Hessian measured in the run.
 */
class BatchNormTrainingTest {
    @TempDir
    static Path images;

    @BeforeAll
    static void smallImages() throws Exception {
        IdxFiles.fashion(images, 48, 16, 8, 8, false);
    }

    private static RunSpec spec(String overrides) {
        return StudyConfig.parse("name = t\nrun { dataset { kind = fashion_mnist, path = \"" + images + "\", layout = image, standardize = true },"
                + " loss = cross_entropy, optimizer { kind = momentum, lr = 0.05, batch_size = 16 }, steps = 6, eval_every = 3, seed = 5,"
                + " hessian { probes = 4, examples = 32, steps = [0, 6] }, checkpoints = [3, 6], " + overrides + " }").plan().get(0);
    }

    @Test
    void aResnetWithBatchNormTrainsDeterministicallyAndKeepsItsRunningStatistics() {
        RunSpec s = spec("arch = resnet, activation = relu, depth = 8, width = 2, batch_norm = true");
        Map<Integer, INDArray[]> saved = new TreeMap<>();
        RunOutcome a = Trainer.run(s, (spec, network, step, theta, b) -> saved.put(step, new INDArray[] {theta.dup(), b.dup()}), Progress.NONE);
        RunOutcome again = Trainer.run(s);
        assertEquals("ok", a.run().status(), a.run().toString());
        assertEquals(a.curve().stream().map(TrainPoint::trainLoss).toList(), again.curve().stream().map(TrainPoint::trainLoss).toList());
        assertEquals(a.moments(), again.moments());
        assertEquals(2, a.moments().size(), "Hessian moments at steps 0 and 6");

        RunContext context = RunContext.of(s);
        Network net = context.network();
        INDArray initial = net.initialBuffers(context.dtype());
        INDArray[] at3 = saved.get(3);
        INDArray[] at6 = saved.get(6);
        assertNotEquals(initial, at3[1], "three training steps move the running statistics");
        assertNotEquals(at3[1], at6[1]);

        // the curve at step 6 is the eval-mode loss with the running statistics of step 6
        Evaluator e = new Evaluator(net, context.data().train(), Trainer.EVAL_CHUNK, true, context.dtype()).withRunningStatistics(at6[1]);
        assertEquals(a.curve().get(a.curve().size() - 1).trainLoss(), e.evaluate(at6[0], false).loss());

        // each training step folds exactly its own minibatch into the statistics: replay steps 1..5 from the saved
        // state of the step before (a checkpoint at step k holds theta_k and the statistics after step k's forward)
        RunOutcome every = Trainer.run(spec("arch = resnet, activation = relu, depth = 8, width = 2, batch_norm = true, checkpoints = [0, 1, 2, 3, 4, 5]"),
                (spec, network, step, theta, b) -> saved.put(step, new INDArray[] {theta.dup(), b.dup()}), Progress.NONE);
        assertEquals("ok", every.run().status());
        MinibatchSampler sampler = new MinibatchSampler(context.data().train().size(), 16, false, Seeds.derive(s.seed(), "shuffle"));
        for (int k = 1; k <= 5; k++) {
            INDArray replay = saved.get(k - 1)[1].dup();
            Point p = net.at(MinibatchSampler.gather(context.data().train(), sampler.batch(k)), saved.get(k)[0], replay, Mode.TRAIN);
            p.updateRunningStatistics();
            assertEquals(saved.get(k)[1], replay, "running statistics after step " + k);
        }
    }

    @ParameterizedTest(name = "hessian.mode = {0}")
    @ValueSource(strings = {"eval", "train"})
    void aDeferredHessianStepIsTheHessianOfTheRun(String mode) {
        // train: the Hessian batch of 48 is three normalisation groups of 16, reloaded chunk by chunk; the run measures
        // every task on one landscape in turn, the deferred phase each on a fresh one, and the numbers must agree bitwise
        RunSpec s = spec("arch = mlp_bn, depth = 2, width = 6, hessian { mode = " + mode + ", examples = 48, top_k = 1, lanczos_steps = 4, density_runs = 2,"
                + " density_steps = 3 }");
        RunOutcome here = Trainer.run(s);
        Map<Integer, INDArray[]> deferredState = new TreeMap<>();
        RunOutcome deferred = Trainer.run(s, CheckpointSink.NONE, Progress.NONE,
                (spec, network, step, theta, b) -> deferredState.put(step, new INDArray[] {theta.dup(), b.dup()}));
        assertEquals(List.of(0, 6), deferred.hessianPending());
        RunContext context = RunContext.of(s);
        for (int step : List.of(0, 6)) {
            INDArray[] st = deferredState.get(step);
            Landscape land = context.hessianLandscape(st[0], st[1]);
            var pieces = new ArrayList<HessianWork.Piece>();
            for (HessianWork.Task t : HessianWork.plan(s.runId(), s.hessian(), step, land.paramCount())) {
                // as a study's Hessian phase does: every task on a landscape of its own
                pieces.add(HessianWork.compute(s.hessian(), s.seed(), context.hessianLandscape(st[0], st[1]), t));
            }
            var combined = HessianWork.combine(s.hessian(), s.runId(), step, land.batchSize(), land.paramCount(), pieces);
            assertEquals(here.hessian().moments().stream().filter(m -> m.step() == step).toList(), combined.moments(), "step " + step);
            assertEquals(here.hessian().eigenvalues().stream().filter(m -> m.step() == step).toList(), combined.eigenvalues(), "step " + step);
            assertEquals(here.hessian().densities().stream().filter(m -> m.step() == step).toList(), combined.densities(), "step " + step);
        }
    }

    @Test
    void layerGradientsJacobiansAndRanksButNoPerExampleGram() {
        RunSpec s = spec("arch = resnet, activation = relu, depth = 8, width = 2, batch_norm = true, diagnostics { steps = [6], examples = 32,"
                + " confusion = false, ntk = false, jacobian_inputs = 2, representation = true }");
        Map<Integer, INDArray[]> saved = new TreeMap<>();
        RunOutcome o = Trainer.run(s, (spec, network, step, theta, b) -> saved.put(step, new INDArray[] {theta.dup(), b.dup()}), Progress.NONE);
        var rows = o.diagnostics().layerGradients();
        assertEquals(8, rows.size(), "conv1, two convs in each of three blocks, linear");
        assertTrue(rows.stream().allMatch(r -> r.step() == 6 && r.weightGradientNorm() > 0 && Double.isNaN(r.deltaNorm())), rows.toString());
        assertTrue(rows.subList(0, 7).stream().allMatch(r -> Double.isNaN(r.biasGradientNorm())), "convolutions before BatchNorm have no bias");
        assertTrue(rows.get(7).biasGradientNorm() > 0);

        // Jacobians and ranks of the stem and three blocks, with BatchNorm in eval mode on the running statistics of step 6
        RunContext context = RunContext.of(s);
        Network net = context.network();
        var batch = context.diagnosticsBatch();
        INDArray theta = saved.get(6)[0];
        INDArray buffers = saved.get(6)[1];
        assertEquals(2 * 4, o.diagnostics().jacobians().size(), "2 inputs x 4 representations");
        for (var j : o.diagnostics().jacobians()) {
            double[] fresh = io.depthscope.diag.JacobianSpectrum.at(net, theta, buffers, batch, j.input()).get(j.layer() - 1).spectrum()
                    .singularValues();
            assertEquals(Math.min(1 * 8 * 8, (int) io.depthscope.nn.Module.size(net.layers().get(net.hiddenLayers()[j.layer() - 1]).outputShape())),
                    j.singularValues().size());
            for (int i = 0; i < fresh.length; i++) {
                assertEquals(fresh[i], j.singularValues().get(i), 0.0, "input " + j.input() + " layer " + j.layer());
            }
        }
        var ranks = o.diagnostics().ranks();
        var freshRanks = io.depthscope.diag.RepresentationRank.of(net.at(batch, theta, buffers, Mode.EVAL));
        assertEquals(4, ranks.size());
        for (int l = 0; l < 4; l++) {
            assertEquals(freshRanks.get(l).effectiveRank(), ranks.get(l).effectiveRank(), 1e-12 * freshRanks.get(l).effectiveRank());
            assertEquals(freshRanks.get(l).deadUnitFraction(), ranks.get(l).deadUnitFraction(), 0.0);
            assertEquals(32, ranks.get(l).examples());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> spec("arch = resnet, activation = relu, depth = 8, width = 2, batch_norm = true, diagnostics { steps = [6] }"));
        assertTrue(e.getMessage().startsWith("run.diagnostics.confusion: value true is not allowed; allowed: false for arch resnet with BatchNorm"),
                e.getMessage());
    }

    @Test
    void augmentedMinibatchesTrainADifferentButReproducibleCurve() {
        String base = "arch = cnn, depth = 1, width = 3, batch_norm = true, checkpoints = [], hessian { steps = [] }, ";
        RunSpec plain = spec(base + "dataset { standardize = false, channel_standardize = true }");
        RunSpec augmented = spec(base + "dataset { standardize = false, channel_standardize = true, augment = crop_flip }");
        List<Double> a = Trainer.run(augmented).curve().stream().map(TrainPoint::trainLoss).toList();
        assertEquals(a, Trainer.run(augmented).curve().stream().map(TrainPoint::trainLoss).toList());
        List<Double> p = Trainer.run(plain).curve().stream().map(TrainPoint::trainLoss).toList();
        assertEquals(a.get(0), p.get(0), "the same start");
        assertNotEquals(a.get(a.size() - 1), p.get(p.size() - 1), "different minibatches after it");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> spec("arch = mlp, dataset { layout = flat, augment = crop_flip }"));
        assertTrue(e.getMessage().startsWith("run.dataset.augment: value 'crop_flip' is not allowed with layout flat"), e.getMessage());
    }

    @Test
    void trainModeHessianUsesTheTrainingMinibatchesAsGroups() {
        RunSpec s = spec("arch = cnn, depth = 2, width = 3, batch_norm = true, steps = 0, checkpoints = [], hessian { steps = [0] }");
        RunContext context = RunContext.of(s);
        assertEquals(16, context.hessianChunk(32));
        assertEquals(Mode.TRAIN, context.hessianMode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunContext.of(spec("arch = cnn, depth = 2, width = 3, batch_norm = true, hessian { examples = 24 }")));
        assertTrue(e.getMessage().startsWith("run.hessian.examples: the Hessian batch would have 24 examples; allowed: a multiple of 16"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> spec("arch = cnn, depth = 2, width = 3, batch_norm = true, optimizer { batch_size = 0 }"));
        assertTrue(e.getMessage().startsWith("run.optimizer.batch_size: value 0 is not allowed; allowed: an integer >= 2 with BatchNorm"),
                e.getMessage());
    }
}
