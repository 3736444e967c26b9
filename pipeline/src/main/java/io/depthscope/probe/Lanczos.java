package io.depthscope.probe;

import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import io.depthscope.util.ThreadWork;
import java.lang.ref.WeakReference;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Lanczos process on a symmetric operator with full reorthogonalisation, as Ghorbani, Krishnan and
 * Xiao (2019) use it for Hessian spectra, or with partial reorthogonalisation where no Ritz vector is formed. Each step costs one product A q; the m Lanczos vectors are kept
 * (m x n float64) because without reorthogonalisation against all of them the vectors lose orthogonality
 * as soon as a Ritz value converges and T grows spurious copies of it ("ghost" eigenvalues), which would
 * corrupt both the outliers and the quadrature weights.
 *
 * <p>Vectors are held in float64 whatever the operator's dtype: a float32 Hessian only rounds the
 * products, the recurrence and the orthogonality stay double.
 */
public final class Lanczos {
    /**
     * beta_j below this fraction of the running estimate of ||A|| counts as a breakdown: the Krylov space
     * is invariant (to ~1e-10 relative), any further vector would be rounding noise, so we stop and return
     * T so far, whose Ritz values are then eigenvalues of A.
     */
    public static final double BREAKDOWN_TOLERANCE = 1e-10;

    private Lanczos() {}

    /**
     * The start vector for eigenvalue runs: Gaussian from the stream (seed, "lanczos"), normalised. Gaussian
     * rather than Rademacher because it is rotation-invariant: a +-1 vector can be exactly orthogonal to a
     * structured eigenvector (e.g. (e_i - e_j)/sqrt 2 from a symmetry of the network) and never find it.
     */
    public static INDArray gaussianStart(long size, long seed) {
        return gaussianStart(Nd4j.createUninitialized(DataType.DOUBLE, size), seed);
    }

    /** {@link #gaussianStart(long, long)} written into {@code q} (float64, of the operator's size), which it returns. */
    private static INDArray gaussianStart(INDArray q, long seed) {
        q.data().setData(RandomArrays.gaussian(Seeds.stream(seed, "lanczos"), Math.toIntExact(q.length()), 1.0));
        return q.divi(q.norm2Number().doubleValue());
    }

    /** A start vector for {@code op} in a buffer borrowed from this thread's previous run (ThreadWork). */
    private static INDArray borrowedStart(SymmetricOperator op, long seed) {
        return gaussianStart(ThreadWork.vector(STARTS.borrow(new DataType[] {DataType.DOUBLE}, new long[] {op.size()})[0]), seed);
    }

    /** m = {@code steps} Lanczos steps from {@link #gaussianStart}, fully reorthogonalised. */
    public static LanczosResult run(SymmetricOperator op, int steps, long seed, boolean keepBasis) {
        return run(op, borrowedStart(op, seed), steps, keepBasis);
    }

    /**
     * The k largest and k smallest eigenvalue estimates from m steps from {@link #gaussianStart}, with partial
     * reorthogonalisation: no Ritz vector is formed, so a semiorthogonal basis is enough, and the values are those of the
     * fully reorthogonalised run up to rounding (PartialReorthogonalisationTest) for a fraction of its passes over the
     * basis. A run whose Ritz vectors are used, and the curvature learning rate that must equal its value, take
     * {@link #run(SymmetricOperator, int, long, boolean)}.
     */
    public static TopEigenvalues topEigenvalues(SymmetricOperator op, int steps, int k, long seed) {
        return run(op, borrowedStart(op, seed), steps, false, true).top(k);
    }

    /**
     * The DGKS criterion (Daniel, Gragg, Kaufman and Stewart 1976, as ARPACK uses it): a Gram-Schmidt pass
     * that leaves more than this fraction of the vector's norm cancelled little, so the result is orthogonal
     * to working precision; one that leaves less is repeated once ("twice is enough").
     */
    static final double REORTHOGONALISE_AGAIN_BELOW = 1 / Math.sqrt(2);

