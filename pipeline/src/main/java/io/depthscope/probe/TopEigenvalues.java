package io.depthscope.probe;

/**
 * The extreme Ritz values of one Lanczos run: the outliers of a Hessian's spectrum, which converge first.
 *
 * @param largest the k largest Ritz values, descending (largest first)
 * @param largestResidualBounds residual bound of each of {@code largest}: an eigenvalue of the operator lies
 *     within it
 * @param smallest the k smallest (most negative) Ritz values, ascending (most negative first); positive when
 *     the operator has no negative eigenvalue the run could see
 * @param smallestResidualBounds residual bound of each of {@code smallest}
 * @param lambdaMax the largest Ritz value, {@code largest[0]}
 * @param lambdaMin the smallest Ritz value, {@code smallest[0]}
 * @param negativeToPositiveRatio |lambda_min| / lambda_max as Ghorbani, Krishnan and Xiao (2019) report it:
 *     0 when lambda_min >= 0 (no negative curvature found), NaN when lambda_max <= 0 (no positive one)
 * @param steps Lanczos vectors built
 * @param operatorProducts products A v spent
 */
public record TopEigenvalues(double[] largest, double[] largestResidualBounds, double[] smallest,
                             double[] smallestResidualBounds, double lambdaMax, double lambdaMin,
                             double negativeToPositiveRatio, int steps, long operatorProducts) implements java.io.Serializable {

    static TopEigenvalues of(RitzPairs ritz, int k, int steps, long products) {
        if (k < 1) {
            throw new IllegalArgumentException("k: value " + k + " is not allowed; allowed: >= 1");
        }
        double[] v = ritz.values();
        double[] b = ritz.residualBounds();
        int n = v.length;
        int kk = Math.min(k, n);
        double[] largest = new double[kk];
        double[] largestBounds = new double[kk];
        double[] smallest = new double[kk];
        double[] smallestBounds = new double[kk];
        for (int i = 0; i < kk; i++) {
            largest[i] = v[n - 1 - i];
            largestBounds[i] = b[n - 1 - i];
            smallest[i] = v[i];
            smallestBounds[i] = b[i];
        }
        double max = v[n - 1];
        double min = v[0];
        double ratio = max <= 0 ? Double.NaN : min >= 0 ? 0.0 : -min / max;
        return new TopEigenvalues(largest, largestBounds, smallest, smallestBounds, max, min, ratio, steps, products);
    }
}
