package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Moments from eigenvalues against traces of dense matrix powers, tr(H^k)/P, which need no eigensolver. */
class ExactMomentsTest {
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"mlp, tanh, mse", "resmlp, sigmoid, cross_entropy", "mlp, relu, cross_entropy"})
    void momentsFromEigenvaluesEqualTracesOfPowers(String arch, String act, String loss) {
        NetworkSpec spec = Fixtures.spec(arch, act, loss, true, 2);
        Network net = Network.of(spec);
        Point point = net.at(Fixtures.batch(spec, 8, 201, DataType.DOUBLE), Fixtures.theta(net, 202, DataType.DOUBLE));
        INDArray h = DenseHessian.of(point);
        HessianMoments m = HessianMoments.fromEigenvalues(DenseHessian.eigenvalues(h));

        long p = net.paramCount();
        INDArray power = h.dup();
        double[] traces = new double[4];
        for (int k = 0; k < 4; k++) {
            traces[k] = trace(power) / p;
            power = power.mmul(h);
        }
        double[] got = m.moments();
        for (int k = 0; k < 4; k++) {
            // m2 and m4 are sums of non-negative terms; m1 and m3 may cancel, so compare on the scale of |H|^k
            double scale = Math.pow(Math.sqrt(traces[1]), k + 1);
            assertEquals(traces[k], got[k], 1e-10 * scale, "m" + (k + 1));
        }
        assertEquals(p, m.paramCount());
        assertEquals("exact", m.method());

        // the standardised moments from their definitions on the centred spectrum
        double[] eig = DenseHessian.eigenvalues(h);
        double mu = traces[0];
        double c2 = 0;
        double c3 = 0;
        double c4 = 0;
        for (double l : eig) {
            double d = l - mu;
            c2 += d * d / eig.length;
            c3 += d * d * d / eig.length;
            c4 += d * d * d * d / eig.length;
        }
        assertEquals(c3 / Math.pow(c2, 1.5), m.skewness(), 1e-8 * Math.max(1, Math.abs(m.skewness())));
        assertEquals(c4 / (c2 * c2), m.kurtosis(), 1e-8 * m.kurtosis());
        assertTrue(m.kurtosis() >= 1, "kurtosis >= 1 for any distribution");
    }

    private static double trace(INDArray a) {
        double t = 0;
        for (int i = 0; i < a.rows(); i++) {
            t += a.getDouble(i, i);
        }
        return t;
    }
}
