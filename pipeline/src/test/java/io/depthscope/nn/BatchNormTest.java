package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.probe.DenseHessian;
import io.depthscope.util.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * BatchNorm1d and BatchNorm2d in tiny float64 networks: gradient and Hv against differences in both modes, blocks of
 * directions, the dense Hessian, the Gauss-Newton product, the transposed Jacobian, and the running statistics.
 */
class BatchNormTest {
    static final DataType D = DataType.DOUBLE;
    static final long[] IMAGE = {2, 2, 2};

    /** Linear(4, 5) -> BatchNorm1d(5) -> tanh -> Linear(5, out). */
    static Network net1d(String loss) {
        int out = outputs(loss);
        List<Module> m = List.of(new Linear("lin", 0, 4, 5, true), new BatchNorm("bn", new long[] {5}),
                Activations.create("tanh", 5), new Linear("out", 1, 5, out, true));
        return new Network(null, m, Loss.of(loss));
    }

    /** Linear(4, 8) -> [2, 2, 2] -> BatchNorm2d(2) -> tanh -> flatten -> Linear(8, out). */
    static Network net2d(String loss) {
        int out = outputs(loss);
        long f = Module.size(IMAGE);
        List<Module> m = List.of(new Linear("lin", 0, 4, (int) f, true), new TestReshape(new long[] {f}, IMAGE),
                new BatchNorm("bn", IMAGE), Activations.create("tanh", IMAGE), new TestReshape(IMAGE, new long[] {f}),
                new Linear("out", 1, (int) f, out, true));
        return new Network(null, m, Loss.of(loss));
    }

    static Network net(int dims, String loss) {
        return dims == 1 ? net1d(loss) : net2d(loss);
    }

    static int outputs(String loss) {
        return Fixtures.spec("mlp", "tanh", loss, true, 1).outputDim();
    }

    static Batch batch(String loss, int n, long seed) {
        return Fixtures.batch(Fixtures.spec("mlp", "tanh", loss, true, 1), n, seed, D);
    }

    /** Fixtures.theta, with every BatchNorm weight from U(0.5, 1.5) and bias from N(0, 0.3^2), as the PyTorch fixtures. */
    static INDArray theta(Network net, long seed) {
        INDArray theta = Fixtures.theta(net, seed, D);
        SplittableRandom rng = Seeds.stream(seed, "bn-affine");
        for (ParamLayout.Entry e : net.layout().entries()) {
            if (e.name().startsWith("bn.")) {
                INDArray view = net.layout().view(theta, e);
                for (int i = 0; i < view.length(); i++) {
                    view.putScalar(i, e.name().endsWith(".weight") ? 0.5 + rng.nextDouble() : 0.3 * rng.nextGaussian());
                }
            }
        }
        return theta;
    }

    /** Initial buffers with running_mean ~ N(0, 0.5^2) and running_var ~ U(0.5, 2). */
    static INDArray buffers(Network net, long seed) {
        INDArray b = net.initialBuffers(D);
        SplittableRandom rng = Seeds.stream(seed, "bn-buffers");
        for (ParamLayout.Entry e : net.bufferLayout().entries()) {
            INDArray view = net.bufferLayout().view(b, e);
            for (int i = 0; i < view.length(); i++) {
                view.putScalar(i, e.name().endsWith(".running_var") ? 0.5 + 1.5 * rng.nextDouble() : 0.5 * rng.nextGaussian());
            }
        }
        return b;
    }

    static int batchSize(int dims) {
        return dims == 1 ? 6 : 4;
    }

