package io.depthscope.probe;

/**
 * One run of stochastic Lanczos quadrature: from a unit start q, m Lanczos steps give the Gauss quadrature
 * sum_i w_i f(node_i) of q^T f(A) q, exact for polynomials f of degree <= 2m - 1 (for every f after a
 * breakdown). For f(x) = x^k this is q^T A^k q, an unbiased estimate of tr(A^k)/n when q = v/||v|| with v
 * Rademacher (||v||^2 = n exactly).
 *
 * @param run the index of the run in its seeded stream
 * @param nodes Ritz values, ascending
 * @param weights squared first components of T's eigenvectors, one per node; they sum to 1
 * @param steps Lanczos steps taken (nodes.length)
 * @param brokeDown whether the run stopped early on an invariant Krylov space
 * @param operatorProducts products A v spent
 */
public record QuadratureRun(long run, double[] nodes, double[] weights, int steps, boolean brokeDown,
                            long operatorProducts) implements java.io.Serializable {

    static QuadratureRun of(long run, LanczosResult lanczos) {
        RitzPairs ritz = lanczos.ritz();
        return new QuadratureRun(run, ritz.values(), ritz.weights(), lanczos.steps(), lanczos.brokeDown(),
                lanczos.operatorProducts());
    }

    /** The quadrature moment sum_i w_i node_i^k, i.e. q^T A^k q when 2m - 1 >= k. */
    public double moment(int k) {
        double s = 0;
        for (int i = 0; i < nodes.length; i++) {
            s += weights[i] * Math.pow(nodes[i], k);
        }
        return s;
    }
}
