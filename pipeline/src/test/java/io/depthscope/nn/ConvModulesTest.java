package io.depthscope.nn;

import static io.depthscope.nn.ImageFixtures.check;
import static io.depthscope.nn.ImageFixtures.mse;
import static io.depthscope.nn.ImageFixtures.tanh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Conv2d, the pools, Flatten and option A, each in a tiny float64 network: gradient and Hv against differences, a
 * block of directions against single ones; and each forward map against a direct loop over its definition.
 */
class ConvModulesTest {
    @ParameterizedTest(name = "in {0} out {1} kernel {2} stride {3} padding {4} bias {5} {6}x{7}")
    @CsvSource({
        "2, 2, 3, 1, 1, true, 4, 4",
        "1, 3, 3, 2, 0, false, 7, 6",
        "1, 2, 2, 2, 1, true, 5, 4",
        "3, 2, 1, 1, 0, true, 3, 4",
    })
    void convThenActivationThenLinear(int in, int out, int kernel, int stride, int padding, boolean bias, int h, int w) {
        Conv2d conv = new Conv2d("conv", 0, in, out, kernel, stride, padding, bias, h, w);
        Flatten flat = new Flatten(conv.outputShape());
        check(mse(conv, tanh(conv), flat, new Linear("fc", 1, (int) flat.outputShape()[0], 1, true)), 3, 11);
    }

    @Test
    void convAfterConvTakesAnRInput() {
        Conv2d first = new Conv2d("c0", 0, 1, 2, 2, 2, 1, true, 5, 4);
        Conv2d second = new Conv2d("c1", 1, 2, 2, 3, 1, 1, false, 3, 3);
        Flatten flat = new Flatten(second.outputShape());
        check(mse(first, tanh(first), second, tanh(second), flat, new Linear("fc", 2, 18, 1, true)), 3, 21);
    }

    @Test
    void maxPoolOfOddSize() {
        Conv2d conv = new Conv2d("conv", 0, 1, 2, 3, 1, 1, true, 5, 7);
        MaxPool2d pool = new MaxPool2d(2, 5, 7);
        assertArrayEquals(new long[] {2, 2, 3}, pool.outputShape());
        check(mse(conv, tanh(conv), pool, new Flatten(pool.outputShape()), new Linear("fc", 1, 12, 1, true)), 3, 31);
    }

    @Test
    void maxPoolOnTheInputThenConv() {
        MaxPool2d pool = new MaxPool2d(1, 5, 7);
        Conv2d conv = new Conv2d("conv", 0, 1, 2, 3, 1, 1, true, 2, 3);
        check(mse(pool, conv, tanh(conv), new Flatten(conv.outputShape()), new Linear("fc", 1, 12, 1, true)), 3, 41);
    }

    @Test
    void avgPoolOfOddSize() {
        Conv2d conv = new Conv2d("conv", 0, 1, 2, 3, 1, 1, true, 5, 7);
        AvgPool2d pool = new AvgPool2d(2, 5, 7);
        assertArrayEquals(new long[] {2, 2, 3}, pool.outputShape());
        ElementwiseActivation act = tanh(pool);
        check(mse(conv, tanh(conv), pool, act, new Flatten(pool.outputShape()), new Linear("fc", 1, 12, 1, true)), 3, 51);
    }

    @Test
    void globalAvgPool() {
        Conv2d conv = new Conv2d("conv", 0, 1, 3, 3, 1, 1, true, 5, 7);
        GlobalAvgPool pool = new GlobalAvgPool(3, 5, 7);
        check(mse(conv, tanh(conv), pool, tanh(pool), new Linear("fc", 1, 3, 2, true)), 3, 61);
    }

    /** A CIFAR-style residual block whose shortcut subsamples by 2 and pads 1 -> 4 channels (one zero channel before, two after). */
    @Test
    void shortcutAInAResidualBlock() {
        Conv2d stem = new Conv2d("stem", 0, 1, 1, 1, 1, 0, true, 5, 5);
        Conv2d c1 = new Conv2d("block.conv1", 1, 1, 4, 3, 2, 1, true, 5, 5);
        Conv2d c2 = new Conv2d("block.conv2", 2, 4, 4, 1, 1, 0, false, 3, 3);
        ShortcutA shortcut = new ShortcutA(1, 4, 2, 5, 5);
        Residual block = new Residual(Sequential.of(c1, tanh(c1), c2), shortcut, 1.0, tanh(c2));
        Flatten flat = new Flatten(block.outputShape());
        check(mse(stem, tanh(stem), block, flat, new Linear("fc", 3, 36, 1, true)), 3, 71);
    }

