package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import io.depthscope.probe.Hutchinson.Distribution;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hutchinson's moments against the exact ones of a small network (P = 213), and the honesty of the
 * reported standard errors. Seeds are fixed, so each test is deterministic; the probabilities below are
 * those of a false failure over the choice of seeds, i.e. how unlucky a correct estimator would have to be.
 */
@Tag("slow") // 400 probes, and 100 runs of 20, per distribution for the estimator's statistics: left out of the fast path (mvn -Pfast), which keeps the exact moments (ExactMomentsTest, HessianWorkTest)
class HutchinsonTest {
    private static final NetworkSpec SPEC = new NetworkSpec("mlp", 6, 10, 2, 3, "tanh", true, 1.0, "mse");

    private static Point point() {
        Network net = Network.of(SPEC);
        return net.at(Fixtures.batch(SPEC, 20, 701, DataType.DOUBLE), Fixtures.theta(net, 702, DataType.DOUBLE));
    }

    /**
     * With n = 400 probes each estimate is a mean of 400 i.i.d. terms, close to normal, and its reported
     * stderr is within a few percent of the true one; P(|z| > 4) = 6.3e-5, so the 4 moments fail together
     * with probability below 2.6e-4 per distribution (the heavier tails of v.H^4v under Gaussian probes
     * leave this well under 1e-3).
     */
    @ParameterizedTest
    @EnumSource(Distribution.class)
    void momentsWithinFourStandardErrorsOfExact(Distribution distribution) {
        Point point = point();
        assertEquals(213, point.paramCount());
        HessianMoments exact = HessianMoments.fromEigenvalues(DenseHessian.eigenvalues(point));
        HessianMoments est = Hutchinson.estimate(point, 400, 703, distribution);
        assertEquals(400, est.probes());
        assertEquals("hutchinson", est.method());
        double[] m = est.moments();
        double[] se = est.stderrs();
        double[] truth = exact.moments();
        for (int k = 0; k < 4; k++) {
            assertTrue(se[k] > 0, "m" + (k + 1) + " has a positive stderr");
            double z = (m[k] - truth[k]) / se[k];
            assertTrue(Math.abs(z) <= 4, "m" + (k + 1) + ": estimate " + m[k] + " +- " + se[k] + ", exact " + truth[k] + ", z = " + z);
        }
        assertTrue(est.skewnessStderr() > 0 && est.kurtosisStderr() > 0, "delta-method stderrs are positive");
    }

    /**
     * Over R = 100 independent runs of n = 20 probes, the empirical SD of the m1 estimates, the mean
     * reported stderr and the exact SD all agree within a factor 1.5. The exact SD of one probe's v.Hv is
     * sqrt(2 (||H||_F^2 - sum_i H_ii^2)) for Rademacher and sqrt(2 ||H||_F^2) for Gaussian probes.
     *
     * <p>False-failure probability: the sample SD of R = 100 near-normal estimates has relative SD about
     * 1/sqrt(2 (R - 1)) = 0.071; each reported stderr (n = 20) has relative SD about sqrt((2 + kappa)/(4n))
     * <= 0.4 for an excess kurtosis kappa <= 10 of v.Hv, so their mean over 100 runs has relative SD <= 0.04
     * (and a downward bias of ~1/(4n) = 1.3%). The log-ratio therefore has SD <= 0.085 against a margin of
     * log 1.5 = 0.405, 4.8 SDs: a false failure has probability about 2e-6 per comparison, below 1e-5 for
     * the three comparisons and two distributions together.
     */
    @ParameterizedTest
    @EnumSource(Distribution.class)
    void reportedStandardErrorIsHonest(Distribution distribution) {
        Point point = point();
        INDArray h = DenseHessian.of(point);
        double frob2 = h.mul(h).sumNumber().doubleValue();
        double diag2 = 0;
        for (int i = 0; i < h.rows(); i++) {
            diag2 += h.getDouble(i, i) * h.getDouble(i, i);
        }
        int runs = 100;
        int probes = 20;
        double p = point.paramCount();
        double perProbeVar = 2 * (distribution == Distribution.RADEMACHER ? frob2 - diag2 : frob2);
        double exactSd = Math.sqrt(perProbeVar / probes) / p;

        double[] estimates = new double[runs];
        double meanStderr = 0;
        for (int r = 0; r < runs; r++) {
            HessianMoments m = Hutchinson.estimate(point, probes, 7000 + r, distribution);
            estimates[r] = m.m1();
            meanStderr += m.m1Stderr() / runs;
        }
        double mean = 0;
        for (double e : estimates) {
            mean += e / runs;
        }
        double ss = 0;
        for (double e : estimates) {
            ss += (e - mean) * (e - mean);
        }
        double empiricalSd = Math.sqrt(ss / (runs - 1));
        String report = distribution.label() + ": empirical SD " + empiricalSd + ", mean reported stderr " + meanStderr
                + ", exact SD " + exactSd;
        assertWithinFactor(empiricalSd, meanStderr, 1.5, report);
        assertWithinFactor(exactSd, meanStderr, 1.5, report);
        assertWithinFactor(exactSd, empiricalSd, 1.5, report);
    }

    private static void assertWithinFactor(double a, double b, double factor, String report) {
        assertTrue(a > 0 && b > 0 && a / b <= factor && b / a <= factor, report);
    }
}
