package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Point;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Stochastic Lanczos quadrature: nodes, weights, moments and the density against exact quantities. */
class StochasticLanczosQuadratureTest {

    /**
     * For A = U diag(lambda) U^T and a unit q, n Lanczos steps give the exact spectral measure of q:
     * nodes lambda_i and weights (u_i . q)^2, with U known from the construction, not from a solver.
     */
    @Test
    void nodesAndWeightsAreEigenvaluesAndSquaredOverlaps() {
        int n = 30;
        SplittableRandom rng = new SplittableRandom(2001);
        double[] lambda = LanczosTest.hessianLike(n, rng);
        double[][] u = KnownSpectrumTest.randomOrthogonal(n, rng);
        SymmetricOperator op = SymmetricOperator.dense(LanczosTest.known(lambda, u));
        double[] q = new double[n];
        double qq = 0;
        for (int i = 0; i < n; i++) {
            q[i] = rng.nextGaussian();
            qq += q[i] * q[i];
        }
        QuadratureRun run = QuadratureRun.of(0, Lanczos.run(op, Nd4j.createFromArray(q), n, false));

        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(lambda[a], lambda[b]));
        double weightSum = 0;
        for (int i = 0; i < n; i++) {
            int k = order[i];
            double overlap = 0;
            for (int j = 0; j < n; j++) {
                overlap += u[j][k] * q[j];
            }
            double expected = overlap * overlap / qq;
            assertEquals(lambda[k], run.nodes()[i], 1e-11, "node " + i);
            assertEquals(expected, run.weights()[i], 1e-10, "weight " + i);
            weightSum += run.weights()[i];
        }
        assertEquals(1.0, weightSum, 1e-13);
    }

    /**
     * Gauss quadrature with m nodes is exact for polynomials of degree <= 2m - 1, so each run's moments
     * sum_i w_i node_i^k equal v^T H^k v / v^T v for k <= 4 already at m = 3, and at m = P. The right side
     * comes from Hessian-vector products alone (Hutchinson's quadratic forms of the same start vector).
     */
    @ParameterizedTest(name = "m = {0}")
    @CsvSource({"3", "139"})
    void eachRunsMomentsAreQuadraticFormsOfItsStart(int steps) {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        SymmetricOperator op = SymmetricOperator.hessian(point);
        double scale = DenseHessian.eigenvalues(point)[(int) point.paramCount() - 1];
        for (int r = 0; r < 3; r++) {
            QuadratureRun run = StochasticLanczosQuadrature.run(op, steps, 2011, r);
            assertEquals(steps, run.steps());
            INDArray v = StochasticLanczosQuadrature.rademacherStart(point.paramCount(), 2011, r);
            double vv = v.norm2Number().doubleValue();
            double[] forms = Hutchinson.quadraticForms(point, v);
            for (int k = 1; k <= 4; k++) {
                double expected = forms[k - 1] / (vv * vv);
                assertEquals(expected, run.moment(k), 1e-9 * Math.pow(scale, k), "run " + r + ", k = " + k);
            }
        }
    }

    /**
     * The averaged quadrature moments against the exact tr(H^k)/P from the dense eigenvalues, within 4
     * standard errors (SE = SD across the 40 runs / sqrt 40). Each run's moment is exact for its start
     * (m = 10 >= 3), so this is Hutchinson's Rademacher estimator: near-normal over 40 runs, and
     * P(|z| > 4) ~ 1e-4 per moment (a t with 39 d.f. has slightly heavier tails, ~3e-4).
     */
    @Test
    void averagedMomentsWithinFourStandardErrorsOfExact() {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        HessianMoments exact = HessianMoments.fromEigenvalues(DenseHessian.eigenvalues(point));
        SpectralDensity d = StochasticLanczosQuadrature.density(SymmetricOperator.hessian(point), 40, 10, 2021, DensityGrid.DEFAULT);
        assertEquals(40, d.runs().size());
        assertEquals(400, d.operatorProducts());
        for (int k = 0; k < 4; k++) {
            double se = d.momentStderrs()[k];
            assertTrue(se > 0, "m" + (k + 1) + " has a positive stderr");
            double z = (d.moments()[k] - exact.moments()[k]) / se;
            assertTrue(Math.abs(z) <= 4, "m" + (k + 1) + ": " + d.moments()[k] + " +- " + se + " vs exact " + exact.moments()[k]);
        }
    }

    /**
     * The density integrates to 1 over its grid (each run's weights sum to 1 and the grid reaches 6 sigma
     * past the extreme nodes, which loses < 1e-9; the trapezoid rule with ~8 points per sigma is far more
     * accurate than that), and its mean is the averaged m1. The normalised density is the same function of
     * lambda / s: grid / s, density * s, integral 1, and its variance is (m2 - m1^2 + sigma^2) / s^2 =
     * 1 + (sigma/s)^2 exactly (the Gaussian broadening adds sigma^2), which here is 1 within 5%.
     */
    @Test
    void densityAndNormalisedDensityIntegrateToOneWithUnitVariance() {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        SpectralDensity d = StochasticLanczosQuadrature.density(SymmetricOperator.hessian(point), 10, 30, 2031, DensityGrid.DEFAULT);
        double[] x = d.grid();
        assertEquals(1001, x.length);
        assertEquals(1.0, SpectralDensity.integrate(x, d.density()), 1e-8);
        double mean = SpectralDensity.integrate(x, product(x, d.density()));
        assertEquals(d.moments()[0], mean, 1e-8 * d.spectrumStd());

        double s = d.spectrumStd();
        assertEquals(Math.sqrt(d.moments()[1] - d.moments()[0] * d.moments()[0]), s, 0.0);
        for (int g = 0; g < x.length; g++) {
            assertEquals(x[g] / s, d.normalisedGrid()[g], 1e-15 * Math.abs(x[g] / s));
            assertEquals(d.density()[g] * s, d.normalisedDensity()[g], 1e-15 * d.density()[g] * s);
        }
        double[] y = d.normalisedGrid();
        double[] p = d.normalisedDensity();
        assertEquals(1.0, SpectralDensity.integrate(y, p), 1e-8);
        double m1 = SpectralDensity.integrate(y, product(y, p));
        double m2 = SpectralDensity.integrate(y, product(y, product(y, p)));
        double variance = m2 - m1 * m1;
        double broadening = (d.sigma() / s) * (d.sigma() / s);
        assertEquals(1.0 + broadening, variance, 1e-7);
        assertEquals(1.0, variance, 0.05);
    }

    @Test
    void sameSeedSameDensityOtherSeedAnother() {
        SymmetricOperator op = SymmetricOperator.hessian(LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE));
        SpectralDensity a = StochasticLanczosQuadrature.density(op, 3, 15, 2041, DensityGrid.DEFAULT);
        SpectralDensity b = StochasticLanczosQuadrature.density(op, 3, 15, 2041, DensityGrid.DEFAULT);
        SpectralDensity c = StochasticLanczosQuadrature.density(op, 3, 15, 2042, DensityGrid.DEFAULT);
        assertArrayEquals(a.grid(), b.grid());
        assertArrayEquals(a.density(), b.density());
        assertArrayEquals(a.moments(), b.moments());
        List<QuadratureRun> ra = a.runs();
        for (int r = 0; r < 3; r++) {
            assertArrayEquals(ra.get(r).nodes(), b.runs().get(r).nodes());
            assertArrayEquals(ra.get(r).weights(), b.runs().get(r).weights());
        }
        assertFalse(Arrays.equals(a.density(), c.density()), "another seed, other start vectors");
    }

    private static double[] product(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * b[i];
        }
        return out;
    }
}
