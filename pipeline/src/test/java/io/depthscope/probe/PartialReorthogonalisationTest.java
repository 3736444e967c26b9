package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import io.depthscope.nn.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Partial reorthogonalisation (Simon 1984) against full reorthogonalisation from the same start: the basis stays
 * semiorthogonal (|q_j.q_k| of order sqrt(eps)), the converged Ritz values are the same to rounding with no ghost
 * copies, the quadrature nodes and weights agree, and it reorthogonalises at only some of the steps.
 */
class PartialReorthogonalisationTest {
    /** The largest |q_j.q_k - delta_jk| of a basis. */
    static double orthogonalityLoss(INDArray basis) {
        INDArray gram = basis.mmul(basis.transpose());
        return gram.sub(Nd4j.eye(basis.rows()).castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    /**
     * 80 steps on 400 dimensions with six outliers converged by step 20 or so: without reorthogonalisation the vectors
     * lose orthogonality as each one converges and T grows ghost copies of it.
     */
    @Test
    void hardSpectrumStaysSemiorthogonalWithoutGhosts() {
        int n = 400;
        int m = 80;
        SplittableRandom rng = new SplittableRandom(2001);
        double[] lambda = LanczosTest.hessianLike(n, rng);
        SymmetricOperator op = SymmetricOperator.dense(LanczosTest.known(lambda, KnownSpectrumTest.randomOrthogonal(n, rng)));
        INDArray start = Lanczos.gaussianStart(n, 2002);
        LanczosResult full = Lanczos.run(op, start, m, true, false);
        LanczosResult partial = Lanczos.run(op, start, m, true, true);
        assertEquals(m, full.reorthogonalisations());
        assertTrue(partial.reorthogonalisations() > 0 && partial.reorthogonalisations() < m / 2,
                "passes " + partial.reorthogonalisations() + " of " + m);
        double loss = orthogonalityLoss(partial.basis());
        System.out.printf("partial reorthogonalisation, float64, %d steps: %d passes, orthogonality loss %.1e%n", m,
                partial.reorthogonalisations(), loss);
        assertTrue(loss <= 10 * Math.sqrt(0x1p-53), "orthogonality loss " + loss);

        double[] expected = lambda.clone();
        Arrays.sort(expected);
        double norm = Math.abs(expected[n - 1]);
        double[] p = partial.ritz().values();
        double[] f = full.ritz().values();
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[n - 1 - i], p[m - 1 - i], 1e-11 * norm, "outlier " + i);
            assertEquals(f[m - 1 - i], p[m - 1 - i], 1e-12 * norm, "outlier " + i + " against full reorthogonalisation");
        }
        assertEquals(expected[0], p[0], 1e-11 * norm, "the isolated smallest");
        long copies = Arrays.stream(p).filter(v -> Math.abs(v - expected[n - 1]) < 1e-6 * norm).count();
        assertEquals(1, copies, "Ritz values at the top eigenvalue: a ghost is a second one");
        QuadratureRun qp = QuadratureRun.of(0, partial);
        QuadratureRun qf = QuadratureRun.of(0, full);
        for (int i = 0; i < m; i++) {
            assertEquals(qf.nodes()[i], qp.nodes()[i], 1e-6 * norm, "node " + i);
            assertEquals(qf.weights()[i], qp.weights()[i], 1e-6, "weight " + i);
        }
        for (int k = 1; k <= 4; k++) {
            assertEquals(qf.moment(k), qp.moment(k), 1e-9 * Math.pow(norm, k), "moment " + k);
        }
    }

