package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The delta-method gradients of skewness and kurtosis against central differences of the functions. */
class DeltaMethodTest {
    @Test
    void gradientsMatchCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(301);
        for (int trial = 0; trial < 20; trial++) {
            // moments of a genuine spectrum, so that m2 > m1^2 and the functions are defined
            double[] eig = new double[30];
            double shift = 2 * rng.nextDouble() - 1;
            for (int i = 0; i < eig.length; i++) {
                eig[i] = shift + Math.pow(rng.nextGaussian(), 3);
            }
            double[] m = HessianMoments.fromEigenvalues(eig).moments();
            check(m, HessianMoments.skewnessGradient(m), true);
            check(m, HessianMoments.kurtosisGradient(m), false);
        }
    }

    private static void check(double[] m, double[] gradient, boolean skewness) {
        for (int i = 0; i < 4; i++) {
            double h = 1e-6 * Math.max(1, Math.abs(m[i]));
            double[] plus = m.clone();
            double[] minus = m.clone();
            plus[i] += h;
            minus[i] -= h;
            double fd = skewness
                    ? (HessianMoments.skewness(plus) - HessianMoments.skewness(minus)) / (2 * h)
                    : (HessianMoments.kurtosis(plus) - HessianMoments.kurtosis(minus)) / (2 * h);
            double scale = 0;
            for (double g : gradient) {
                scale = Math.max(scale, Math.abs(g));
            }
            // central differences are O(h^2) accurate; rounding adds ~eps |f| / h ~ 1e-10 |f|
            assertEquals(fd, gradient[i], 1e-6 * scale, (skewness ? "skewness" : "kurtosis") + " d/dm" + (i + 1));
        }
    }
}
