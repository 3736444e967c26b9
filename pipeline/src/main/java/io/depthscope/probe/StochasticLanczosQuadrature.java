package io.depthscope.probe;

import io.depthscope.util.Rademacher;
import io.depthscope.util.Seeds;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Stochastic Lanczos quadrature (Lin, Saad and Yang 2016; Ghorbani, Krishnan and Xiao 2019): n_v
 * independent Lanczos runs of m steps, each from a normalised Rademacher vector, give Gauss quadratures
 * whose average estimates the spectral density and moments of the operator. Cost: n_v * m products.
 *
 * <p>The weight of node i is the squared FIRST component of T's i-th eigenvector (q = Q^T e_1, so
 * q^T f(A) q ~ e_1^T f(T) e_1 = sum_i s_i[0]^2 f(theta_i)): with the eigenvectors as the columns of S,
 * the first ROW of S squared, not the first column (an easy slip, and one PyHessian has made).
 *
 * <p>The runs reorthogonalise partially ({@link Lanczos}: Simon's semiorthogonality), which gives the nodes and weights
 * of full reorthogonalisation up to rounding for a fraction of its passes over the basis.
 */
public final class StochasticLanczosQuadrature {
    private StochasticLanczosQuadrature() {}

    /** Run {@code run}'s start: Rademacher from the stream (seed, "slq", run), divided by sqrt(n). */
    public static INDArray rademacherStart(long size, long seed, long run) {
        int n = Math.toIntExact(size);
        INDArray v = Nd4j.createUninitialized(DataType.DOUBLE, n);
        Rademacher.fill(Seeds.derive(seed, "slq", run), 0, v);
        return v.divi(Math.sqrt(n));
    }

    /** One quadrature: {@code steps} Lanczos steps from {@link #rademacherStart}(size, seed, run). */
    public static QuadratureRun run(SymmetricOperator op, int steps, long seed, long run) {
        return QuadratureRun.of(run, Lanczos.run(op, rademacherStart(op.size(), seed, run), steps, false, true));
    }

    /** Runs 0 .. runs-1 of the stream {@code seed}. */
    public static List<QuadratureRun> runs(SymmetricOperator op, int runs, int steps, long seed) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs: value " + runs + " is not allowed; allowed: >= 1");
        }
        List<QuadratureRun> out = new ArrayList<>(runs);
        for (int r = 0; r < runs; r++) {
            out.add(run(op, steps, seed, r));
        }
        return out;
    }

    /** The spectral density from {@code runs} quadratures of {@code steps} steps each, on {@code grid}. */
    public static SpectralDensity density(SymmetricOperator op, int runs, int steps, long seed, DensityGrid grid) {
        return SpectralDensity.of(runs(op, runs, steps, seed), steps, grid);
    }
}