    /**
     * A float32 Hessian: each product rounds to about 6e-8 of ||H||, so the estimates take float32's eps and the basis
     * is semiorthogonal at its sqrt; the quadrature agrees with full reorthogonalisation on the same operator.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("float32Networks")
    void float32HessianQuadratureAgreesWithFullReorthogonalisation(NetworkSpec spec) {
        SymmetricOperator op = SymmetricOperator.hessian(LanczosTest.point(spec, DataType.FLOAT));
        INDArray start = StochasticLanczosQuadrature.rademacherStart(op.size(), 2011, 0);
        int m = 60;
        LanczosResult full = Lanczos.run(op, start, m, true, false);
        LanczosResult partial = Lanczos.run(op, start, m, true, true);
        assertTrue(partial.reorthogonalisations() < full.reorthogonalisations(),
                "passes " + partial.reorthogonalisations() + " of " + full.reorthogonalisations());
        double loss = orthogonalityLoss(partial.basis());
        System.out.printf("partial reorthogonalisation, float32 Hessian, P = %d, %d steps: %d passes, orthogonality loss %.1e%n",
                op.size(), m, partial.reorthogonalisations(), loss);
        assertTrue(loss <= 10 * Math.sqrt(0x1p-24), "orthogonality loss " + loss);
        QuadratureRun qp = QuadratureRun.of(0, partial);
        QuadratureRun qf = QuadratureRun.of(0, full);
        double norm = Math.max(Math.abs(qf.nodes()[0]), Math.abs(qf.nodes()[qf.nodes().length - 1]));
        for (int k = 1; k <= 4; k++) {
            assertEquals(qf.moment(k), qp.moment(k), 1e-5 * Math.pow(norm, k), "moment " + k);
        }
        assertEquals(qf.nodes()[qf.nodes().length - 1], qp.nodes()[qp.nodes().length - 1], 1e-5 * norm, "top node");
    }

    /**
     * LanczosTest's tanh mlp (P = 139) and a wider, deeper one (P = 9,603), where float32's rounding margin and the
     * float64 worst case sqrt(n) differ by a factor of 10.
     */
    static java.util.stream.Stream<NetworkSpec> float32Networks() {
        return java.util.stream.Stream.of(LanczosTest.MSE, new NetworkSpec("mlp", 16, 64, 3, 3, "tanh", true, 1.0, "mse"));
    }

    /** SLQ's own runs take partial reorthogonalisation; their moments match full reorthogonalisation's in float64. */
    @Test
    void quadratureRunsArePartialAndMatchFull() {
        SymmetricOperator op = SymmetricOperator.hessian(LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE));
        int m = 40;
        QuadratureRun slq = StochasticLanczosQuadrature.run(op, m, 2021, 3);
        LanczosResult full = Lanczos.run(op, StochasticLanczosQuadrature.rademacherStart(op.size(), 2021, 3), m, false, false);
        QuadratureRun qf = QuadratureRun.of(3, full);
        double norm = Math.abs(qf.nodes()[qf.nodes().length - 1]);
        for (int k = 1; k <= 4; k++) {
            assertEquals(qf.moment(k), slq.moment(k), 1e-10 * Math.pow(norm, k), "moment " + k);
        }
    }

    /**
     * Eigenvalue estimates alone ({@link Lanczos#topEigenvalues}) are the partial run's, and equal the fully reorthogonalised
     * run's to rounding at both ends, in float64 on the hard spectrum (80 steps, its outliers converged long before) and on a
     * float32 Hessian; the residual bounds agree too.
     */
    @Test
    void eigenvalueEstimatesArePartialAndMatchFull() {
        int n = 400;
        SplittableRandom rng = new SplittableRandom(2001);
        double[] lambda = LanczosTest.hessianLike(n, rng);
        SymmetricOperator dense = SymmetricOperator.dense(LanczosTest.known(lambda, KnownSpectrumTest.randomOrthogonal(n, rng)));
        SymmetricOperator float32 = SymmetricOperator.hessian(LanczosTest.point(float32Networks().toList().get(1), DataType.FLOAT));
        for (SymmetricOperator op : List.of(dense, float32)) {
            int m = op == dense ? 80 : 60;
            double tolerance = op == dense ? 1e-12 : 1e-5;
            TopEigenvalues top = Lanczos.topEigenvalues(op, m, 3, 2031);
            LanczosResult partial = Lanczos.run(op, Lanczos.gaussianStart(op.size(), 2031), m, false, true);
            TopEigenvalues full = Lanczos.run(op, m, 2031, false).top(3);
            assertTrue(partial.reorthogonalisations() < m / 2, "passes " + partial.reorthogonalisations() + " of " + m);
            assertArrayEquals(partial.top(3).largest(), top.largest(), 0, "the partial run's values");
            assertArrayEquals(partial.top(3).smallest(), top.smallest(), 0, "the partial run's values");
            double norm = Math.max(Math.abs(full.largest()[0]), Math.abs(full.smallest()[0]));
            for (int i = 0; i < 3; i++) {
                assertEquals(full.largest()[i], top.largest()[i], tolerance * norm, "largest " + i);
                assertEquals(full.smallest()[i], top.smallest()[i], tolerance * norm, "smallest " + i);
                assertEquals(full.largestResidualBounds()[i], top.largestResidualBounds()[i], Math.max(tolerance * norm,
                        1e-3 * full.largestResidualBounds()[i]), "residual bound " + i);
            }
            System.out.printf("eigenvalue estimates, P = %d, %d steps: %d passes, largest %.10g (full %.10g)%n", op.size(), m,
                    partial.reorthogonalisations(), top.largest()[0], full.largest()[0]);
        }
    }
}
