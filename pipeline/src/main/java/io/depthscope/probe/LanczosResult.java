package io.depthscope.probe;

import java.util.Arrays;
import java.util.Comparator;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The outcome of m Lanczos steps: the tridiagonal T = Q A Q^T (Q's rows the Lanczos vectors q_0..q_{m-1}).
 *
 * @param alpha the diagonal of T, length {@code steps}
 * @param beta the off-diagonal of T, length {@code steps - 1}
 * @param residualNorm beta_m = ||A q_{m-1} - alpha q_{m-1} - beta q_{m-2}|| after reorthogonalisation: what
 *     the Krylov space misses; it scales every Ritz residual bound (tiny after a breakdown)
 * @param steps the number of Lanczos vectors built (= rows of T); fewer than requested after a breakdown
 * @param requestedSteps the m asked for (capped at the operator's size)
 * @param brokeDown true when beta fell below the breakdown tolerance before m steps: the Krylov space is
 *     invariant and every Ritz value is an eigenvalue of A (to the tolerance)
 * @param operatorProducts the number of products A v spent (= steps)
 * @param basis Q as a [steps, n] float64 matrix, or null when the caller did not keep it
 * @param reorthogonalisations the steps whose vector went through a Gram-Schmidt pass against every earlier one: all
 *     of them, or in a run with partial reorthogonalisation those it asked for
 */
public record LanczosResult(double[] alpha, double[] beta, double residualNorm, int steps, int requestedSteps,
                            boolean brokeDown, long operatorProducts, INDArray basis, int reorthogonalisations) {

    /**
     * Eigenvalues and eigenvectors of T by commons-math3's symmetric tridiagonal QL solver (T is only
     * m x m, so a library call on the Java heap is both cheap and exact enough), sorted ascending.
     */
    public RitzPairs ritz() {
        int m = steps;
        double[] values = new double[m];
        double[][] vectors = new double[m][];
        if (m == 1) {
            // commons-math's tridiagonal constructor is not meant for an empty off-diagonal; T is [alpha_0]
            values[0] = alpha[0];
            vectors[0] = new double[] {1.0};
        } else {
            EigenDecomposition eig = new EigenDecomposition(alpha.clone(), beta.clone());
            for (int i = 0; i < m; i++) {
                values[i] = eig.getRealEigenvalue(i);
                vectors[i] = eig.getEigenvector(i).toArray();
            }
        }
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] sortedValues = new double[m];
        double[][] sortedVectors = new double[m][];
        double[] bounds = new double[m];
        for (int i = 0; i < m; i++) {
            sortedValues[i] = values[order[i]];
            sortedVectors[i] = vectors[order[i]];
            bounds[i] = Math.abs(residualNorm * sortedVectors[i][m - 1]);
        }
        return new RitzPairs(sortedValues, sortedVectors, bounds);
    }

    /** The k largest and k smallest Ritz values with their bounds (k is capped at {@code steps}). */
    public TopEigenvalues top(int k) {
        return TopEigenvalues.of(ritz(), k, steps, operatorProducts);
    }

    /**
     * The Ritz vector y = Q^T s of T's eigenvector {@code s} (e.g. {@code ritz().vectors()[i]}), a unit
     * float64 vector in the operator's space. Needs the basis.
     */
    public INDArray ritzVector(double[] s) {
        if (basis == null) {
            throw new IllegalStateException("basis: not kept; run Lanczos with keepBasis = true to form Ritz vectors");
        }
        if (s.length != steps) {
            throw new IllegalArgumentException("s: length " + s.length + " does not match " + steps + " Lanczos vectors");
        }
        INDArray coefficients = Nd4j.createFromArray(s).reshape(1, steps);
        return coefficients.mmul(basis).reshape(basis.columns()).castTo(DataType.DOUBLE);
    }
}