    /**
     * m = {@code steps} Lanczos steps from {@code start} (any nonzero vector; it is normalised, not
     * modified). {@code steps} is capped at the operator's size n, where the Krylov space is everything.
     *
     * <p>Step j: w = A q_j, alpha_j = q_j.w, w -= alpha_j q_j + beta_{j-1} q_{j-1}, then a classical
     * Gram-Schmidt pass w -= Q_j^T (Q_j w) over all vectors so far, repeated when it cancelled more than
     * {@link #REORTHOGONALISE_AGAIN_BELOW} of the norm (one pass then leaves errors of order eps * cancellation;
     * two are enough: Giraud et al. 2005); beta_j = ||w||, q_{j+1} = w / beta_j. The three-term recurrence does
     * the heavy cancellation, so the pass usually removes only rounding and is not repeated.
     *
     * <p>The pass reads all j kept vectors twice (two GEMVs), so it is memory-bound and its share of a step
     * grows with j; it runs as two in-place BLAS calls on the [m, n] basis, without temporaries of size n.
     *
     * <p>A quadrature run (see the overload with {@code partial}) reorthogonalises only when it must: partial
     * reorthogonalisation (Simon 1984), {@link OrthogonalityEstimate}. The recurrence's own rounding is tracked
     * through Paige's recurrence for the inner products omega_{j+1,k} = q_{j+1}.q_k, and the Gram-Schmidt pass runs at
     * the step where an estimate passes sqrt(eps) and at the step after it (eps the unit roundoff of the operator's
     * dtype). The basis then stays semiorthogonal, which is enough for T to be, to O(eps ||A||), the projection of A
     * on the Krylov space (Simon 1984): Ritz values and quadrature nodes and weights are those of full
     * reorthogonalisation up to rounding, without ghosts, for a fraction of its memory traffic. Runs for eigenvalue
     * estimates alone take it too ({@link #topEigenvalues}); a run whose basis forms Ritz vectors reorthogonalises at every
     * step, as above, so that they are orthonormal to working precision.
     */
    public static LanczosResult run(SymmetricOperator op, INDArray start, int steps, boolean keepBasis) {
        return run(op, start, steps, keepBasis, false);
    }

    /**
     * As {@link #run(SymmetricOperator, INDArray, int, boolean)}, with partial reorthogonalisation when {@code partial}
     * (a kept basis is then semiorthogonal, not orthogonal to working precision). Quadrature runs and eigenvalue estimates
     * alone take it; a study's eigenvalue run does not, so that its Ritz vectors are formed from an orthonormal basis, and
     * the curvature learning rate takes that same run, so that the two stay the one value they are documented to be.
     */
    public static LanczosResult run(SymmetricOperator op, INDArray start, int steps, boolean keepBasis, boolean partial) {
        long size = op.size();
        int n = Math.toIntExact(size);
        if (start.length() != size) {
            throw new IllegalArgumentException("start: " + start.length() + " entries, but the operator has size " + size);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps: value " + steps + " is not allowed; allowed: >= 1");
        }
        int m = Math.min(steps, n);
        double startNorm = start.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        if (!(startNorm > 0) || !Double.isFinite(startNorm)) {
            throw new IllegalArgumentException("start: norm " + startNorm + " is not allowed; allowed: a nonzero finite vector");
        }
        // Rows past the last one built are never read (a short run returns a copy of the rows it built).
        INDArray basis = keepBasis ? Nd4j.createUninitialized(DataType.DOUBLE, m, n) : recycledBasis(m, n);
        row(basis, 0).assign(start.reshape(n)).divi(startNorm);
        // A float64 operator reads q where it lies and writes w directly; another dtype goes through copies. Every entry of
        // these borrowed vectors is written before it is read.
        boolean direct = op.dtype() == DataType.DOUBLE;
        DataBuffer[] work = direct ? VECTORS.borrow(new DataType[] {DataType.DOUBLE}, new long[] {n})
                : VECTORS.borrow(new DataType[] {DataType.DOUBLE, op.dtype(), op.dtype()}, new long[] {n, n, n});
        INDArray wFlat = ThreadWork.vector(work[0]);
        INDArray in = direct ? null : ThreadWork.vector(work[1]);
        INDArray out = direct ? null : ThreadWork.vector(work[2]);
        INDArray coefficients = Nd4j.create(DataType.DOUBLE, 1, m);
        double[] alpha = new double[m];
        double[] beta = new double[m];
        double normEstimate = 0;
        OrthogonalityEstimate omega = partial ? new OrthogonalityEstimate(m, n, op.dtype()) : null;
        int passes = 0;
        int built = 0;
        boolean brokeDown = false;
        double residual = 0;
        for (int j = 0; j < m; j++) {
            INDArray q = row(basis, j);
            built = j + 1;
            if (direct) {
                op.apply(q, wFlat);
            } else {
                in.assign(q);
                op.apply(in, out);
                wFlat.assign(out);
            }
            alpha[j] = Nd4j.getBlasWrapper().dot(q, wFlat);
            Nd4j.getBlasWrapper().axpy(-alpha[j], q, wFlat);
            if (j > 0) {
                Nd4j.getBlasWrapper().axpy(-beta[j - 1], row(basis, j - 1), wFlat);
            }
            double before = norm(wFlat);
            double after = before;
            if (omega == null || omega.mustReorthogonalise(alpha, beta, j, before)) {
                INDArray kept = firstRows(basis, j + 1);
                INDArray c = Nd4j.create(coefficients.data(), new long[] {j + 1}, new long[] {1}, 0, 'c');
                project(kept, wFlat, c);
                after = norm(wFlat);
                if (after < REORTHOGONALISE_AGAIN_BELOW * before) {
                    project(kept, wFlat, c);
                    after = norm(wFlat);
                }
                passes++;
            }
            beta[j] = after;
            normEstimate = Math.max(normEstimate, Math.abs(alpha[j]) + beta[j] + (j > 0 ? beta[j - 1] : 0));
            residual = beta[j];
            if (j == m - 1) {
                break;
            }
            if (beta[j] <= BREAKDOWN_TOLERANCE * normEstimate) {
                brokeDown = true;
                break;
            }
            row(basis, j + 1).assign(wFlat).divi(beta[j]);
        }
        double[] a = java.util.Arrays.copyOf(alpha, built);
        double[] b = java.util.Arrays.copyOf(beta, built - 1);
        INDArray kept = keepBasis ? (built == m ? basis : firstRows(basis, built).dup()) : null;
        return new LanczosResult(a, b, residual, built, m, brokeDown, built, kept, passes);
    }

