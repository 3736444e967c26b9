package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class InitializersTest {
    private static final List<InitSpec> ALL_KINDS = List.of(InitSpec.he(), InitSpec.kappa(3.0), InitSpec.of("xavier_normal"),
            InitSpec.of("xavier_uniform").withGain(1.2), InitSpec.orthogonal(1.1), InitSpec.lecun().withFold(2, "rows"));

    private static Network net(int in, int width, int depth, int out) {
        return Network.of(new NetworkSpec("mlp", in, width, depth, out, "tanh", true, 1.0, "mse"));
    }

    private static RealMatrix weight(Network net, INDArray theta, int map) {
        INDArray w = net.layout().view(theta, "layers." + map + ".weight");
        return new Array2DRowRealMatrix(w.toDoubleMatrix());
    }

    private static RealMatrix matrix(InitSpec spec, int out, int in, long seed) {
        double[] w = Initializers.matrix(spec, out, in, Seeds.stream(seed, "test-init"));
        double[][] rows = new double[out][in];
        for (int r = 0; r < out; r++) {
            System.arraycopy(w, r * in, rows[r], 0, in);
        }
        return new Array2DRowRealMatrix(rows);
    }

    /** Singular values above 1e-9 of the largest: the numerical rank. */
    private static int rank(RealMatrix m) {
        double[] s = new SingularValueDecomposition(m).getSingularValues();
        int r = 0;
        for (double v : s) {
            r += v > 1e-9 * s[0] ? 1 : 0;
        }
        return r;
    }

    @Test
    void productOfOrthogonalSquareMatricesHasEverySingularValueGainToTheDepth() {
        double gain = 1.3;
        int depth = 5; // 6 square linear maps 12 x 12
        Network net = net(12, 12, depth, 12);
        INDArray theta = Initializers.initialize(net, InitSpec.orthogonal(gain), 11, DataType.DOUBLE);
        RealMatrix product = weight(net, theta, 0);
        for (int i = 1; i <= depth; i++) {
            product = weight(net, theta, i).multiply(product);
        }
        double expected = Math.pow(gain, depth + 1);
        for (double s : new SingularValueDecomposition(product).getSingularValues()) {
            assertEquals(expected, s, 1e-12 * expected);
        }
    }

    @Test
    void nonSquareOrthogonalHasOrthonormalRowsWhenWideAndColumnsWhenTall() {
        double gain = 0.7;
        RealMatrix wide = matrix(InitSpec.orthogonal(gain), 5, 12, 3);
        assertIdentity(wide.multiply(wide.transpose()), gain * gain);
        RealMatrix tall = matrix(InitSpec.orthogonal(gain), 12, 5, 3);
        assertIdentity(tall.transpose().multiply(tall), gain * gain);
    }

    private static void assertIdentity(RealMatrix m, double scale) {
        for (int i = 0; i < m.getRowDimension(); i++) {
            for (int j = 0; j < m.getColumnDimension(); j++) {
                assertEquals(i == j ? scale : 0.0, m.getEntry(i, j), 1e-13, "entry " + i + "," + j);
            }
        }
    }

    @Test
    void orthogonalCarriesTorchsSignCorrection() {
        // W = Q sign(diag R) for G = QR, i.e. W^T G is upper triangular with a positive diagonal.
        int rows = 9;
        int cols = 6;
        double[] g = RandomArrays.gaussian(Seeds.stream(5, "test-init"), rows * cols, 1.0);
        RealMatrix gm = new Array2DRowRealMatrix(rows, cols);
        for (int i = 0; i < rows * cols; i++) {
            gm.setEntry(i / cols, i % cols, g[i]);
        }
        RealMatrix r = matrix(InitSpec.orthogonal(1.0), rows, cols, 5).transpose().multiply(gm);
        for (int i = 0; i < cols; i++) {
            assertTrue(r.getEntry(i, i) > 0, "diag " + i + " = " + r.getEntry(i, i));
            for (int j = 0; j < i; j++) {
                assertEquals(0.0, r.getEntry(i, j), 1e-12);
            }
        }
    }

    @Test
    void foldOneCopiesTheFirstHalfAndHalvesTheRank() {
        RealMatrix rows = matrix(InitSpec.lecun().withFold(1, "rows"), 16, 16, 2);
        assertEquals(8, rank(rows));
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(rows.getRow(i), rows.getRow(i + 8));
        }
        RealMatrix cols = matrix(InitSpec.lecun().withFold(1, "cols"), 16, 16, 2);
        assertEquals(8, rank(cols));
        for (int j = 0; j < 8; j++) {
            assertArrayEquals(cols.getColumn(j), cols.getColumn(j + 8));
        }
        assertEquals(16, rank(matrix(InitSpec.lecun(), 16, 16, 2)), "the unfolded matrix has full rank");
    }

    @Test
    void foldKRankIsAtMostCeilOfNOverTwoToTheK() {
        for (int n : new int[] {16, 13, 10}) {
            for (int k = 0; k <= 5; k++) {
                int bound = (int) Math.ceil(n / Math.pow(2, k));
                for (InitSpec base : List.of(InitSpec.he(), InitSpec.orthogonal(1.0), InitSpec.of("xavier_uniform"))) {
                    RealMatrix m = matrix(base.withFold(k, "rows"), n, n, 100 + k);
                    assertEquals(bound, rank(m), base.label() + " n=" + n + " k=" + k);
                    assertTrue(rank(m) <= Fold.rankBound(n, k));
                }
                RealMatrix wide = matrix(InitSpec.he().withFold(k, "cols"), 6, n, 7);
                assertTrue(rank(wide) <= Math.min(6, bound), "cols n=" + n + " k=" + k);
            }
        }
    }

    @Test
    void sampleVariancesMatchTheirKindWithinFourStandardErrors() {
        int in = 200;
        int width = 300;
        int out = 40;
        Network net = net(in, width, 1, out);
        // Per kind: expected variance of map 0 [width, in] and map 1 [out, width], and Var(w^2) / sigma^4
        // (2 for a Gaussian, 4/5 for a uniform), which gives the standard error of the mean of squares.
        record Case(InitSpec spec, double var0, double var1, double kurtosisFactor) {}
        List<Case> cases = List.of(
                new Case(InitSpec.lecun(), 1.0 / in, 1.0 / width, 2),
                new Case(InitSpec.he(), 2.0 / in, 2.0 / width, 2),
                new Case(InitSpec.kappa(4.0), 0.25 / in, 0.25 / width, 2),
                new Case(InitSpec.of("xavier_normal"), 2.0 / (in + width), 2.0 / (width + out), 2),
                new Case(InitSpec.of("xavier_normal").withGain(1.5), 2.25 * 2.0 / (in + width), 2.25 * 2.0 / (width + out), 2),
                new Case(InitSpec.of("xavier_uniform"), 2.0 / (in + width), 2.0 / (width + out), 0.8));
        for (Case c : cases) {
            INDArray theta = Initializers.initialize(net, c.spec(), 21, DataType.DOUBLE);
            assertVariance(c.spec().label() + " map 0", weight(net, theta, 0), c.var0(), c.kurtosisFactor());
            assertVariance(c.spec().label() + " map 1", weight(net, theta, 1), c.var1(), c.kurtosisFactor());
        }
    }

    private static void assertVariance(String what, RealMatrix w, double var, double kurtosisFactor) {
        int n = w.getRowDimension() * w.getColumnDimension();
        double sum = 0;
        double sumSquares = 0;
        for (double[] row : w.getData()) {
            for (double v : row) {
                sum += v;
                sumSquares += v * v;
            }
        }
        // The mean is known (0), so the variance estimate is the mean of squares, whose standard error
        // is sqrt(Var(w^2) / n) = var * sqrt(kurtosisFactor / n).
        double estimate = sumSquares / n;
        double se = var * Math.sqrt(kurtosisFactor / n);
        assertEquals(var, estimate, 4 * se, what + ": variance");
        assertEquals(0.0, sum / n, 4 * Math.sqrt(var / n), what + ": mean");
    }

    @Test
    void orthogonalEntriesHaveMeanSquareGainSquaredOverTheLargerFan() {
        RealMatrix w = matrix(InitSpec.orthogonal(2.0), 30, 50, 4);
        assertEquals(4.0 / 50, Math.pow(w.getFrobeniusNorm(), 2) / (30 * 50), 1e-14);
    }

    @Test
    void biasesAreZeroByDefaultOrTheGivenConstant() {
        Network net = net(4, 6, 2, 3);
        INDArray zero = Initializers.initialize(net, InitSpec.he(), 1, DataType.DOUBLE);
        INDArray shifted = Initializers.initialize(net, InitSpec.he().withBias(0.25), 1, DataType.DOUBLE);
        for (int i = 0; i <= 2; i++) {
            String b = "layers." + i + ".bias";
            assertEquals(0.0, net.layout().view(zero, b).amaxNumber().doubleValue());
            assertEquals(0.25, net.layout().view(shifted, b).minNumber().doubleValue());
            assertEquals(0.25, net.layout().view(shifted, b).maxNumber().doubleValue());
            String w = "layers." + i + ".weight";
            assertEquals(net.layout().view(zero, w), net.layout().view(shifted, w), "the bias does not move the weights");
        }
    }

    @Test
    void sameSeedIsBitwiseTheSameAndOtherSeedsDiffer() {
        Network net = net(5, 8, 3, 2);
        for (InitSpec spec : ALL_KINDS) {
            double[] a = Initializers.initialize(net, spec, 42, DataType.DOUBLE).toDoubleVector();
            double[] b = Initializers.initialize(net, spec, 42, DataType.DOUBLE).toDoubleVector();
            double[] c = Initializers.initialize(net, spec, 43, DataType.DOUBLE).toDoubleVector();
            assertArrayEquals(a, b, spec.label());
            assertFalse(java.util.Arrays.equals(a, c), spec.label());
            float[] f = Initializers.initialize(net, spec, 42, DataType.FLOAT).toFloatVector();
            for (int i = 0; i < a.length; i++) {
                assertEquals((float) a[i], f[i], spec.label() + " float32 is the float64 draw rounded");
            }
        }
    }

    @Test
    void eachMapIsIndependentOfTheOtherMapsSizes() {
        for (InitSpec spec : ALL_KINDS) {
            // A different input size changes map 0 only; a different output size changes the last map only.
            Network base = net(5, 8, 3, 2);
            Network wideInput = net(11, 8, 3, 2);
            Network moreOutputs = net(5, 8, 3, 7);
            Network deeper = net(5, 8, 4, 2);
            INDArray t = Initializers.initialize(base, spec, 9, DataType.DOUBLE);
            INDArray tIn = Initializers.initialize(wideInput, spec, 9, DataType.DOUBLE);
            INDArray tOut = Initializers.initialize(moreOutputs, spec, 9, DataType.DOUBLE);
            INDArray tDeep = Initializers.initialize(deeper, spec, 9, DataType.DOUBLE);
            for (int i = 0; i <= 3; i++) {
                RealMatrix w = weight(base, t, i);
                if (i > 0) {
                    assertEquals(w, weight(wideInput, tIn, i), spec.label() + " map " + i + " vs input size");
                }
                if (i < 3) {
                    assertEquals(w, weight(moreOutputs, tOut, i), spec.label() + " map " + i + " vs output size");
                    assertEquals(w, weight(deeper, tDeep, i), spec.label() + " map " + i + " vs depth");
                }
            }
        }
    }

    @Test
    void invalidSpecsNameTheFieldTheValueAndWhatIsAllowed() {
        assertMessage(InitSpec.of("glorot"), "init.kind", "'glorot'", "gaussian, xavier_normal, xavier_uniform, orthogonal");
        assertMessage(new InitSpec("gaussian", 2.0, 0.5, 1.0, 0, "rows", 0), "init.kappa", "0.5", "one of sigma2 or kappa");
        assertMessage(InitSpec.gaussian(-1.0), "init.sigma2", "-1.0", "> 0");
        assertMessage(InitSpec.he().withGain(2.0), "init.gain", "2.0", "with kind gaussian");
        assertMessage(InitSpec.orthogonal(1.0).withSigma2(2.0), "init.sigma2", "2.0", "only with kind gaussian");
        assertMessage(InitSpec.orthogonal(0.0), "init.gain", "0.0", "> 0");
        assertMessage(InitSpec.he().withFold(-1, "rows"), "init.fold", "-1", ">= 0");
        assertMessage(InitSpec.he().withFold(1, "diagonal"), "init.fold_axis", "'diagonal'", "rows, cols");
        assertMessage(InitSpec.he().withBias(Double.NaN), "init.bias", "NaN", "finite");
    }

    private static void assertMessage(InitSpec spec, String... parts) {
        String msg = assertThrows(IllegalArgumentException.class, spec::validate).getMessage();
        for (String p : parts) {
            assertTrue(msg.contains(p), "'" + msg + "' should contain '" + p + "'");
        }
    }
}
