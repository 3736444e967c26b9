package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.data.IdxFiles;
import io.depthscope.nn.Bindings;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A run whose passes share one bound point per (examples, mode) gives the numbers of a run that binds a fresh point
 * for every pass, to the last bit: its curve, its parameters and BatchNorm's running statistics after every step, its
 * Hessian and its diagnostics. Minibatches leave a smaller last one per epoch, and the Hessian and diagnostics chunks
 * borrow the training steps' points between steps.
 */
class TrainerBindingsTest {
    @TempDir
    static Path images;

    @BeforeAll
    static void smallImages() throws Exception {
        IdxFiles.fashion(images, 40, 16, 8, 8, false);
    }

    private static RunSpec spec(String kind) {
        String run = switch (kind) {
            // minibatches of 12 from 40 examples (the last of each epoch 4); Hessian on the whole batch, in one point
            case "mlp" -> "arch = mlp, depth = 2, width = 8, activation = tanh, dataset { kind = sphere_labels, n_train = 40, n_test = 10,"
                    + " input_dim = 5, classes = 3 }, loss = cross_entropy, optimizer { kind = sgd, lr = 0.1, batch_size = 12 }, steps = 8,"
                    + " hessian { probes = 3, examples = 20, steps = [0, 8], top_k = 1, lanczos_steps = 4 },"
                    + " diagnostics { steps = [0, 8], examples = 16, minibatches = 2, minibatch_size = 8 }";
            // full batch: the evaluator's chunks are the training passes; the Hessian in chunks of 8 and a rest of 4
            case "resmlp" -> "arch = resmlp, depth = 3, width = 6, activation = softplus, dataset { n_train = 30, n_test = 10, input_dim = 4 },"
                    + " optimizer { kind = momentum, lr = 0.05 }, steps = 6,"
                    + " hessian { probes = 3, examples = 20, chunk = 8, steps = [3, 6], density_runs = 1, density_steps = 4 }";
            // BatchNorm: minibatches of 16 from 40 (the last 8), augmented; Hessian and layer gradients in groups of 16
            default -> "arch = resnet, activation = relu, depth = 8, width = 2, batch_norm = true, loss = cross_entropy, dataset { kind = "
                    + "fashion_mnist, path = \"" + images + "\", layout = image, channel_standardize = true, augment = crop_flip },"
                    + " optimizer { kind = momentum, lr = 0.05, batch_size = 16 }, steps = 7,"
                    + " hessian { probes = 2, examples = 32, steps = [0, 4, 7], top_k = 1, lanczos_steps = 3 },"
                    + " diagnostics { steps = [0, 7], examples = 32, confusion = false, ntk = false, jacobian_inputs = 0, representation = false }";
        };
        return StudyConfig.parse("name = t\nrun { " + run + ", eval_every = 2, seed = 3, checkpoints = [0, 1, 2, 3, 4, 5, 6] }").plan().get(0);
    }

    /** The run, with theta and the running statistics at every checkpoint. */
    private static RunOutcome run(RunSpec spec, java.util.function.BiFunction<io.depthscope.nn.Network, INDArray, Bindings> bindings,
                                  Map<Integer, double[][]> saved) {
        return Trainer.run(spec, (s, network, step, theta, buffers) -> saved.put(step, new double[][] {theta.toDoubleVector(),
                buffers == null ? new double[0] : buffers.toDoubleVector()}), Progress.NONE, null, bindings);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "resmlp", "resnet"})
    void sharedPointsGiveTheBitsOfFreshOnes(String kind) {
        RunSpec spec = spec(kind);
        Map<Integer, double[][]> shared = new TreeMap<>();
        Map<Integer, double[][]> fresh = new TreeMap<>();
        RunOutcome a = run(spec, Bindings::shared, shared);
        RunOutcome b = run(spec, Bindings::fresh, fresh);
        assertEquals("ok", a.run().status(), a.run().toString());
        assertEquals(curve(b), curve(a));
        assertEquals(b.hessian(), a.hessian());
        assertFalse(a.moments().isEmpty());
        assertEquals(b.diagnostics(), a.diagnostics());
        assertEquals(fresh.keySet(), shared.keySet());
        for (int step : fresh.keySet()) {
            assertArrayEquals(fresh.get(step)[0], shared.get(step)[0], kind + ": theta at step " + step);
            assertArrayEquals(fresh.get(step)[1], shared.get(step)[1], kind + ": running statistics at step " + step);
        }
        assertTrue(!kind.equals("resnet") || !java.util.Arrays.equals(shared.get(0)[1], shared.get(6)[1]), "the running statistics move");
    }

    /** The curve without its wall-clock seconds. */
    private static List<List<Double>> curve(RunOutcome o) {
        return o.curve().stream().map(p -> List.of((double) p.step(), p.trainLoss(), p.trainAccuracy(), p.gradientNorm(), p.testLoss(),
                p.testAccuracy())).toList();
    }
}