    /**
     * Simon's (1984) estimates of the Lanczos vectors' inner products omega_{j,k} = q_j.q_k, by Paige's recurrence:
     * with A q_k = beta_{k-1} q_{k-1} + alpha_k q_k + beta_k q_{k+1} up to rounding,
     * beta_j omega_{j+1,k} = beta_k omega_{j,k+1} + (alpha_k - alpha_j) omega_{j,k} + beta_{k-1} omega_{j,k-1}
     * - beta_{j-1} omega_{j-1,k}, plus the rounding of step j, modelled as eps1 (beta_k + beta_j) with the sign of the
     * rest, and omega_{j+1,j} = eps1. For a float64 operator eps1 = eps sqrt(n), the usual worst case. For a float32 one
     * the rounding that matters is the product's (the recurrence is float64), an error vector unrelated to the basis,
     * whose component along a unit q_k is about its norm over sqrt(n); eps sqrt(n) overstates it by sqrt(n), and made a
     * 30-step run on bench's mlp (P = 528,906) reorthogonalise at 18 steps while its vectors stayed within 3.5e-8 of
     * orthogonal, where sqrt(eps) = 2.4e-4 is allowed. So float32 takes eps1 = {@link #FLOAT_ROUNDING_MARGIN} eps: 4
     * steps of 30 there, loss 1.7e-6 (with eps1 = eps: 2 steps, 1.6e-5; in float64, eps1 = eps let the loss reach 6.5e-8,
     * past sqrt(eps) = 1.05e-8, so float64 keeps the worst case). When an estimate passes
     * sqrt(eps), q_{j+1} and q_{j+2} are both orthogonalised against every earlier vector (one alone leaves q_{j+2}
     * with the components its recurrence carries from q_{j+1}'s old ones), and the estimates start again at eps1.
     */
    static final class OrthogonalityEstimate {
        /** eps1 / eps for a float32 operator (see above). */
        static final double FLOAT_ROUNDING_MARGIN = 10;

        private final double eps1;
        private final double threshold;
        /** omega_{j-1,.}, omega_{j,.} and the row being made, omega_{j+1,.}. */
        private double[] previous;
        private double[] current;
        private double[] next;
        private boolean again;

        /** @param dtype the operator's: its unit roundoff is the rounding each product adds */
        OrthogonalityEstimate(int m, long n, DataType dtype) {
            double eps = dtype == DataType.DOUBLE ? 0x1p-53 : 0x1p-24;
            eps1 = dtype == DataType.DOUBLE ? eps * Math.sqrt(n) : FLOAT_ROUNDING_MARGIN * eps;
            threshold = Math.sqrt(eps);
            previous = new double[m + 1];
            current = new double[m + 1];
            next = new double[m + 1];
            current[0] = 1;
        }

        /**
         * Step j's decision, with alpha_0..alpha_j, beta_0..beta_{j-1} and the norm of w = beta_j before any
         * pass: whether w must be orthogonalised against q_0..q_j. Either way the estimates move on to row j+1.
         */
        boolean mustReorthogonalise(double[] alpha, double[] beta, int j, double betaJ) {
            boolean pass = again;
            again = false;
            if (!pass) {
                double worst = 0;
                for (int k = 0; k < j; k++) {
                    double t = beta[k] * current[k + 1] + (alpha[k] - alpha[j]) * current[k]
                            + (k > 0 ? beta[k - 1] * current[k - 1] : 0) - (j > 0 ? beta[j - 1] * previous[k] : 0);
                    next[k] = (t + Math.copySign(eps1 * (beta[k] + betaJ), t)) / betaJ;
                    worst = Math.max(worst, Math.abs(next[k]));
                }
                pass = !(worst <= threshold);
                again = pass;
            }
            if (pass) {
                java.util.Arrays.fill(next, 0, j, eps1);
            }
            next[j] = eps1;
            next[j + 1] = 1;
            double[] oldest = previous;
            previous = current;
            current = next;
            next = oldest;
            return pass;
        }
    }

