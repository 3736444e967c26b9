package io.depthscope.probe;

/**
 * The eigendecomposition T = S diag(theta) S^T of a Lanczos tridiagonal: the Ritz values theta_i and the
 * eigenvectors s_i of T (not the Ritz vectors in the operator's space; those are Q^T s_i, see
 * {@link LanczosResult#ritzVector}).
 *
 * @param values Ritz values, ascending
 * @param vectors {@code vectors[i]} is the unit eigenvector s_i of T for {@code values[i]} (length = steps)
 * @param residualBounds |beta_m * s_i[m-1]|: the norm of A y_i - theta_i y_i for the Ritz vector y_i, so
 *     some eigenvalue of A lies within this distance of theta_i. An exact-arithmetic bound: with full
 *     reorthogonalisation it holds up to a few eps * ||A||, which matters only once a value has converged
 *     (a bound of 1e-19 beside an error of 1e-15)
 */
public record RitzPairs(double[] values, double[][] vectors, double[] residualBounds) {
    /** The Gauss quadrature weights s_i[0]^2: the squared FIRST components, which sum to 1. */
    public double[] weights() {
        double[] w = new double[values.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = vectors[i][0] * vectors[i][0];
        }
        return w;
    }

    public int count() {
        return values.length;
    }
}
