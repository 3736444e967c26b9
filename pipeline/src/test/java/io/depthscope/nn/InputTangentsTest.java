package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward R-pass with the input as the direction and the parameters fixed ({@link Point#inputTangents}): every
 * layer module's directional derivative against central differences of that module's output, for every preset, in
 * both modes (train-mode BatchNorm: the derivative of the batch's map, every example moved at once).
 */
class InputTangentsTest {
    static Network network(String arch, boolean bn, String shortcut, String act) {
        NetworkSpec s = switch (arch) {
            case "mlp", "resmlp", "mlp_bn" -> new NetworkSpec(arch, 5, 4, 3, 2, act, true, 0.7, "mse");
            case "cnn" -> new NetworkSpec(arch, 0, 2, 2, 2, act, true, 1.0, "mse", List.of(), bn, shortcut).withInputShape(List.of(2, 4, 4));
            default -> new NetworkSpec(arch, 0, 1, 8, 2, "relu", true, 1.0, "mse", List.of(), bn, shortcut).withInputShape(List.of(1, 4, 4));
        };
        return Network.of(s);
    }

    /** Running statistics away from PyTorch's start (mean 0, variance 1), so that eval mode's affine map is not near the identity. */
    static INDArray buffers(Network net, long seed) {
        if (net.bufferLayout().size() == 0) {
            return null;
        }
        SplittableRandom rng = Seeds.stream(seed, "test-buffers");
        INDArray b = net.initialBuffers(DataType.DOUBLE);
        for (ParamLayout.Entry e : net.bufferLayout().entries()) {
            INDArray view = net.bufferLayout().view(b, e);
            boolean variance = e.name().endsWith(".running_var");
            for (long i = 0; i < view.length(); i++) {
                view.putScalar(i, variance ? 0.5 + rng.nextDouble() : 0.3 * rng.nextGaussian());
            }
        }
        return b;
    }

    @ParameterizedTest(name = "{0} bn={1} shortcut={2} {3} {4}")
    @CsvSource({
        "mlp, false, A, tanh, train", "resmlp, false, A, softplus, train", "mlp_bn, true, A, tanh, eval", "mlp_bn, true, A, tanh, train",
        "cnn, false, A, tanh, train", "cnn, true, A, relu, eval", "cnn, true, A, tanh, train",
        "resnet, true, A, relu, eval", "resnet, true, B, relu, eval", "resnet, true, B, relu, train", "resnet, false, A, relu, train",
        "simple, true, A, relu, eval"})
    void everyLayerOutputsDerivativeMatchesCentralDifferences(String arch, boolean bn, String shortcut, String act, String mode) {
        Network net = network(arch, bn, shortcut, act);
        Mode m = Mode.of(mode);
        INDArray theta = ImageFixtures.theta(net, 11, DataType.DOUBLE);
        INDArray buffers = buffers(net, 12);
        int n = 3;
        int k = 2;
        int d = (int) Module.size(net.inputShape());
        Batch batch = ImageFixtures.batch(net, n, 13, DataType.DOUBLE);
        INDArray dirs = RandomArrays.matrix(RandomArrays.gaussian(Seeds.stream(14, "test-input-directions"), k * n * d, 1.0), k * n, d,
                DataType.DOUBLE);
        Point point = net.at(batch, theta, buffers, m);
        List<INDArray> tangents = point.inputTangents(dirs);
        assertEquals(net.layers().size(), tangents.size());
        double h = 1e-6;
        for (int j = 0; j < k; j++) {
            INDArray u = dirs.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(j * n, (j + 1) * n),
                    org.nd4j.linalg.indexing.NDArrayIndex.all());
            Point plus = net.at(new Batch(batch.x().add(u.mul(h)), batch.targets()), theta, buffers, m);
            Point minus = net.at(new Batch(batch.x().sub(u.mul(h)), batch.targets()), theta, buffers, m);
            for (int l = 0; l < tangents.size(); l++) {
                double[] fd = plus.layerOutput(l).sub(minus.layerOutput(l)).divi(2 * h).reshape(-1).toDoubleVector();
                double[] r = Blocks.rows(tangents.get(l), j, n).dup().reshape(-1).toDoubleVector();
                // relative to the difference quotient, with an absolute floor for its rounding (about 1e-16 |out| / h per
                // entry): behind relus a deep output's derivative can be tiny
                double diff = 0;
                double scale = 0;
                for (int q = 0; q < r.length; q++) {
                    diff += (r[q] - fd[q]) * (r[q] - fd[q]);
                    scale += fd[q] * fd[q];
                }
                double tol = 1e-6 * Math.sqrt(scale) + 1e-9 * Math.sqrt(r.length);
                assertTrue(Math.sqrt(diff) <= tol, arch + " " + mode + " direction " + j + " layer module " + l + ": error " + Math.sqrt(diff)
                        + " against differences of norm " + Math.sqrt(scale));
            }
        }
    }

    @ParameterizedTest(name = "{0} bn={1}")
    @CsvSource({"mlp, false", "cnn, true", "resnet, true"})
    void aFixedInputAndFixedParametersMoveNothingAndBadDirectionsAreRefused(String arch, boolean bn) {
        Network net = network(arch, bn, "B", "relu");
        INDArray theta = ImageFixtures.theta(net, 21, DataType.DOUBLE);
        Point point = net.at(ImageFixtures.batch(net, 2, 22, DataType.DOUBLE), theta, buffers(net, 23), Mode.EVAL);
        ModulePass first = net.layers().get(0).bind(2, DataType.DOUBLE, Mode.EVAL, BufferViews.NONE);
        first.forward(point.batch().x(), net.layout().layerViews(theta)[0]);
        assertNull(first.rForward(null, net.layout().layerViews(theta)[0], new INDArray[3][]), "R{x} = 0 and every direction fixed");
        int d = (int) Module.size(net.inputShape());
        assertThrows(IllegalArgumentException.class, () -> point.inputTangents(Nd4j.zeros(DataType.DOUBLE, 3, d)), "3 rows for 2 examples");
        assertThrows(IllegalArgumentException.class, () -> point.inputTangents(Nd4j.zeros(DataType.DOUBLE, 2, d + 1)), "wrong width");
        assertThrows(IllegalArgumentException.class, () -> point.inputTangents(Nd4j.zeros(DataType.FLOAT, 2, d)), "wrong dtype");
        // the activation that dead units are read from: the module itself, or the one after a residual block's add
        for (int l = 0; l < net.layers().size(); l++) {
            Module module = net.layers().get(l);
            if (module instanceof ElementwiseActivation) {
                assertSame(point.layerOutput(l), point.layerActivation(l));
            }
            if (module instanceof Residual) {
                assertSame(point.layerOutput(l), point.layerActivation(l), "resnet: relu after the add");
            }
        }
    }
}