    @Test
    void namesShapesAndCoupling() {
        BatchNorm bn = new BatchNorm("features.0.bn", new long[] {3, 4, 5});
        assertEquals(List.of(new ParamShape("features.0.bn.weight", new long[] {3}), new ParamShape("features.0.bn.bias", new long[] {3})),
                bn.params());
        assertEquals(List.of(new ParamShape("features.0.bn.running_mean", new long[] {3}),
                new ParamShape("features.0.bn.running_var", new long[] {3})), bn.buffers());
        assertArrayEquals(new long[] {3, 4, 5}, bn.inputShape());
        assertArrayEquals(new long[] {3, 4, 5}, bn.outputShape());
        assertTrue(bn.couplesExamples(Mode.TRAIN));
        assertFalse(bn.couplesExamples(Mode.EVAL));
        assertFalse(bn.endsLayer());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm("bn", new long[] {3, 4}));
        Network net = net1d("mse");
        assertTrue(net.couplesExamples(Mode.TRAIN));
        assertFalse(net.couplesExamples(Mode.EVAL));
        // one value per channel cannot be normalised in train mode, as in PyTorch
        Batch one = batch("mse", 1, 3);
        INDArray theta = theta(net, 1);
        assertThrows(IllegalArgumentException.class, () -> net.at(one, theta, buffers(net, 2), Mode.TRAIN));
        net.at(one, theta, buffers(net, 2), Mode.EVAL);
    }

    @ParameterizedTest(name = "BN{0}d {1}")
    @CsvSource({"1, TRAIN", "1, EVAL", "2, TRAIN", "2, EVAL"})
    void float32AgreesWithFloat64(int dims, Mode mode) {
        Network net = net(dims, "cross_entropy");
        Batch batch = batch("cross_entropy", batchSize(dims), 71);
        INDArray theta = theta(net, 72);
        INDArray buffers = buffers(net, 73);
        INDArray v = Fixtures.direction(net.paramCount(), 74, D);
        Point p64 = net.at(batch, theta, buffers.dup(), mode);
        Point p32 = net.at(batch, theta.castTo(DataType.FLOAT), buffers.castTo(DataType.FLOAT), mode);
        assertEquals(p64.loss(), p32.loss(), 1e-5 * Math.abs(p64.loss()));
        assertTrue(Fixtures.relativeError(p32.gradient().toDoubleVector(), p64.gradient().toDoubleVector()) < 1e-4);
        assertTrue(Fixtures.relativeError(p32.hvp(v.castTo(DataType.FLOAT)).toDoubleVector(), p64.hvp(v).toDoubleVector()) < 1e-4);
    }

    @ParameterizedTest(name = "BN{0}d {1} {2}")
    @CsvSource({
        "1, mse, TRAIN", "1, mse, EVAL", "1, cross_entropy, TRAIN", "1, cross_entropy, EVAL",
        "2, mse, TRAIN", "2, mse, EVAL", "2, cross_entropy, TRAIN", "2, cross_entropy, EVAL",
    })
    void moduleChecks(int dims, String loss, Mode mode) {
        Network net = net(dims, loss);
        ModuleChecks.all(net, batch(loss, batchSize(dims), 11), theta(net, 12), buffers(net, 13), mode, 14);
    }

    @ParameterizedTest(name = "BN{0}d")
    @CsvSource({"1", "2"})
    void trainAndEvalCurvatureDiffer(int dims) {
        Network net = net(dims, "mse");
        Batch batch = batch("mse", batchSize(dims), 21);
        INDArray theta = theta(net, 22);
        INDArray buffers = buffers(net, 23);
        INDArray v = Fixtures.direction(net.paramCount(), 24, D);
        double[] train = ModuleChecks.at(net, batch, theta, buffers, Mode.TRAIN).hvp(v).toDoubleVector();
        double[] eval = ModuleChecks.at(net, batch, theta, buffers, Mode.EVAL).hvp(v).toDoubleVector();
        double diff = Fixtures.relativeError(train, eval);
        System.out.printf("BN%dd: train and eval Hv differ by %.3f (relative)%n", dims, diff);
        assertTrue(diff > 0.1, "train and eval Hv differ by only " + diff);
        ModuleChecks.hvpMatchesDifferences(net, batch, theta, buffers, Mode.TRAIN, 25, 1e-6);
        ModuleChecks.hvpMatchesDifferences(net, batch, theta, buffers, Mode.EVAL, 25, 1e-6);
    }

    @ParameterizedTest(name = "BN{0}d {1} {2}")
    @CsvSource({"1, mse, TRAIN", "1, mse, EVAL", "2, cross_entropy, TRAIN", "2, cross_entropy, EVAL"})
    void denseHessianIsSymmetricAndMatchesHv(int dims, String loss, Mode mode) {
        Network net = net(dims, loss);
        Point point = ModuleChecks.at(net, batch(loss, batchSize(dims), 31), theta(net, 32), buffers(net, 33), mode);
        int p = (int) net.paramCount();
        // row j of H I is H e_j, column j of H: one block of P directions gives the unsymmetrised Hessian
        INDArray raw = Nd4j.create(D, p, p);
        point.hvpBlock(Nd4j.eye(p).castTo(D), raw);
        raw = raw.transpose().dup();
        double scale = raw.norm2Number().doubleValue();
        double asymmetry = raw.sub(raw.transpose()).norm2Number().doubleValue() / scale;
        INDArray dense = DenseHessian.of(point);
        double symmetrised = dense.sub(raw).norm2Number().doubleValue() / scale;
        INDArray v = Fixtures.direction(p, 34, D);
        double columns = Fixtures.relativeError(dense.mmul(v.reshape(p, 1)).reshape(p).toDoubleVector(), point.hvp(v).toDoubleVector());
        System.out.printf("BN%dd %s %s: P=%d asymmetry %.1e, dense vs raw %.1e, H v vs Hv %.1e%n", dims, loss, mode, p, asymmetry,
                symmetrised, columns);
        assertTrue(asymmetry < 1e-12, "the Hessian's asymmetry is " + asymmetry);
        assertTrue(symmetrised < 1e-12, "DenseHessian differs from its raw columns by " + symmetrised);
        assertTrue(columns < 1e-12, "H v from the dense Hessian differs from Hv by " + columns);
    }

    /**
     * For mse, Gv = J^T J v / N, which is the gradient at theta with targets f(theta) - J v (the loss's own Hessian is
     * I/N): the transposed Jacobian of both modes, against a gradient, with J v from central differences of the outputs.
     */
    @ParameterizedTest(name = "BN{0}d {1}")
    @CsvSource({"1, TRAIN", "1, EVAL", "2, TRAIN", "2, EVAL"})
    void gaussNewtonProductMatchesGradientIdentity(int dims, Mode mode) {
        Network net = net(dims, "mse");
        Batch batch = batch("mse", batchSize(dims), 41);
        INDArray theta = theta(net, 42);
        INDArray buffers = buffers(net, 43);
        INDArray v = Fixtures.direction(net.paramCount(), 44, D);
        Point point = ModuleChecks.at(net, batch, theta, buffers, mode);
        double[] gv = point.gvp(v).toDoubleVector();
        double h = 1e-5;
        INDArray jv = ModuleChecks.at(net, batch, theta.add(v.mul(h)), buffers, mode).outputs()
                .sub(ModuleChecks.at(net, batch, theta.sub(v.mul(h)), buffers, mode).outputs()).divi(2 * h);
        Batch shifted = new Batch(batch.x(), point.outputs().sub(jv));
        double[] expected = ModuleChecks.at(net, shifted, theta, buffers, mode).gradient().toDoubleVector();
        double err = Fixtures.relativeError(gv, expected);
        assertTrue(err < 1e-7, "Gv: relative error " + err + " against the gradient identity");
        double[] hv = point.hvp(v).toDoubleVector();
        assertTrue(Fixtures.relativeError(gv, hv) > 1e-3, "Gv equals Hv: the network's curvature term is missing");
    }

    /** At the module: J^T u for one direction equals the backward pass, and a block of k equals each direction alone. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"TRAIN, 1", "EVAL, 1", "TRAIN, 2", "EVAL, 2"})
    void transposedJacobianMatchesBackwardAndBlocks(Mode mode, int dims) {
        long[] shape = dims == 1 ? new long[] {3} : new long[] {3, 2, 2};
        BatchNorm bn = new BatchNorm("bn", shape);
        int n = 5;
        int k = 3;
        SplittableRandom rng = Seeds.stream(51, "bn-module");
        INDArray w = vector(rng, 6, 0.5);
        w.get(NDArrayIndex.interval(0, 3)).addi(1.0);
        INDArray[] wv = {w.get(NDArrayIndex.interval(0, 3)), w.get(NDArrayIndex.interval(3, 6))};
        INDArray buf = Nd4j.concat(0, vector(rng, 3, 0.5), vector(rng, 3, 0.3).addi(1.0));
        INDArray[] bv = {buf.get(NDArrayIndex.interval(0, 3)), buf.get(NDArrayIndex.interval(3, 6))};
        ModulePass pass = bn.bind(n, D, mode, new BufferViews(bv));
        pass.forward(tensor(rng, 1, n, shape), wv);
        INDArray u = tensor(rng, k, n, shape);
        INDArray[][] g = new INDArray[k][];
        for (int j = 0; j < k; j++) {
            g[j] = new INDArray[] {Nd4j.create(D, 3), Nd4j.create(D, 3)};
        }
        INDArray block = pass.transposedJacobian(u, wv, g, true).dup();
        for (int j = 0; j < k; j++) {
            INDArray uj = Blocks.rows(u, j, n).dup();
            INDArray[] gb = {Nd4j.create(D, 3), Nd4j.create(D, 3)};
            INDArray dx = pass.backward(uj, wv, gb, true).dup();
            assertTrue(Fixtures.relativeError(flat(Blocks.rows(block, j, n)), flat(dx)) < 1e-14, "input gradient of direction " + j);
            assertTrue(Fixtures.relativeError(g[j][0].toDoubleVector(), gb[0].toDoubleVector()) < 1e-14, "dgamma of direction " + j);
            assertTrue(Fixtures.relativeError(g[j][1].toDoubleVector(), gb[1].toDoubleVector()) < 1e-14, "dbeta of direction " + j);
            INDArray single = pass.transposedJacobian(uj, wv, null, true);
            assertTrue(Fixtures.relativeError(flat(single), flat(dx)) < 1e-14, "J^T u without parameter outputs, direction " + j);
        }
        // the input gradient sums to zero over each channel in train mode (the mean is subtracted), not in eval mode
        INDArray perChannel = block.reshape('c', k, n, 3, -1).sum(1, 3);
        double most = perChannel.amaxNumber().doubleValue();
        if (mode == Mode.TRAIN) {
            assertTrue(most < 1e-13, "train-mode J^T u has channel sums " + perChannel);
        } else {
            assertTrue(most > 1e-3, "eval-mode J^T u has vanishing channel sums " + perChannel);
        }
    }

    static INDArray vector(SplittableRandom rng, int n, double std) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = std * rng.nextGaussian();
        }
        return Nd4j.createFromArray(a);
    }

    static INDArray tensor(SplittableRandom rng, int k, int n, long[] shape) {
        long[] full = Blocks.stackedShape(k, n, shape);
        return vector(rng, (int) (k * n * Module.size(shape)), 1.0).reshape('c', full);
    }

    static double[] flat(INDArray a) {
        return Nd4j.toFlattened('c', a).toDoubleVector();
    }

    @ParameterizedTest(name = "BN{0}d")
    @CsvSource({"1", "2"})
    void runningStatisticsFollowPyTorch(int dims) {
        Network net = net(dims, "mse");
        int n = batchSize(dims);
        Batch batch = batch("mse", n, 61);
        INDArray theta = theta(net, 62);
        INDArray before = buffers(net, 63);
        INDArray buffers = before.dup();
        Point evalBefore = net.at(batch, theta, buffers, Mode.EVAL);
        double lossBefore = evalBefore.loss();
        Point point = net.at(batch, theta, buffers, Mode.TRAIN);
        point.hvp(Fixtures.direction(net.paramCount(), 64, D));
        point.gvp(Fixtures.direction(net.paramCount(), 65, D));
        assertArrayEquals(before.toDoubleVector(), buffers.toDoubleVector(), 0.0, "forward and R-passes leave the buffers alone");
        point.updateRunningStatistics();

        // the BN input, as [n, C, HW] row-major
        double[] z = flat(point.layerOutput(dims == 1 ? 0 : 1));
        int c = dims == 1 ? 5 : (int) IMAGE[0];
        int hw = dims == 1 ? 1 : (int) (IMAGE[1] * IMAGE[2]);
        double[] rm = net.bufferLayout().view(before, "bn.running_mean").toDoubleVector();
        double[] rv = net.bufferLayout().view(before, "bn.running_var").toDoubleVector();
        double[] expectedMean = new double[c];
        double[] expectedVar = new double[c];
        int m = n * hw;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    sum += z[(i * c + ch) * hw + p];
                }
            }
            double mean = sum / m;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    double d = z[(i * c + ch) * hw + p] - mean;
                    ss += d * d;
                }
            }
            expectedMean[ch] = 0.9 * rm[ch] + 0.1 * mean;
            expectedVar[ch] = 0.9 * rv[ch] + 0.1 * ss / (m - 1);
        }
        assertArrayEquals(expectedMean, net.bufferLayout().view(buffers, "bn.running_mean").toDoubleVector(), 1e-14);
        assertArrayEquals(expectedVar, net.bufferLayout().view(buffers, "bn.running_var").toDoubleVector(), 1e-14);
        // each forward is folded at most once
        assertThrows(IllegalStateException.class, point::updateRunningStatistics);
        assertThrows(IllegalStateException.class, () -> net.at(batch, theta, buffers, Mode.EVAL).updateRunningStatistics());

        // an eval point reads the buffers at each forward: moved again, it sees the update
        double lossAfter = net.at(batch, theta, buffers.dup(), Mode.EVAL).loss();
        assertTrue(Math.abs(lossAfter - lossBefore) > 1e-6 * Math.abs(lossBefore), "the update changes the eval loss");
        assertEquals(lossAfter, evalBefore.moveTo(theta).loss(), 1e-15 * Math.abs(lossAfter));
    }
}
