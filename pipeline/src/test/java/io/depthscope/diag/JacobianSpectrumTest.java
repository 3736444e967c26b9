package io.depthscope.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import io.depthscope.util.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Input-to-representation Jacobians against weight products, orthogonal isometries and finite differences. */
class JacobianSpectrumTest {
    private static RealMatrix matrix(INDArray m) {
        return new Array2DRowRealMatrix(m.castTo(DataType.DOUBLE).toDoubleMatrix(), false);
    }

    private static RealMatrix weight(Network net, INDArray theta, int i) {
        return matrix(net.layout().view(theta, "layers." + i + ".weight"));
    }

    private static void assertMatrixClose(RealMatrix expected, INDArray actual, double tol, String what) {
        RealMatrix a = matrix(actual);
        assertEquals(expected.getRowDimension(), a.getRowDimension(), what + " rows");
        assertEquals(expected.getColumnDimension(), a.getColumnDimension(), what + " columns");
        double err = a.subtract(expected).getFrobeniusNorm() / expected.getFrobeniusNorm();
        assertTrue(err <= tol, what + ": relative error " + err);
    }

    @ParameterizedTest(name = "bias={0}")
    @ValueSource(booleans = {true, false})
    void linearNetworkJacobianIsTheProductOfItsWeights(boolean bias) {
        NetworkSpec spec = new NetworkSpec("mlp", 4, 6, 4, 3, "linear", bias, 1.0, "mse");
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 31, DataType.DOUBLE);
        Point p = net.at(Fixtures.batch(spec, 5, 32, DataType.DOUBLE), theta);
        RealMatrix product = weight(net, theta, 0);
        List<INDArray> js = JacobianSpectrum.jacobians(p, 3);
        for (int l = 1; l <= spec.depth(); l++) {
            if (l > 1) {
                product = weight(net, theta, l - 1).multiply(product);
            }
            assertMatrixClose(product, js.get(l - 1), 1e-12, "J_" + l);
        }
        RealMatrix endToEnd = weight(net, theta, spec.depth()).multiply(product);
        assertMatrixClose(endToEnd, JacobianSpectrum.endToEndMap(net, theta), 1e-12, "W_L...W_0");
        double[] expected = new org.apache.commons.math3.linear.SingularValueDecomposition(endToEnd).getSingularValues();
        double[] actual = JacobianSpectrum.endToEnd(net, theta).singularValues();
        assertEquals(Math.min(spec.outputDim(), spec.inputDim()), actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * expected[0], "singular value " + i);
        }
    }

    @Test
    void linearResidualEndToEndMapIsTheProductOfItsBlocks() {
        NetworkSpec spec = new NetworkSpec("resmlp", 4, 5, 3, 2, "linear", true, 0.7, "mse");
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 41, DataType.DOUBLE);
        RealMatrix m = weight(net, theta, 0);
        RealMatrix identity = org.apache.commons.math3.linear.MatrixUtils.createRealIdentityMatrix(spec.width());
        for (int i = 1; i < spec.depth(); i++) {
            m = identity.add(weight(net, theta, i).scalarMultiply(0.7)).multiply(m);
        }
        assertMatrixClose(weight(net, theta, spec.depth()).multiply(m), JacobianSpectrum.endToEndMap(net, theta), 1e-12, "end to end");
    }

    /** Q from the QR factorisation of a Gaussian matrix: a Haar-like random orthogonal matrix. */
    private static RealMatrix orthogonal(int n, SplittableRandom rng) {
        double[][] g = new double[n][n];
        for (double[] row : g) {
            for (int j = 0; j < n; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        return new QRDecomposition(new Array2DRowRealMatrix(g, false)).getQ();
    }

    @ParameterizedTest(name = "gain={0}")
    @ValueSource(doubles = {1.0, 1.1, 0.8})
    void orthogonalWeightsGiveIsometryScaledByGainToTheDepth(double gain) {
        int width = 6;
        NetworkSpec spec = new NetworkSpec("mlp", width, width, 5, 3, "linear", true, 1.0, "mse");
        Network net = Network.of(spec);
        INDArray theta = Nd4j.zeros(DataType.DOUBLE, net.paramCount());
        SplittableRandom rng = Seeds.stream(51, "orthogonal");
        for (int i = 0; i <= spec.depth(); i++) {
            RealMatrix q = orthogonal(width, rng).scalarMultiply(gain);
            if (i == spec.depth()) {
                q = q.getSubMatrix(0, spec.outputDim() - 1, 0, width - 1); // orthonormal rows
            }
            net.layout().view(theta, "layers." + i + ".weight").assign(Nd4j.createFromArray(q.getData()));
            net.layout().view(theta, "layers." + i + ".bias").assign(rng.nextGaussian());
        }
        Point p = net.at(Fixtures.batch(spec, 4, 52, DataType.DOUBLE), theta);
        List<JacobianSpectrum.Layer> layers = JacobianSpectrum.at(p, 1);
        assertEquals(spec.depth(), layers.size());
        for (JacobianSpectrum.Layer layer : layers) {
            double expected = Math.pow(gain, layer.layer());
            JacobianSpectrum.Spectrum s = layer.spectrum();
            assertEquals(width, s.singularValues().length);
            for (double v : s.singularValues()) {
                assertEquals(expected, v, 1e-12, "layer " + layer.layer());
            }
            assertEquals(expected * expected, s.meanSquare(), 1e-12);
            assertEquals(1.0, s.maxOverMin(), 1e-12);
            assertEquals(0.0, s.logStd(), 1e-9);
        }
        JacobianSpectrum.Spectrum end = JacobianSpectrum.endToEnd(net, theta);
        assertEquals(spec.outputDim(), end.singularValues().length);
        for (double v : end.singularValues()) {
            assertEquals(Math.pow(gain, spec.depth() + 1), v, 1e-12);
        }
    }

    /** h_l at a single input, from the network's own forward pass. */
    private static List<INDArray> hidden(Network net, INDArray theta, double[] x) {
        INDArray in = Nd4j.createFromArray(new double[][] {x});
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 1, net.spec().outputDim());
        return net.at(new Batch(in, y), theta).hiddenRepresentations();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"mlp, tanh", "mlp, relu", "mlp, softplus", "resmlp, tanh", "resmlp, relu", "resmlp, softplus"})
    void jacobianMatchesCentralDifferencesOfTheRepresentations(String arch, String act) {
        NetworkSpec spec = new NetworkSpec(arch, 4, 5, 4, 2, act, true, 0.7, "mse");
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 61, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 6, 62, DataType.DOUBLE);
        Point p = net.at(batch, theta);
        double h = 1e-6;
        for (int row : new int[] {0, 4}) {
            List<INDArray> js = JacobianSpectrum.jacobians(p, row);
            double[] x = batch.x().getRow(row).toDoubleVector();
            for (int l = 0; l < spec.depth(); l++) {
                double[][] fd = new double[spec.width()][spec.inputDim()];
                for (int j = 0; j < spec.inputDim(); j++) {
                    double[] plus = x.clone();
                    plus[j] += h;
                    double[] minus = x.clone();
                    minus[j] -= h;
                    double[] hp = hidden(net, theta, plus).get(l).toDoubleVector();
                    double[] hm = hidden(net, theta, minus).get(l).toDoubleVector();
                    for (int k = 0; k < spec.width(); k++) {
                        fd[k][j] = (hp[k] - hm[k]) / (2 * h);
                    }
                }
                assertMatrixClose(new Array2DRowRealMatrix(fd, false), js.get(l), 1e-6, arch + " " + act + " row " + row + " J_" + (l + 1));
            }
        }
    }

    @Test
    void float32PointGivesTheDoubleSpectrumToFloatPrecision() {
        NetworkSpec spec = new NetworkSpec("resmlp", 4, 5, 3, 2, "tanh", true, 0.7, "mse");
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 71, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 3, 72, DataType.DOUBLE);
        double[] d = JacobianSpectrum.at(net.at(batch, theta), 2).get(2).spectrum().singularValues();
        double[] f = JacobianSpectrum.at(net.at(batch, theta.castTo(DataType.FLOAT)), 2).get(2).spectrum().singularValues();
        double err = Fixtures.relativeError(f, d);
        assertTrue(err <= 1e-5, "float32 against float64: relative error " + err);
    }

    @Test
    void rowOutsideTheBatchAndNonlinearEndToEndAreRejected() {
        NetworkSpec spec = new NetworkSpec("mlp", 4, 5, 2, 2, "tanh", true, 1.0, "mse");
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 81, DataType.DOUBLE);
        Point p = net.at(Fixtures.batch(spec, 3, 82, DataType.DOUBLE), theta);
        assertThrows(IllegalArgumentException.class, () -> JacobianSpectrum.jacobians(p, 3));
        assertThrows(IllegalArgumentException.class, () -> JacobianSpectrum.endToEnd(net, theta));
    }

    @Test
    void spectrumSummariesOfAKnownDiagonal() {
        INDArray m = Nd4j.createFromArray(new double[][] {{0, 0, 4}, {0, 0.5, 0}, {1, 0, 0}, {0, 0, 0}});
        JacobianSpectrum.Spectrum s = JacobianSpectrum.Spectrum.of(m);
        assertEquals(3, s.singularValues().length);
        assertEquals(4.0, s.singularValues()[0], 1e-14);
        assertEquals(1.0, s.singularValues()[1], 1e-14);
        assertEquals(0.5, s.singularValues()[2], 1e-14);
        assertEquals((16 + 1 + 0.25) / 3, s.meanSquare(), 1e-14);
        assertEquals(8.0, s.maxOverMin(), 1e-13);
        double[] logs = {Math.log(4), 0, Math.log(0.5)};
        double mean = (logs[0] + logs[1] + logs[2]) / 3;
        double var = 0;
        for (double v : logs) {
            var += (v - mean) * (v - mean) / 3;
        }
        assertEquals(Math.sqrt(var), s.logStd(), 1e-14);
        JacobianSpectrum.Spectrum singular = JacobianSpectrum.Spectrum.of(Nd4j.createFromArray(new double[][] {{1, 0}, {0, 0}}));
        assertEquals(Double.POSITIVE_INFINITY, singular.maxOverMin());
        assertEquals(Double.POSITIVE_INFINITY, singular.logStd());
    }
}
