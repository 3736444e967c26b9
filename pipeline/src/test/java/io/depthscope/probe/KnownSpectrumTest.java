package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** DenseHessian.eigenvalues on Q diag(lambda) Q^T with a random orthogonal Q recovers lambda. */
class KnownSpectrumTest {
    @Test
    void recoversPrescribedEigenvalues() {
        int n = 60;
        SplittableRandom rng = new SplittableRandom(501);
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            // a Hessian-like spectrum: a bulk near zero of both signs, a repeated value, and outliers
            lambda[i] = i < 40 ? 0.01 * rng.nextGaussian() : i < 45 ? 0.5 : 3.0 * (i - 44);
        }
        lambda[0] = -2.0;
        double[][] q = randomOrthogonal(n, rng);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += q[i][k] * lambda[k] * q[j][k];
                }
                a[i][j] = s;
            }
        }
        INDArray matrix = Nd4j.createFromArray(a);
        INDArray copy = matrix.dup();
        double[] got = DenseHessian.eigenvalues(matrix);
        double[] expected = lambda.clone();
        Arrays.sort(expected);
        assertEquals(n, got.length);
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i], got[i], 1e-12 * 48.0 * n, "eigenvalue " + i);
        }
        assertEquals(copy, matrix, "the argument is not modified");
    }

    /** A product of n random Householder reflections I - 2 u u^T / u.u: orthogonal to rounding. */
    static double[][] randomOrthogonal(int n, SplittableRandom rng) {
        double[][] q = ClosedFormHessianTest.identity(n);
        for (int r = 0; r < n; r++) {
            double[] u = new double[n];
            double uu = 0;
            for (int i = 0; i < n; i++) {
                u[i] = rng.nextGaussian();
                uu += u[i] * u[i];
            }
            // q <- q (I - 2 u u^T / uu)
            for (double[] row : q) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += row[i] * u[i];
                }
                for (int i = 0; i < n; i++) {
                    row[i] -= 2 * dot * u[i] / uu;
                }
            }
        }
        return q;
    }
}