    /**
     * This thread's last basis that no caller holds, while the collector has not yet freed it. A run whose basis is
     * not returned (eigenvalue and quadrature runs) borrows it instead of allocating [m, n] afresh: fresh off-heap
     * memory costs a page fault per 4 KB page on first write (ND4J writes it when allocating), which on this
     * project's VM was 0.4 s for the 85 MB of 20 steps at P = 528,906, more than the 20 products. The reference is
     * weak, so the buffer lives no longer than the garbage it would otherwise be; per thread, so no other run can
     * hold it; and no run borrows it twice, since a run calls no other run.
     */
    private static final ThreadLocal<Recycled> LAST_BASIS = new ThreadLocal<>();

    /** w, and the operator-dtype copies of q and A q, borrowed likewise (ThreadWork). */
    private static final ThreadWork VECTORS = new ThreadWork();

    /** The start vectors of eigenvalue runs, which run() copies into its basis and never keeps. */
    private static final ThreadWork STARTS = new ThreadWork();

    /** The buffer of a [rows, columns] float64 basis, held weakly (the run's views hold it strongly while it runs). */
    private record Recycled(WeakReference<DataBuffer> buffer, int rows, int columns) {}

    /** A [m, n] view at offset 0 of the recycled buffer when it has n columns and at least m rows, else a new basis. */
    private static INDArray recycledBasis(int m, int n) {
        Recycled last = LAST_BASIS.get();
        DataBuffer buffer = last == null || last.columns() != n || last.rows() < m ? null : last.buffer().get();
        if (buffer == null) {
            INDArray fresh = Nd4j.createUninitialized(DataType.DOUBLE, m, n);
            LAST_BASIS.set(new Recycled(new WeakReference<>(fresh.data()), m, n));
            return fresh;
        }
        return Nd4j.create(buffer, new long[] {m, n}, new long[] {n, 1}, 0, 'c');
    }

    /**
     * w -= Q^T (Q w) for the flat w of n entries and the [k, n] rows Q, in place: one classical Gram-Schmidt pass; c holds k
     * coefficients. Two matrix-vector products (libnd4j's matmul hands a matrix and a vector to BLAS gemv, Q^T as Q's
     * transposed view, no copy): as GEMMs with one row, OpenBLAS packed Q into its buffers first, which took three times as
     * long (30 against 9 ms for 20 rows of 528,906, float64).
     */
    private static void project(INDArray kept, INDArray w, INDArray c) {
        Nd4j.exec(new Mmul(kept, w, c, 1.0, 0.0, MMulTranspose.allFalse()));
        Nd4j.exec(new Mmul(kept.transpose(), c, w, -1.0, 1.0, MMulTranspose.allFalse()));
    }

    /**
     * ||v||, as the square root of BLAS's dot of v with itself: ND4J's norm2 reduction took 0.9 ms for 528,906 float64
     * entries, the dot 0.05 ms. Where the sum of squares overflows, or is small enough that squares lost to underflow could
     * matter (each loses less than 5e-324, so below 1e-280 n of them could), the norm of v / max |v_i| times that maximum
     * (ND4J's norm2 does not scale: it overflows and underflows as the plain sum does).
     */
    static double norm(INDArray v) {
        double squares = Nd4j.getBlasWrapper().dot(v, v);
        if (Double.isFinite(squares) && squares >= 1e-280) {
            return Math.sqrt(squares);
        }
        double largest = v.amaxNumber().doubleValue();
        if (largest == 0 || !Double.isFinite(largest)) {
            return largest; // the norm of a zero vector, or of one with an infinite or NaN entry
        }
        INDArray scaled = v.div(largest);
        return largest * Math.sqrt(Nd4j.getBlasWrapper().dot(scaled, scaled));
    }

    /*
     * Views made on the matrix's buffer directly: getRow and NDArrayIndex build their views through ND4J's
     * general indexing, which cost more per step than the small vector operations they feed.
     */

    /** Row j of the 'c'-order matrix a, as a flat vector. */
    private static INDArray row(INDArray a, int j) {
        long cols = a.columns();
        return Nd4j.create(a.data(), new long[] {cols}, new long[] {1}, j * cols, 'c');
    }

    /** Rows 0 .. k-1 of the 'c'-order matrix a, as a [k, columns] matrix. */
    private static INDArray firstRows(INDArray a, int k) {
        long cols = a.columns();
        return Nd4j.create(a.data(), new long[] {k, cols}, new long[] {cols, 1}, 0, 'c');
    }
}
