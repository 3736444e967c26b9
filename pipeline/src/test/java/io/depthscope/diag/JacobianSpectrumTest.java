package io.depthscope.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Activations;
import io.depthscope.nn.Batch;
import io.depthscope.nn.ElementwiseActivation;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Module;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.ParamLayout;
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

/**
 * Input-to-representation Jacobians against weight products, orthogonal isometries, the hand-written formula of the
 * fully connected presets, and central differences of every preset's representations (conv, BatchNorm in eval mode,
 * residual blocks).
 */
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
        // a representation behind dead relus can have J = 0: then the error is absolute
        double scale = expected.getFrobeniusNorm();
        double err = a.subtract(expected).getFrobeniusNorm() / (scale == 0 ? 1.0 : scale);
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

    /**
     * The formula the module-wise R-pass replaced, as it was written for the two fully connected presets: with
     * D = diag(f'(z)) at x_0 and z recomputed from the batch's hidden rows, J_1 = D_1 W_0 and J_(l+1) = D W_l J_l (mlp)
     * or (I + alpha D W_l) J_l (resmlp).
     */
    private static List<INDArray> handWritten(Point point, int row) {
        Network net = point.network();
        NetworkSpec spec = net.spec();
        ElementwiseActivation act = Activations.create(spec.activation(), spec.width());
        List<INDArray> hidden = point.hiddenRepresentations();
        INDArray in = point.batch().x().getRow(row, true);
        INDArray j = null;
        List<INDArray> out = new java.util.ArrayList<>();
        for (int i = 0; i < spec.depth(); i++) {
            INDArray w = net.layout().view(point.theta(), "layers." + i + ".weight");
            INDArray z = in.mmul(w.transpose());
            if (spec.bias()) {
                z.addiRowVector(net.layout().view(point.theta(), "layers." + i + ".bias"));
            }
            INDArray d1 = z.ulike();
            act.evaluate(z, null, d1);
            INDArray dwj = (i == 0 ? w.dup() : w.mmul(j)).muliColumnVector(d1.reshape(spec.width(), 1));
            j = (i == 0 || !"resmlp".equals(spec.arch())) ? dwj : j.add(dwj.muli(spec.residualScale()));
            out.add(j);
            in = hidden.get(i).getRow(row, true);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1} bias={2}")
    @CsvSource({"mlp, tanh, true", "mlp, relu, false", "resmlp, tanh, true", "resmlp, relu, true", "resmlp, softplus, false"})
    void agreesWithTheHandWrittenFormulaOfTheFullyConnectedPresets(String arch, String act, boolean bias) {
        NetworkSpec spec = new NetworkSpec(arch, 12, 16, 5, 3, act, bias, 0.7, "mse");
        Network net = Network.of(spec);
        Point p = net.at(Fixtures.batch(spec, 9, 92, DataType.DOUBLE), Fixtures.theta(net, 91, DataType.DOUBLE));
        double worst = 0;
        double worstSv = 0;
        for (int row : new int[] {0, 4, 8}) {
            List<INDArray> expected = handWritten(p, row);
            List<INDArray> actual = JacobianSpectrum.jacobians(p, row);
            assertEquals(expected.size(), actual.size());
            for (int l = 0; l < expected.size(); l++) {
                worst = Math.max(worst, actual.get(l).sub(expected.get(l)).norm2Number().doubleValue() / expected.get(l).norm2Number().doubleValue());
                double[] se = JacobianSpectrum.Spectrum.of(expected.get(l)).singularValues();
                double[] sa = JacobianSpectrum.Spectrum.of(actual.get(l)).singularValues();
                for (int i = 0; i < se.length; i++) {
                    worstSv = Math.max(worstSv, Math.abs(sa[i] - se[i]) / se[0]);
                }
            }
        }
        // relu: equal to the last bit; a smooth f: f'(z) of z from a one-example forward instead of the batch's rows,
        // which rounds differently (about 1e-15 here)
        assertTrue(worst <= 1e-14, arch + " " + act + ": J differs from the formula by " + worst + " (relative)");
        assertTrue(worstSv <= 1e-14, arch + " " + act + ": singular values differ by " + worstSv + " of the largest");
    }

    /** A tiny instance of a preset on images of {@code shape}, 1 to 2 channels. */
    static Network imageNetwork(String arch, boolean bn, String shortcut, String act, List<Integer> shape) {
        int depth = "cnn".equals(arch) ? 2 : 8;
        int width = 2;
        return Network.of(new NetworkSpec(arch, 0, width, depth, 3, act, true, 1.0, "cross_entropy", List.of(), bn, shortcut)
                .withInputShape(shape));
    }

    /** Running statistics away from PyTorch's start, so that eval mode's normalisation is not near the identity. */
    static INDArray buffers(Network net, long seed) {
        SplittableRandom rng = Seeds.stream(seed, "test-buffers");
        INDArray b = net.initialBuffers(DataType.DOUBLE);
        for (ParamLayout.Entry e : net.bufferLayout().entries()) {
            INDArray view = net.bufferLayout().view(b, e);
            for (long i = 0; i < view.length(); i++) {
                view.putScalar(i, e.name().endsWith(".running_var") ? 0.5 + rng.nextDouble() : 0.3 * rng.nextGaussian());
            }
        }
        return b;
    }

    /** Gaussian parameters of variance 1.7 / fan_in, 1-d ones (biases, BatchNorm's gamma and beta) around their start. */
    static INDArray imageTheta(Network net, long seed) {
        SplittableRandom rng = Seeds.stream(seed, "test-image-theta");
        INDArray theta = Nd4j.create(DataType.DOUBLE, net.paramCount());
        for (ParamLayout.Entry e : net.layout().entries()) {
            long fanIn = e.size() / e.shape()[0];
            INDArray view = net.layout().view(theta, e);
            for (long i = 0; i < view.length(); i++) {
                double g = rng.nextGaussian();
                view.putScalar(i, e.shape().length > 1 ? 1.3 * g / Math.sqrt(fanIn) : (e.name().endsWith(".weight") ? 1 + 0.2 * g : 0.1 * g));
            }
        }
        return theta;
    }

    /** x_0 [1, C, H, W] and a one-hot target, of a batch of {@code n} standard normal images. */
    static Batch images(Network net, int n, long seed) {
        SplittableRandom rng = Seeds.stream(seed, "test-images");
        long d = Module.size(net.inputShape());
        INDArray x = Nd4j.create(DataType.DOUBLE, n, d);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, rng.nextGaussian());
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(3);
        }
        return new Batch(x, Batch.oneHot(labels, 3, DataType.DOUBLE));
    }

    @ParameterizedTest(name = "{0} bn={1} shortcut={2} {3}")
    @CsvSource({"cnn, false, A, tanh", "cnn, true, A, relu", "cnn, true, A, softplus", "resnet, true, A, relu", "resnet, true, B, relu",
        "resnet, false, A, relu", "simple, true, A, relu"})
    void convolutionalJacobianMatchesCentralDifferencesOfTheEvalModeRepresentations(String arch, boolean bn, String shortcut, String act) {
        Network net = imageNetwork(arch, bn, shortcut, act, List.of(2, 4, 4));
        INDArray theta = imageTheta(net, 101);
        INDArray buffers = bn ? buffers(net, 102) : null;
        Batch batch = images(net, 3, 103);
        int d = batch.inputDim();
        int[] hidden = net.hiddenLayers();
        assertEquals("cnn".equals(arch) ? 2 : 4, hidden.length, "cnn: one per stage; resnet-8: the stem and three blocks");
        double h = 1e-6;
        for (int row : new int[] {0, 2}) {
            List<INDArray> js = JacobianSpectrum.jacobians(net, theta, buffers, batch, row);
            assertEquals(hidden.length, js.size());
            double[] x = batch.x().getRow(row).toDoubleVector();
            double[][][] fd = new double[hidden.length][][];
            for (int j = 0; j < d; j++) {
                double[] plus = x.clone();
                plus[j] += h;
                double[] minus = x.clone();
                minus[j] -= h;
                // h_l of one example, in eval mode: the network as model.eval() runs it, example by example
                Point pp = net.at(new Batch(Nd4j.createFromArray(new double[][] {plus}), batch.targets().getRow(row, true)),
                        theta, buffers, Mode.EVAL);
                Point pm = net.at(new Batch(Nd4j.createFromArray(new double[][] {minus}), batch.targets().getRow(row, true)),
                        theta, buffers, Mode.EVAL);
                for (int l = 0; l < hidden.length; l++) {
                    double[] hp = pp.layerOutput(hidden[l]).dup().reshape(-1).toDoubleVector();
                    double[] hm = pm.layerOutput(hidden[l]).dup().reshape(-1).toDoubleVector();
                    if (fd[l] == null) {
                        fd[l] = new double[hp.length][d];
                    }
                    for (int k = 0; k < hp.length; k++) {
                        fd[l][k][j] = (hp[k] - hm[k]) / (2 * h);
                    }
                }
            }
            for (int l = 0; l < hidden.length; l++) {
                assertEquals(Module.size(net.layers().get(hidden[l]).outputShape()), js.get(l).rows(), "C H W rows");
                assertEquals(d, js.get(l).columns());
                assertMatrixClose(new Array2DRowRealMatrix(fd[l], false), js.get(l), 1e-6, arch + " row " + row + " J_" + (l + 1));
            }
        }
    }

    @Test
    void directionsInBlocksGiveTheSameJacobianAsOneBlock() {
        Network net = imageNetwork("resnet", true, "B", "relu", List.of(1, 4, 4));
        INDArray theta = imageTheta(net, 111);
        INDArray buffers = buffers(net, 112);
        Batch batch = images(net, 2, 113);
        List<INDArray> one = JacobianSpectrum.jacobians(net, theta, buffers, batch, 1);
        // the largest representation has 16 values: blocks of 1, 3 and 16 of the 16 directions
        for (long values : new long[] {16, 48, 1L << 21}) {
            List<INDArray> blocks = JacobianSpectrum.jacobians(net, theta, buffers, batch, 1, values);
            for (int l = 0; l < one.size(); l++) {
                assertEquals(one.get(l), blocks.get(l), "J_" + (l + 1) + " with blocks of " + values / 16 + " directions");
            }
        }
    }

    @Test
    void batchNormIsDifferentiatedWithTheRunningStatisticsItIsGiven() {
        Network net = imageNetwork("cnn", true, "A", "tanh", List.of(1, 4, 4));
        INDArray theta = imageTheta(net, 121);
        Batch batch = images(net, 2, 122);
        INDArray start = net.initialBuffers(DataType.DOUBLE);
        INDArray moved = buffers(net, 123);
        INDArray j0 = JacobianSpectrum.jacobians(net, theta, start, batch, 0).get(0);
        INDArray j1 = JacobianSpectrum.jacobians(net, theta, moved, batch, 0).get(0);
        assertTrue(j0.sub(j1).norm2Number().doubleValue() > 1e-3 * j0.norm2Number().doubleValue(), "the statistics matter");
        // a train-mode point's own spectra are those of eval mode with its buffers, not of a batch of one
        Point train = net.at(batch, theta, moved, Mode.TRAIN);
        assertEquals(j1, JacobianSpectrum.jacobians(train, 0).get(0));
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