    /** The forward map against the definition of a cross-correlation with zero padding, written out. */
    @Test
    void convForwardIsTorchsCrossCorrelation() {
        int n = 2, c = 2, o = 3, k = 3, s = 2, p = 1, h = 6, w = 5;
        Conv2d conv = new Conv2d("conv", 0, c, o, k, s, p, true, h, w);
        Network net = mse(conv, new Flatten(conv.outputShape()));
        INDArray theta = ImageFixtures.theta(net, 5, DataType.DOUBLE);
        INDArray x = Nd4j.rand(DataType.DOUBLE, n, c, h, w).subi(0.5);
        INDArray out = net.at(new Batch(x, Nd4j.zeros(DataType.DOUBLE, n, Module.size(conv.outputShape()))), theta).outputs();
        INDArray wt = net.layout().view(theta, "conv.weight");
        INDArray b = net.layout().view(theta, "conv.bias");
        int ho = (h + 2 * p - k) / s + 1, wo = (w + 2 * p - k) / s + 1;
        assertArrayEquals(new long[] {o, ho, wo}, conv.outputShape());
        double worst = 0;
        for (int e = 0; e < n; e++) {
            for (int f = 0; f < o; f++) {
                for (int y = 0; y < ho; y++) {
                    for (int xx = 0; xx < wo; xx++) {
                        double sum = b.getDouble(f);
                        for (int ch = 0; ch < c; ch++) {
                            for (int i = 0; i < k; i++) {
                                for (int j = 0; j < k; j++) {
                                    int r = y * s - p + i, col = xx * s - p + j;
                                    if (r >= 0 && r < h && col >= 0 && col < w) {
                                        sum += wt.getDouble(f, ch, i, j) * x.getDouble(e, ch, r, col);
                                    }
                                }
                            }
                        }
                        worst = Math.max(worst, Math.abs(sum - out.getDouble(e, (f * ho + y) * wo + xx)));
                    }
                }
            }
        }
        assertEquals(0.0, worst, 1e-14);
    }

    /** Ties go to the first position of the window in row-major order, in the forward gather and the backward scatter. */
    @Test
    void maxPoolTiesGoToTheFirstPosition() {
        MaxPool2d pool = new MaxPool2d(1, 2, 8);
        // windows: all equal; top-right ties bottom-left and bottom-right; bottom-left ties bottom-right; -0.0 vs 0.0
        double[] top = {1, 1, 0, 2, 0, 0, -0.0, 0.0};
        double[] bottom = {1, 1, 2, 2, 3, 3, 0.0, 0.0};
        INDArray x = Nd4j.createFromArray(new double[][][][] {{{top, bottom}}});
        ModulePass pass = pool.bind(1, DataType.DOUBLE, Mode.TRAIN, BufferViews.NONE);
        INDArray[] none = new INDArray[0];
        assertArrayEquals(new double[] {1, 2, 3, 0}, flat(pass.forward(x, none)));
        INDArray gradOut = Nd4j.createFromArray(new double[][][][] {{{{10, 20, 30, 40}}}});
        INDArray gradIn = pass.backward(gradOut, none, none, true);
        assertArrayEquals(new double[] {10, 0, 0, 20, 0, 0, 40, 0}, gradIn.slice(0).slice(0).getRow(0).toDoubleVector());
        assertArrayEquals(new double[] {0, 0, 0, 0, 30, 0, 0, 0}, gradIn.slice(0).slice(0).getRow(1).toDoubleVector());
        INDArray rIn = Nd4j.rand(DataType.DOUBLE, 1, 1, 2, 8);
        INDArray rOut = pass.rForward(rIn, none, new INDArray[][] {none});
        assertArrayEquals(new double[] {rIn.getDouble(0, 0, 0, 0), rIn.getDouble(0, 0, 0, 3), rIn.getDouble(0, 0, 1, 4), rIn.getDouble(0, 0, 0, 6)},
                flat(rOut));
    }

    private static double[] flat(INDArray a) {
        return a.reshape(a.length()).toDoubleVector();
    }

