package io.depthscope.probe;

/**
 * A mergeable summary of Hutchinson probes: for each probe v the quadratic forms
 * q = (v.Hv, v.H^2v, v.H^3v, v.H^4v), kept as a count, a mean vector and a co-moment matrix. Blocks of
 * probes computed on different executors merge in any order and grouping (Chan et al.'s pairwise update),
 * to the same moments up to rounding.
 */
public record QuadraticForms(long count, double[] mean, double[][] comoment) implements java.io.Serializable {
    public static final int K = 4;

    public QuadraticForms {
        mean = mean.clone();
        double[][] c = new double[K][];
        for (int i = 0; i < K; i++) {
            c[i] = comoment[i].clone();
        }
        comoment = c;
    }

    public static QuadraticForms empty() {
        return new QuadraticForms(0, new double[K], new double[K][K]);
    }

    /** The summary of a single probe's four quadratic forms. */
    public static QuadraticForms of(double[] q) {
        if (q.length != K) {
            throw new IllegalArgumentException("a probe has " + K + " quadratic forms, got " + q.length);
        }
        return new QuadraticForms(1, q, new double[K][K]);
    }

    public QuadraticForms merge(QuadraticForms other) {
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        long n = count + other.count;
        double[] delta = new double[K];
        double[] m = new double[K];
        for (int i = 0; i < K; i++) {
            delta[i] = other.mean[i] - mean[i];
            m[i] = mean[i] + delta[i] * other.count / n;
        }
        double[][] c = new double[K][K];
        double w = (double) count * other.count / n;
        for (int i = 0; i < K; i++) {
            for (int j = 0; j < K; j++) {
                c[i][j] = comoment[i][j] + other.comoment[i][j] + delta[i] * delta[j] * w;
            }
        }
        return new QuadraticForms(n, m, c);
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[][] comoment() {
        double[][] c = new double[K][];
        for (int i = 0; i < K; i++) {
            c[i] = comoment[i].clone();
        }
        return c;
    }

    /** The sample covariance of the four quadratic forms (n - 1 in the denominator); NaN for n < 2. */
    public double[][] covariance() {
        double[][] c = new double[K][K];
        for (int i = 0; i < K; i++) {
            for (int j = 0; j < K; j++) {
                c[i][j] = count < 2 ? Double.NaN : comoment[i][j] / (count - 1);
            }
        }
        return c;
    }
}
