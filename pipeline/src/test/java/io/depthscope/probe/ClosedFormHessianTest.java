package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.ParamLayout;
import io.depthscope.nn.Point;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Hessian blocks that have a closed form under the mean squared error Loss = (1/2N) sum_n ||f_n - y_n||^2.
 *
 * <p>The flat order of a weight W [out, in] is row-major: entry (i, j) sits at i * in + j. With that order
 * Kronecker products are written kron(rows-of-out, rows-of-in), i.e. H[(i,j),(k,l)] = B[i,k] C[j,l] is
 * kron(B, C), not the column-major vec convention (C kron B) of most textbooks.
 */
class ClosedFormHessianTest {

    /**
     * The output layer f = W_L a + b_L is linear in (W_L, b_L) and mse is quadratic in f, so with A the
     * last hidden output [N, in]: H_{W_L W_L} = kron(I_out, A^T A / N), H_{b_L b_L} = I_out and
     * H_{b_L W_L}[i, (k,l)] = delta_ik mean_n(a_n,l), whatever the layers below are.
     */
    @ParameterizedTest(name = "{0} {1} depth={2}")
    @CsvSource({"mlp, tanh, 2", "mlp, linear, 3", "resmlp, softplus, 2", "mlp, relu, 1"})
    void lastLayerBlockIsKroneckerOfHiddenGram(String arch, String act, int depth) {
        NetworkSpec spec = new NetworkSpec(arch, 4, 5, depth, 3, act, true, 0.7, "mse");
        Network net = Network.of(spec);
        Batch batch = Fixtures.batch(spec, 9, 101, DataType.DOUBLE);
        Point point = net.at(batch, Fixtures.theta(net, 102, DataType.DOUBLE));
        INDArray h = DenseHessian.of(point);

        INDArray a = point.layerOutput(net.layers().size() - 2);
        int n = batch.size();
        int out = spec.outputDim();
        int in = spec.width();
        INDArray gram = a.transpose().mmul(a).divi(n);
        INDArray mean = a.mean(0);

        ParamLayout.Entry w = net.layout().entry("layers." + depth + ".weight");
        ParamLayout.Entry b = net.layout().entry("layers." + depth + ".bias");
        double[][] expectedWW = kron(identity(out), gram.toDoubleMatrix());
        double[][] expectedBB = identity(out);
        double[][] expectedBW = new double[out][out * in];
        for (int i = 0; i < out; i++) {
            for (int l = 0; l < in; l++) {
                expectedBW[i][i * in + l] = mean.getDouble(l);
            }
        }
        assertBlock(expectedWW, block(h, w, w), 1e-12, "W_L W_L");
        assertBlock(expectedBB, block(h, b, b), 1e-12, "b_L b_L");
        assertBlock(expectedBW, block(h, b, w), 1e-12, "b_L W_L");
    }

    /**
     * A one-hidden-layer linear network f = W1 (W0 x + b0) + b1 is linear in W0, so its W0 block is the
     * Gauss-Newton term alone: H_{W0 W0}[(i,j),(k,l)] = (W1^T W1)[i,k] (X^T X / N)[j,l], i.e.
     * kron(W1^T W1, X^T X / N) in the row-major order. This one goes through the backward pass.
     */
    @ParameterizedTest(name = "bias={0}")
    @CsvSource({"true", "false"})
    void firstLayerBlockOfLinearNetwork(boolean bias) {
        NetworkSpec spec = new NetworkSpec("mlp", 3, 4, 1, 2, "linear", bias, 1.0, "mse");
        Network net = Network.of(spec);
        Batch batch = Fixtures.batch(spec, 7, 111, DataType.DOUBLE);
        INDArray theta = Fixtures.theta(net, 112, DataType.DOUBLE);
        Point point = net.at(batch, theta);
        INDArray h = DenseHessian.of(point);

        INDArray x = batch.x();
        INDArray w1 = net.layout().view(theta, "layers.1.weight");
        double[][] expected = kron(w1.transpose().mmul(w1).toDoubleMatrix(),
                x.transpose().mmul(x).divi(batch.size()).toDoubleMatrix());
        ParamLayout.Entry w0 = net.layout().entry("layers.0.weight");
        assertBlock(expected, block(h, w0, w0), 1e-12, "W0 W0");
    }

    private static double[][] block(INDArray h, ParamLayout.Entry rows, ParamLayout.Entry cols) {
        return h.get(NDArrayIndex.interval(rows.offset(), rows.offset() + rows.size()),
                NDArrayIndex.interval(cols.offset(), cols.offset() + cols.size())).toDoubleMatrix();
    }

    static double[][] kron(double[][] b, double[][] c) {
        int br = b.length;
        int bc = b[0].length;
        int cr = c.length;
        int cc = c[0].length;
        double[][] k = new double[br * cr][bc * cc];
        for (int i = 0; i < br; i++) {
            for (int j = 0; j < bc; j++) {
                for (int p = 0; p < cr; p++) {
                    for (int q = 0; q < cc; q++) {
                        k[i * cr + p][j * cc + q] = b[i][j] * c[p][q];
                    }
                }
            }
        }
        return k;
    }

    static double[][] identity(int n) {
        double[][] id = new double[n][n];
        for (int i = 0; i < n; i++) {
            id[i][i] = 1.0;
        }
        return id;
    }

    /** Max-entry error relative to the largest expected entry. */
    static void assertBlock(double[][] expected, double[][] actual, double tol, String what) {
        assertTrue(expected.length == actual.length && expected[0].length == actual[0].length,
                what + ": shape " + actual.length + "x" + actual[0].length + ", expected " + expected.length + "x" + expected[0].length);
        double scale = 0;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[0].length; j++) {
                scale = Math.max(scale, Math.abs(expected[i][j]));
                err = Math.max(err, Math.abs(expected[i][j] - actual[i][j]));
            }
        }
        assertTrue(scale > 0, what + ": the expected block is not zero");
        assertTrue(err <= tol * scale, what + ": max error " + err + " relative to " + scale);
    }
}