    @Test
    void poolsAgainstTheirDefinition() {
        int n = 2, c = 3, h = 5, w = 7;
        INDArray x = Nd4j.rand(DataType.DOUBLE, n, c, h, w).subi(0.5);
        INDArray[] none = new INDArray[0];
        INDArray max = new MaxPool2d(c, h, w).bind(n, DataType.DOUBLE, Mode.TRAIN, BufferViews.NONE).forward(x, none);
        INDArray avg = new AvgPool2d(c, h, w).bind(n, DataType.DOUBLE, Mode.TRAIN, BufferViews.NONE).forward(x, none);
        INDArray global = new GlobalAvgPool(c, h, w).bind(n, DataType.DOUBLE, Mode.TRAIN, BufferViews.NONE).forward(x, none);
        assertArrayEquals(new long[] {n, c, 2, 3}, max.shape());
        for (int e = 0; e < n; e++) {
            for (int ch = 0; ch < c; ch++) {
                double sum = 0;
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        sum += x.getDouble(e, ch, y, xx);
                    }
                }
                assertEquals(sum / (h * w), global.getDouble(e, ch), 1e-15);
                for (int y = 0; y < 2; y++) {
                    for (int xx = 0; xx < 3; xx++) {
                        double a = x.getDouble(e, ch, 2 * y, 2 * xx), b = x.getDouble(e, ch, 2 * y, 2 * xx + 1);
                        double cc = x.getDouble(e, ch, 2 * y + 1, 2 * xx), d = x.getDouble(e, ch, 2 * y + 1, 2 * xx + 1);
                        assertEquals(Math.max(Math.max(a, b), Math.max(cc, d)), max.getDouble(e, ch, y, xx), 0.0);
                        assertEquals((a + b + cc + d) / 4, avg.getDouble(e, ch, y, xx), 1e-15);
                    }
                }
            }
        }
    }

    /** x[:, :, ::s, ::s] with (out - in) / 2 zero channels before and the rest after, and the adjoint. */
    @Test
    void shortcutAAgainstItsDefinition() {
        int n = 2, in = 2, out = 5, s = 2, h = 5, w = 4;
        ShortcutA a = new ShortcutA(in, out, s, h, w);
        assertArrayEquals(new long[] {out, 3, 2}, a.outputShape());
        INDArray x = Nd4j.rand(DataType.DOUBLE, n, in, h, w);
        ModulePass pass = a.bind(n, DataType.DOUBLE, Mode.TRAIN, BufferViews.NONE);
        INDArray[] none = new INDArray[0];
        INDArray y = pass.forward(x, none);
        INDArray u = Nd4j.rand(DataType.DOUBLE, n, out, 3, 2);
        INDArray back = pass.backward(u, none, none, true);
        for (int e = 0; e < n; e++) {
            for (int ch = 0; ch < out; ch++) {
                for (int r = 0; r < 3; r++) {
                    for (int col = 0; col < 2; col++) {
                        double expected = ch >= 1 && ch < 1 + in ? x.getDouble(e, ch - 1, s * r, s * col) : 0.0;
                        assertEquals(expected, y.getDouble(e, ch, r, col), 0.0);
                    }
                }
            }
            for (int ch = 0; ch < in; ch++) {
                for (int r = 0; r < h; r++) {
                    for (int col = 0; col < w; col++) {
                        double expected = r % s == 0 && col % s == 0 ? u.getDouble(e, ch + 1, r / s, col / s) : 0.0;
                        assertEquals(expected, back.getDouble(e, ch, r, col), 0.0);
                    }
                }
            }
        }
    }

    @Test
    void shapesAndNames() {
        Conv2d conv = new Conv2d("features.0.conv", 3, 2, 4, 3, 2, 1, true, 12, 20);
        assertArrayEquals(new long[] {4, 6, 10}, conv.outputShape());
        assertEquals(List.of(new ParamShape("features.0.conv.weight", new long[] {4, 2, 3, 3}), new ParamShape("features.0.conv.bias", new long[] {4})),
                conv.params());
        assertEquals(1, new Conv2d("c", 0, 1, 1, 3, 1, 0, false, 3, 3).params().size());
        assertEquals(3, conv.index());
        assertThrows(IllegalArgumentException.class, () -> new Conv2d("c", 0, 1, 1, 5, 1, 0, true, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> new ShortcutA(4, 2, 2, 8, 8));
        assertArrayEquals(new long[] {16, 4, 4}, new ShortcutA(16, 16, 2, 7, 8).outputShape());
    }
}
