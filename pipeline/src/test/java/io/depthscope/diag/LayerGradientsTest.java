package io.depthscope.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.ParamLayout;
import io.depthscope.nn.Point;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Per-layer gradient norms against the flat gradient, deltas against finite differences of the network's tail. */
class LayerGradientsTest {
    /**
     * The loss as a function of h_l alone, written out from NetworkSpec's equations in plain Java, so
     * that finite differences of it check the backward pass's dLoss/dh_l independently of the layer code.
     */
    private record Tail(NetworkSpec spec, double[][][] w, double[][] b, double[][] y) {
        static Tail of(Network net, INDArray theta, Batch batch) {
            NetworkSpec spec = net.spec();
            double[][][] w = new double[spec.depth() + 1][][];
            double[][] b = new double[spec.depth() + 1][];
            for (int i = 0; i <= spec.depth(); i++) {
                w[i] = net.layout().view(theta, "layers." + i + ".weight").toDoubleMatrix();
                b[i] = net.layout().view(theta, "layers." + i + ".bias").toDoubleVector();
            }
            return new Tail(spec, w, b, batch.targets().toDoubleMatrix());
        }

        private static double[] affine(double[][] w, double[] b, double[] h) {
            double[] z = b.clone();
            for (int r = 0; r < w.length; r++) {
                for (int c = 0; c < h.length; c++) {
                    z[r] += w[r][c] * h[c];
                }
            }
            return z;
        }

        private double act(double z) {
            return switch (spec.activation()) {
                case "tanh" -> Math.tanh(z);
                case "relu" -> Math.max(z, 0);
                case "softplus" -> Math.log1p(Math.exp(z));
                default -> throw new IllegalArgumentException(spec.activation());
            };
        }

        /** Loss from h_l (l = 1..L), one row per example. */
        double loss(int l, double[][] hl) {
            double total = 0;
            for (int n = 0; n < hl.length; n++) {
                double[] h = hl[n].clone();
                for (int i = l; i < spec.depth(); i++) {
                    double[] z = affine(w[i], b[i], h);
                    for (int k = 0; k < z.length; k++) {
                        h[k] = "resmlp".equals(spec.arch()) ? h[k] + spec.residualScale() * act(z[k]) : act(z[k]);
                    }
                }
                double[] f = affine(w[spec.depth()], b[spec.depth()], h);
                total += "mse".equals(spec.loss()) ? halfSquaredError(f, y[n]) : crossEntropy(f, y[n]);
            }
            return total / hl.length;
        }

        private static double halfSquaredError(double[] f, double[] y) {
            double s = 0;
            for (int k = 0; k < f.length; k++) {
                s += 0.5 * (f[k] - y[k]) * (f[k] - y[k]);
            }
            return s;
        }

