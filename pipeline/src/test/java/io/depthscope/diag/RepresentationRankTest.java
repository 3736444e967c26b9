package io.depthscope.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Fixtures;
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

/** Effective rank of matrices with chosen spectra, and dead relu units on a constructed network. */
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
}
