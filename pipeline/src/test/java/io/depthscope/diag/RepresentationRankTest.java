package io.depthscope.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import io.depthscope.util.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Effective rank of matrices with chosen spectra, dead relu units on a constructed network, and a convolutional
 * representation with BatchNorm in eval mode against explicit loops.
 */
class RepresentationRankTest {
    /** k orthonormal columns in R^n: the first k columns of Q from the QR factorisation of a Gaussian matrix. */
    private static RealMatrix orthonormalColumns(int n, int k, SplittableRandom rng) {
        double[][] g = new double[n][k];
        for (double[] row : g) {
            for (int j = 0; j < k; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        return new QRDecomposition(new Array2DRowRealMatrix(g, false)).getQ().getSubMatrix(0, n - 1, 0, k - 1);
    }

    /** U diag(s) V^T [n, m] with orthonormal U, V: a rank-s.length matrix with exactly the singular values s. */
    private static INDArray withSpectrum(int n, int m, double[] s, long seed) {
        SplittableRandom rng = Seeds.stream(seed, "spectrum");
        RealMatrix u = orthonormalColumns(n, s.length, rng);
        RealMatrix v = orthonormalColumns(m, s.length, rng);
        return Nd4j.createFromArray(u.multiply(MatrixUtils.createRealDiagonalMatrix(s)).multiply(v.transpose()).getData());
    }

    @Test
    void effectiveRankIsTheExponentialOfTheSpectralEntropy() {
        double[] s = {3, 2, 1, 0.5};
        double sum = 6.5;
        double entropy = -(3 / sum) * Math.log(3 / sum) - (2 / sum) * Math.log(2 / sum)
                - (1 / sum) * Math.log(1 / sum) - (0.5 / sum) * Math.log(0.5 / sum);
        INDArray m = withSpectrum(9, 7, s, 1);
        assertEquals(Math.exp(entropy), RepresentationRank.effectiveRank(m), 1e-9);
        // the zero singular values of a rank-4 matrix in 7 dimensions round to about 1e-15, far below 1e-3 x 3
        assertEquals(3.0 / 7.0, RepresentationRank.smallFraction(JacobianSpectrum.singularValues(m), 1e-3), 0.0);
    }

    @ParameterizedTest(name = "rank {0}")
    @ValueSource(ints = {1, 3, 6})
    void equalSingularValuesGiveExactlyTheRank(int r) {
        double[] s = new double[r];
        java.util.Arrays.fill(s, 2.5);
        INDArray m = withSpectrum(10, 6, s, 2 + r);
        assertEquals(r, RepresentationRank.effectiveRank(m), 1e-9);
        assertEquals((6.0 - r) / 6.0, RepresentationRank.smallFraction(JacobianSpectrum.singularValues(m), 1e-3), 0.0);
    }

    @Test
    void smallFractionCountsValuesBelowTheThresholdTimesTheLargest() {
        double[] s = {1.0, 0.5, 2e-3, 5e-4, 1e-5};
        assertEquals(0.4, RepresentationRank.smallFraction(s, 1e-3), 0.0);
        assertEquals(0.2, RepresentationRank.smallFraction(s, 1e-4), 0.0);
        assertEquals(0.0, RepresentationRank.effectiveRank(new double[] {0, 0}), 0.0);
    }

    /** Unit k of map i gets bias b: a very negative b makes f(z) = relu(z) 0 for every example. */
    private static void setBias(Network net, INDArray theta, int map, int unit, double b) {
        net.layout().view(theta, "layers." + map + ".bias").putScalar(unit, b);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "resmlp"})
    void reluUnitsWithVeryNegativeBiasAreDead(String arch) {
        NetworkSpec spec = new NetworkSpec(arch, 4, 5, 2, 2, "relu", true, 1.0, "mse");
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 91, DataType.DOUBLE);
        // layer 1: units 0 and 2 dead, the others pushed far positive so none dies by chance;
        // layer 2: unit 4 dead, the others far positive (|W h_1| stays far below 1e4)
        for (int k = 0; k < spec.width(); k++) {
            setBias(net, theta, 0, k, k == 0 || k == 2 ? -100 : 100);
            setBias(net, theta, 1, k, k == 4 ? -1e4 : 1e4);
        }
        Point p = net.at(Fixtures.batch(spec, 20, 92, DataType.DOUBLE), theta);
        List<RepresentationRank.Layer> layers = RepresentationRank.of(p);
        assertEquals(2, layers.size());
        assertEquals(2.0 / 5.0, layers.get(0).deadUnitFraction(), 0.0);
        assertEquals(1.0 / 5.0, layers.get(1).deadUnitFraction(), 0.0);
        // in the mlp h_1's dead units are zero columns (at most 3 live columns, so rank <= 3); in the
        // resmlp h_2 = h_1 + relu(z_2) keeps h_1's columns, so only the activation inside the block is dead
        double[][] h1 = p.hiddenRepresentations().get(0).toDoubleMatrix();
        for (double[] row : h1) {
            assertEquals(0.0, row[0], 0.0);
            assertEquals(0.0, row[2], 0.0);
        }
        assertTrue(layers.get(0).effectiveRank() <= 3.0 + 1e-9, "rank of h_1 " + layers.get(0).effectiveRank());
        assertEquals(2.0 / 5.0, layers.get(0).smallSingularValueFraction(), 0.0);
    }

