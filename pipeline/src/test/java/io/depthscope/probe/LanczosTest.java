package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Lanczos against spectra known in advance (Q diag Q^T) and against the dense Hessian's LAPACK eigenvalues. */
class LanczosTest {
    /** A tanh mlp with mse, P = 139: large enough for a real Krylov run, small enough for a dense Hessian. */
    static final NetworkSpec MSE = new NetworkSpec("mlp", 4, 8, 2, 3, "tanh", true, 0.7, "mse");

    static Point point(NetworkSpec spec, DataType dtype) {
        Network net = Network.of(spec);
        return net.at(Fixtures.batch(spec, 12, 901, dtype), Fixtures.theta(net, 902, dtype));
    }

    /** Q diag(lambda) Q^T with a random orthogonal Q; {@code q[i][k]} is component i of eigenvector k. */
    static INDArray known(double[] lambda, double[][] q) {
        int n = lambda.length;
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
        // exactly symmetric, so the operator's symmetry check sees no rounding asymmetry either
        INDArray m = Nd4j.createFromArray(a);
        return m.add(m.transpose()).muli(0.5);
    }

    /** A Hessian-like spectrum of distinct values: a bulk near 0 of both signs and a few outliers. */
    static double[] hessianLike(int n, SplittableRandom rng) {
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            lambda[i] = i < n - 5 ? 0.05 * rng.nextGaussian() : 2.0 * (i - n + 6) + 0.1 * rng.nextDouble();
        }
        lambda[0] = -1.5;
        return lambda;
    }

    /** The norm the recurrence takes: sqrt of a dot where that is exact to rounding, a scaled norm where squares overflow or underflow. */
    @ParameterizedTest
    @CsvSource({"1", "1e200", "1e-200", "1e-150", "1e-160", "0"})
    void normIsTheEuclideanNormAtEveryScale(double scale) {
        double[] x = new double[1000];
        SplittableRandom rng = new SplittableRandom(7);
        double exact = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextGaussian();
            exact += x[i] * x[i];
        }
        exact = Math.sqrt(exact) * scale; // the sum is of order 1e3: no rounding worth speaking of before the scale
        INDArray v = Nd4j.createFromArray(x).muli(scale);
        assertEquals(exact, Lanczos.norm(v), 1e-14 * exact);
        if (scale == 1) {
            assertEquals(v.norm2Number().doubleValue(), Lanczos.norm(v), 1e-14 * exact, "ND4J's norm2, where it neither overflows nor underflows");
        }
    }

    @Test
    void fullRunOnKnownSpectrumRecoversEveryEigenvalue() {
        int n = 60;
        SplittableRandom rng = new SplittableRandom(1001);
        double[] lambda = hessianLike(n, rng);
        SymmetricOperator op = SymmetricOperator.dense(known(lambda, KnownSpectrumTest.randomOrthogonal(n, rng)));
        LanczosResult r = Lanczos.run(op, n, 1002, false);
        assertEquals(n, r.steps());
        assertFalse(r.brokeDown());
        assertEquals(n, r.operatorProducts());
        double[] expected = lambda.clone();
        Arrays.sort(expected);
        double[] got = r.ritz().values();
        for (int i = 0; i < n; i++) {
            // ||A|| ~ 10; 1e-12 of it is ~ 1000 eps, what a 60-step recurrence with reorthogonalisation leaves
            assertEquals(expected[i], got[i], 1e-11, "eigenvalue " + i);
        }
        TopEigenvalues top = r.top(3);
        assertEquals(expected[n - 1], top.lambdaMax(), 1e-11);
        assertEquals(expected[0], top.lambdaMin(), 1e-11);
        assertEquals(1.5 / expected[n - 1], top.negativeToPositiveRatio(), 1e-11);
    }

    /**
     * With m = 25 < n = 200 the outliers converge; each of the top 3 (and bottom 1, isolated at -1.5) lies
     * within its own residual bound of the true eigenvalue, and the bounds are small, so the check bites.
     * The bound |beta_m s_m| is an exact-arithmetic one; a converged Ritz value can have a bound of 1e-19
     * and an error of a few eps * ||A||, so 1e-12 * ||A|| (||A|| ~ 10) is added for rounding.
     */
    @Test
    void partialRunOnKnownSpectrumHasHonestResidualBounds() {
        int n = 200;
        SplittableRandom rng = new SplittableRandom(1011);
        double[] lambda = hessianLike(n, rng);
        SymmetricOperator op = SymmetricOperator.dense(known(lambda, KnownSpectrumTest.randomOrthogonal(n, rng)));
        TopEigenvalues top = Lanczos.topEigenvalues(op, 25, 3, 1012);
        assertEquals(25, top.operatorProducts());
        double[] expected = lambda.clone();
        Arrays.sort(expected);
        for (int i = 0; i < 3; i++) {
            double err = Math.abs(top.largest()[i] - expected[n - 1 - i]);
            assertTrue(err <= top.largestResidualBounds()[i] + 1e-11, "largest " + i + ": error " + err + " > bound " + top.largestResidualBounds()[i]);
            assertTrue(top.largestResidualBounds()[i] < 1e-3, "largest " + i + " converged: bound " + top.largestResidualBounds()[i]);
        }
        double err = Math.abs(top.smallest()[0] - expected[0]);
        assertTrue(err <= top.smallestResidualBounds()[0] + 1e-11 && top.smallestResidualBounds()[0] < 1e-3,
                "smallest: error " + err + ", bound " + top.smallestResidualBounds()[0]);
    }

    /** A spectrum with repeated values has a Krylov space of dimension = the number of distinct ones. */
    @Test
    void repeatedEigenvaluesBreakDownWithExactRitzValues() {
        int n = 12;
        double[] lambda = {1, 1, 1, 1, 2, 2, 3, 3, 3, -4, -4, 5};
        SplittableRandom rng = new SplittableRandom(1021);
        SymmetricOperator op = SymmetricOperator.dense(known(lambda, KnownSpectrumTest.randomOrthogonal(n, rng)));
        LanczosResult r = Lanczos.run(op, n, 1022, true);
        assertTrue(r.brokeDown());
        assertEquals(5, r.steps(), "five distinct eigenvalues");
        assertEquals(n, r.requestedSteps());
        assertEquals(5, r.operatorProducts());
        assertEquals(5, r.basis().rows());
        double[] got = r.ritz().values();
        double[] distinct = {-4, 1, 2, 3, 5};
        for (int i = 0; i < 5; i++) {
            assertEquals(distinct[i], got[i], 1e-12, "Ritz value " + i);
        }
        assertTrue(r.residualNorm() < 1e-10 * 5, "residual " + r.residualNorm());
    }

    /** All P Ritz values against LAPACK's eigenvalues of the dense Hessian, and the top 3 from m < P. */
    @Test
    void hessianRitzValuesMatchDenseEigenvalues() {
        Point point = point(MSE, DataType.DOUBLE);
        int p = (int) point.paramCount();
        assertEquals(139, p);
        double[] exact = DenseHessian.eigenvalues(point);
        double scale = Math.max(Math.abs(exact[0]), Math.abs(exact[p - 1]));

        LanczosResult full = Lanczos.run(SymmetricOperator.hessian(point), p, 1031, false);
        assertEquals(p, full.steps(), "no breakdown: the tanh/mse Hessian has no repeated eigenvalue");
        double[] got = full.ritz().values();
        double worst = 0;
        for (int i = 0; i < p; i++) {
            worst = Math.max(worst, Math.abs(got[i] - exact[i]));
        }
        assertTrue(worst <= 1e-8 * scale, "max |ritz - eig| = " + worst + " vs ||H|| = " + scale);

        TopEigenvalues top = Lanczos.topEigenvalues(SymmetricOperator.hessian(point), 40, 3, 1032);
        for (int i = 0; i < 3; i++) {
            double err = Math.abs(top.largest()[i] - exact[p - 1 - i]);
            assertTrue(err <= top.largestResidualBounds()[i] + 1e-12 * scale,
                    "largest " + i + ": error " + err + " > bound " + top.largestResidualBounds()[i]);
            assertTrue(top.largestResidualBounds()[i] < 1e-4 * scale, "largest " + i + " converged in 40 steps");
        }
        double ratio = Math.max(0, -exact[0]) / exact[p - 1];
        assertEquals(ratio, top.negativeToPositiveRatio(), 1e-3 * ratio + top.smallestResidualBounds()[0] / exact[p - 1]);
    }

    /**
     * The recurrence plus one classical Gram-Schmidt pass (a second when the first cancelled much) keeps
     * Q Q^T = I to ~1e-15 even when m = P (every Ritz value converged); without the pass it drifts to O(1).
     */
    @ParameterizedTest(name = "m = P - {0}")
    @CsvSource({"0", "1", "20"})
    void basisStaysOrthonormal(int fewer) {
        Point point = point(MSE, DataType.DOUBLE);
        int m = (int) point.paramCount() - fewer;
        LanczosResult r = Lanczos.run(SymmetricOperator.hessian(point), m, 1041, true);
        assertEquals(m, r.steps());
        INDArray q = r.basis();
        INDArray gram = q.mmul(q.transpose()).subi(Nd4j.eye(m).castTo(DataType.DOUBLE));
        double off = Math.max(gram.maxNumber().doubleValue(), -gram.minNumber().doubleValue());
        assertTrue(off < 1e-12, "max |Q Q^T - I| = " + off);
    }

    /**
     * Cross-entropy is unchanged when every logit moves by the same amount, so the output layer has a
     * (width + 1)-dimensional null space: the Krylov space is smaller than P and Lanczos must stop early.
     * The Ritz values it has are still eigenvalues of H.
     */
    @Test
    void crossEntropyNullSpaceBreaksDownEarly() {
        NetworkSpec spec = new NetworkSpec("mlp", 4, 8, 2, 3, "tanh", true, 0.7, "cross_entropy");
        Point point = point(spec, DataType.DOUBLE);
        int p = (int) point.paramCount();
        LanczosResult r = Lanczos.run(SymmetricOperator.hessian(point), p, 1051, false);
        assertTrue(r.brokeDown(), "stopped after " + r.steps() + " of " + p);
        assertTrue(r.steps() <= p - spec.width(), "steps " + r.steps() + " <= P - width");
        double[] exact = DenseHessian.eigenvalues(point);
        double[] got = r.ritz().values();
        double scale = Math.max(Math.abs(exact[0]), exact[p - 1]);
        for (int i = 0; i < 5; i++) {
            assertEquals(exact[p - 1 - i], got[got.length - 1 - i], 1e-8 * scale, "largest " + i);
        }
        assertEquals(exact[0], got[0], 1e-8 * scale, "smallest");
    }

    /**
     * A float32 Hessian: the products round to ~6e-8 relative, the recurrence stays double, so the outliers
     * agree with float64's to 1e-5 (measured: 3e-8).
     */
    @Test
    void float32PointAgreesWithFloat64() {
        TopEigenvalues d = Lanczos.topEigenvalues(SymmetricOperator.hessian(point(MSE, DataType.DOUBLE)), 40, 2, 1061);
        TopEigenvalues f = Lanczos.topEigenvalues(SymmetricOperator.hessian(point(MSE, DataType.FLOAT)), 40, 2, 1061);
        for (int i = 0; i < 2; i++) {
            assertEquals(d.largest()[i], f.largest()[i], 1e-5 * Math.abs(d.largest()[0]), "largest " + i);
        }
    }

    @Test
    void sameSeedSameRunAndOtherSeedOtherStart() {
        SymmetricOperator op = SymmetricOperator.hessian(point(MSE, DataType.DOUBLE));
        LanczosResult a = Lanczos.run(op, 30, 1071, true);
        LanczosResult b = Lanczos.run(op, 30, 1071, true);
        LanczosResult c = Lanczos.run(op, 30, 1072, true);
        assertTrue(Arrays.equals(a.alpha(), b.alpha()) && Arrays.equals(a.beta(), b.beta()));
        assertEquals(a.basis(), b.basis());
        assertFalse(Arrays.equals(a.alpha(), c.alpha()), "another seed, another start vector");
    }
}