        private static double crossEntropy(double[] f, double[] y) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : f) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : f) {
                sum += Math.exp(v - max);
            }
            double loss = 0;
            for (int k = 0; k < f.length; k++) {
                loss -= y[k] * (f[k] - max - Math.log(sum));
            }
            return loss;
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"mlp, tanh, mse", "mlp, relu, mse", "mlp, softplus, cross_entropy", "resmlp, tanh, cross_entropy",
            "resmlp, relu, mse", "resmlp, softplus, mse"})
    void hiddenDeltasMatchCentralDifferencesOfTheLossInTheRepresentation(String arch, String act, String loss) {
        NetworkSpec spec = Fixtures.spec(arch, act, loss, true, 3);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 111, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 5, 112, DataType.DOUBLE);
        Point p = net.at(batch, theta);
        Tail tail = Tail.of(net, theta, batch);
        List<INDArray> hidden = p.hiddenRepresentations();
        // the hand-written tail is the network: from h_1 it gives the point's loss
        assertEquals(p.loss(), tail.loss(1, hidden.get(0).toDoubleMatrix()), 1e-12 * Math.max(1, p.loss()));
        List<LayerGradients.Layer> layers = LayerGradients.of(p);
        double eps = 1e-6;
        for (int l = 1; l <= spec.depth(); l++) {
            double[][] h = hidden.get(l - 1).toDoubleMatrix();
            double[] fd = new double[h.length * h[0].length];
            for (int n = 0; n < h.length; n++) {
                for (int k = 0; k < h[0].length; k++) {
                    double keep = h[n][k];
                    h[n][k] = keep + eps;
                    double plus = tail.loss(l, h);
                    h[n][k] = keep - eps;
                    double minus = tail.loss(l, h);
                    h[n][k] = keep;
                    fd[n * h[0].length + k] = (plus - minus) / (2 * eps);
                }
            }
            double[] delta = p.hiddenGradients().get(l - 1).dup('c').reshape(-1).toDoubleVector();
            double err = Fixtures.relativeError(delta, fd);
            assertTrue(err <= 1e-6, "dLoss/dh_" + l + ": relative error " + err);
            double fdNorm = Math.sqrt(java.util.Arrays.stream(fd).map(v -> v * v).sum());
            assertEquals(fdNorm, layers.get(l - 1).deltaNorm(), 1e-6 * fdNorm, "||dLoss/dh_" + l + "||_F");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "resmlp"})
    void normsAreThoseOfTheGradientsWeightAndBiasBlocks(String arch) {
        NetworkSpec spec = Fixtures.spec(arch, "tanh", "mse", true, 4);
        Network net = Network.of(spec);
        Batch batch = Fixtures.batch(spec, 6, 122, DataType.DOUBLE);
        Point p = net.at(batch, Fixtures.theta(net, 121, DataType.DOUBLE));
        double[] g = p.gradient().toDoubleVector();
        List<LayerGradients.Layer> layers = LayerGradients.of(p);
        assertEquals(spec.depth() + 1, layers.size());
        for (LayerGradients.Layer layer : layers) {
            ParamLayout.Entry w = net.layout().entry("layers." + layer.map() + ".weight");
            ParamLayout.Entry b = net.layout().entry("layers." + layer.map() + ".bias");
            assertEquals(blockNorm(g, w), layer.weightGradientNorm(), 1e-12 * blockNorm(g, w));
            assertEquals(blockNorm(g, b), layer.biasGradientNorm(), 1e-12 * blockNorm(g, b));
        }
        // the last map's delta is dLoss/df = (f - y)/N for the mean squared error
        INDArray residual = p.outputs().sub(batch.targets()).divi(batch.size());
        double expected = residual.norm2Number().doubleValue();
        assertEquals(expected, layers.get(spec.depth()).deltaNorm(), 1e-12 * expected);
    }

    private static double blockNorm(double[] flat, ParamLayout.Entry e) {
        double s = 0;
        for (long i = e.offset(); i < e.offset() + e.size(); i++) {
            s += flat[(int) i] * flat[(int) i];
        }
        return Math.sqrt(s);
    }

    @Test
    void perExampleRmsIsThatOfEachExamplesOwnDelta() {
        NetworkSpec spec = Fixtures.spec("resmlp", "softplus", "cross_entropy", true, 3);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 131, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 7, 132, DataType.DOUBLE);
        List<LayerGradients.Layer> layers = LayerGradients.of(net.at(batch, theta));
        double[] sumSquares = new double[spec.depth()];
        for (int n = 0; n < batch.size(); n++) {
            // a batch of one example: its loss is that example's own loss
            Batch one = new Batch(batch.x().getRow(n, true).dup(), batch.targets().getRow(n, true).dup());
            List<INDArray> own = net.at(one, theta).hiddenGradients();
            for (int l = 0; l < spec.depth(); l++) {
                double norm = own.get(l).norm2Number().doubleValue();
                sumSquares[l] += norm * norm;
            }
        }
        for (int l = 0; l < spec.depth(); l++) {
            double rms = Math.sqrt(sumSquares[l] / batch.size());
            assertEquals(rms, layers.get(l).deltaRmsPerExample(), 1e-12 * rms, "layer " + (l + 1));
        }
    }

    @Test
    void noBiasGivesNaNBiasNorms() {
        NetworkSpec spec = Fixtures.spec("mlp", "relu", "mse", false, 2);
        Network net = Network.of(spec);
        Point p = net.at(Fixtures.batch(spec, 4, 142, DataType.DOUBLE), Fixtures.theta(net, 141, DataType.DOUBLE));
        for (LayerGradients.Layer layer : LayerGradients.of(p)) {
            assertTrue(Double.isNaN(layer.biasGradientNorm()));
            assertTrue(layer.weightGradientNorm() > 0);
        }
    }

    private static LayerGradients.Layer weightNorm(int map, double norm) {
        return new LayerGradients.Layer(map, norm, Double.NaN, Double.NaN, Double.NaN);
    }

    @Test
    void residualFractionCountsStrictlyLowerMaps() {
        List<LayerGradients.Layer> plain = List.of(weightNorm(0, 1), weightNorm(1, 2), weightNorm(2, 3), weightNorm(3, 4));
        List<LayerGradients.Layer> residual = List.of(weightNorm(0, 0.5), weightNorm(1, 2), weightNorm(2, 3.5), weightNorm(3, 1));
        assertEquals(0.5, LayerGradients.fractionLowerInResidual(plain, residual), 0.0);
        assertEquals(0.25, LayerGradients.fractionLowerInResidual(residual, plain), 0.0);
        assertEquals(0.0, LayerGradients.fractionLowerInResidual(plain, plain), 0.0);
        assertThrows(IllegalArgumentException.class, () -> LayerGradients.fractionLowerInResidual(plain, residual.subList(0, 3)));
        List<LayerGradients.Layer> shuffled = List.of(weightNorm(1, 2), weightNorm(0, 1), weightNorm(2, 3), weightNorm(3, 4));
        assertThrows(IllegalArgumentException.class, () -> LayerGradients.fractionLowerInResidual(plain, shuffled));
    }

    @Test
    void residualFractionOfAPlainAndAResidualNetworkWithTheSameInitialisation() {
        NetworkSpec plainSpec = new NetworkSpec("mlp", 4, 8, 6, 2, "tanh", true, 1.0, "mse");
        NetworkSpec resSpec = new NetworkSpec("resmlp", 4, 8, 6, 2, "tanh", true, 1.0, "mse");
        Network plainNet = Network.of(plainSpec);
        Network resNet = Network.of(resSpec);
        // the same parameter layout, so the same theta is the same initialisation of both
        INDArray theta = Fixtures.theta(plainNet, 151, DataType.DOUBLE);
        assertEquals(plainNet.paramCount(), resNet.paramCount());
        Batch batch = Fixtures.batch(plainSpec, 16, 152, DataType.DOUBLE);
        double[] plain = plainNet.at(batch, theta).layerGradientNorms();
        double[] res = resNet.at(batch, theta).layerGradientNorms();
        int lower = 0;
        for (int i = 0; i < plain.length; i++) {
            lower += res[i] < plain[i] ? 1 : 0;
        }
        double fraction = LayerGradients.fractionLowerInResidual(
                LayerGradients.of(plainNet.at(batch, theta)), LayerGradients.of(resNet.at(batch, theta)));
        assertEquals((double) lower / plain.length, fraction, 0.0);
    }
}