    @Test
    void tanhUnitsAreNotDeadAndRanksMatchTheHiddenMatrices() {
        NetworkSpec spec = new NetworkSpec("mlp", 4, 5, 3, 2, "tanh", true, 1.0, "mse");
        Network net = Network.of(spec);
        Point p = net.at(Fixtures.batch(spec, 8, 102, DataType.DOUBLE), Fixtures.theta(net, 101, DataType.DOUBLE));
        List<RepresentationRank.Layer> layers = RepresentationRank.of(p);
        for (RepresentationRank.Layer layer : layers) {
            assertEquals(0.0, layer.deadUnitFraction(), 0.0);
            INDArray h = p.hiddenRepresentations().get(layer.layer() - 1);
            assertEquals(RepresentationRank.effectiveRank(h), layer.effectiveRank(), 1e-12);
            assertTrue(layer.effectiveRank() >= 1 && layer.effectiveRank() <= spec.width(), "erank " + layer.effectiveRank());
        }
    }

    /**
     * A cnn of one stage (3x3 conv of 1 channel to 2 on 4x4 images, padding 1, BatchNorm in eval mode, relu), its
     * representation computed by explicit loops: row n is example n's [2, 4, 4] map flattened channel by channel.
     */
    @Test
    void aConvolutionalRepresentationMatchesAHandComputationInEvalMode() {
        Network net = Network.of(new NetworkSpec("cnn", 0, 2, 1, 3, "relu", true, 1.0, "cross_entropy", List.of(), true, "A")
                .withInputShape(List.of(1, 4, 4)));
        SplittableRandom rng = Seeds.stream(131, "test-conv-rank");
        INDArray theta = Nd4j.create(DataType.DOUBLE, net.paramCount());
        for (long i = 0; i < theta.length(); i++) {
            theta.putScalar(i, 0.5 * rng.nextGaussian());
        }
        double[] gamma = {0.8, 1.3};
        double[] beta = {-100, 0.2}; // channel 0 is dead for every example; channel 1 by the data
        double[] mean = {0.3, -0.2};
        double[] var = {1.7, 0.6};
        net.layout().view(theta, "features.0.bn.weight").assign(Nd4j.createFromArray(gamma));
        net.layout().view(theta, "features.0.bn.bias").assign(Nd4j.createFromArray(beta));
        INDArray buffers = net.initialBuffers(DataType.DOUBLE);
        net.bufferLayout().view(buffers, "features.0.bn.running_mean").assign(Nd4j.createFromArray(mean));
        net.bufferLayout().view(buffers, "features.0.bn.running_var").assign(Nd4j.createFromArray(var));
        double[][][][] w = new double[2][1][3][3];
        INDArray wv = net.layout().view(theta, "features.0.conv.weight");
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    w[c][0][i][j] = wv.getDouble(c, 0, i, j);
                }
            }
        }
        int n = 5;
        double[][] x = new double[n][16];
        int[] labels = new int[n];
        for (double[] row : x) {
            for (int q = 0; q < 16; q++) {
                row[q] = rng.nextGaussian();
            }
        }
        Batch batch = new Batch(Nd4j.createFromArray(x), Batch.oneHot(labels, 3, DataType.DOUBLE));

        double[][] h = new double[n][32];
        for (int e = 0; e < n; e++) {
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int xx = 0; xx < 4; xx++) {
                        double z = 0;
                        for (int i = 0; i < 3; i++) {
                            for (int j = 0; j < 3; j++) {
                                int yi = y + i - 1;
                                int xj = xx + j - 1;
                                if (yi >= 0 && yi < 4 && xj >= 0 && xj < 4) {
                                    z += w[c][0][i][j] * x[e][yi * 4 + xj];
                                }
                            }
                        }
                        double normalised = gamma[c] * (z - mean[c]) / Math.sqrt(var[c] + 1e-5) + beta[c];
                        h[e][c * 16 + y * 4 + xx] = Math.max(0, normalised);
                    }
                }
            }
        }
        double[] s = new org.apache.commons.math3.linear.SingularValueDecomposition(new Array2DRowRealMatrix(h, false)).getSingularValues();
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        double entropy = 0;
        for (double v : s) {
            entropy -= v > 0 ? (v / sum) * Math.log(v / sum) : 0;
        }
        int dead = 0;
        for (int u = 0; u < 32; u++) {
            boolean zero = true;
            for (int e = 0; e < n; e++) {
                zero &= h[e][u] == 0;
            }
            dead += zero ? 1 : 0;
        }
        assertTrue(dead >= 16 && dead < 32, "channel 0 dead, channel 1 alive: " + dead);
        int small = 0;
        for (double v : s) {
            small += v < 1e-3 * s[0] ? 1 : 0;
        }

        // chunks of 2, 2 and 1 examples, and one eval-mode point of all five
        List<RepresentationRank.Layer> chunked = RepresentationRank.of(net, theta, buffers, batch, 2);
        List<RepresentationRank.Layer> whole = RepresentationRank.of(net.at(batch, theta, buffers, Mode.EVAL));
        for (List<RepresentationRank.Layer> layers : List.of(chunked, whole)) {
            assertEquals(1, layers.size(), "one stage, one representation");
            RepresentationRank.Layer l = layers.get(0);
            assertEquals(Math.exp(entropy), l.effectiveRank(), 1e-12);
            assertEquals((double) small / s.length, l.smallSingularValueFraction(), 0.0);
            assertEquals(dead / 32.0, l.deadUnitFraction(), 0.0);
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RepresentationRank.of(net.at(batch, theta, buffers, Mode.TRAIN)));
        assertEquals("mode: train couples the examples of the batch (BatchNorm), so an example has no representation of its own;"
                + " allowed: eval", e.getMessage());
    }

    @Test
    void aResnetHasOneRepresentationPerBlockAndChunksDoNotChangeThem() {
        Network net = Network.of(new NetworkSpec("resnet", 0, 2, 8, 3, "relu", true, 1.0, "cross_entropy", List.of(), true, "B")
                .withInputShape(List.of(2, 4, 4)));
        INDArray theta = Fixtures.theta(net, 141, DataType.DOUBLE);
        INDArray buffers = net.initialBuffers(DataType.DOUBLE);
        Batch batch = new Batch(io.depthscope.util.RandomArrays.matrix(io.depthscope.util.RandomArrays.gaussian(Seeds.stream(142, "test-images"),
                6 * 32, 1.0), 6, 32, DataType.DOUBLE), Batch.oneHot(new int[6], 3, DataType.DOUBLE));
        List<RepresentationRank.Layer> whole = RepresentationRank.of(net, theta, buffers, batch, 6);
        List<RepresentationRank.Layer> ones = RepresentationRank.of(net, theta, buffers, batch, 1);
        assertEquals(4, whole.size(), "the stem's relu and three blocks");
        for (int i = 0; i < whole.size(); i++) {
            assertEquals(i + 1, whole.get(i).layer());
            assertEquals(whole.get(i).effectiveRank(), ones.get(i).effectiveRank(), 1e-12);
            assertEquals(whole.get(i).deadUnitFraction(), ones.get(i).deadUnitFraction(), 0.0);
        }
    }
}
