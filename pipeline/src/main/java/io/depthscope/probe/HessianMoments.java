package io.depthscope.probe;

/**
 * The first four spectral moments of the Hessian, m_k = tr(H^k)/P, with standard errors, and the
 * spectrum's skewness and (non-excess) kurtosis as in Ghorbani, Krishnan and Xiao (2019):
 * skewness = (m3 - 3 mu m2 + 2 mu^3)/s^3, kurtosis = (m4 - 4 mu m3 + 6 mu^2 m2 - 3 mu^4)/s^4,
 * with mu = m1 and s^2 = m2 - mu^2. Standard errors of skewness and kurtosis are by the delta method.
 *
 * @param method "exact" (eigenvalues of the dense Hessian; standard errors 0) or "hutchinson"
 * @param probes the number of probe vectors (0 for exact)
 */
public record HessianMoments(
        double m1, double m2, double m3, double m4,
        double m1Stderr, double m2Stderr, double m3Stderr, double m4Stderr,
        double skewness, double kurtosis, double skewnessStderr, double kurtosisStderr,
        String method, long probes, long paramCount) implements java.io.Serializable {

    public double[] moments() {
        return new double[] {m1, m2, m3, m4};
    }

    public double[] stderrs() {
        return new double[] {m1Stderr, m2Stderr, m3Stderr, m4Stderr};
    }

    /** Exact moments of a spectrum. */
    public static HessianMoments fromEigenvalues(double[] eigenvalues) {
        double[] m = new double[4];
        for (double l : eigenvalues) {
            double p = l;
            for (int k = 0; k < 4; k++) {
                m[k] += p;
                p *= l;
            }
        }
        for (int k = 0; k < 4; k++) {
            m[k] /= eigenvalues.length;
        }
        return new HessianMoments(m[0], m[1], m[2], m[3], 0, 0, 0, 0,
                skewness(m), kurtosis(m), 0, 0, "exact", 0, eigenvalues.length);
    }

    /** Moments estimated from Hutchinson probes of a P-parameter Hessian. */
    public static HessianMoments fromProbes(QuadraticForms q, long paramCount) {
        double[] m = q.mean();
        for (int k = 0; k < 4; k++) {
            m[k] /= paramCount;
        }
        // covariance of the estimated means: Cov(q)/(n P^2)
        double[][] cov = q.covariance();
        double scale = 1.0 / ((double) q.count() * paramCount * paramCount);
        double[] se = new double[4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                cov[i][j] *= scale;
            }
            se[i] = Math.sqrt(cov[i][i]);
        }
        double skewSe = Math.sqrt(quadratic(skewnessGradient(m), cov));
        double kurtSe = Math.sqrt(quadratic(kurtosisGradient(m), cov));
        return new HessianMoments(m[0], m[1], m[2], m[3], se[0], se[1], se[2], se[3],
                skewness(m), kurtosis(m), skewSe, kurtSe, "hutchinson", q.count(), paramCount);
    }

    static double skewness(double[] m) {
        double mu = m[0];
        double var = m[1] - mu * mu;
        return (m[2] - 3 * mu * m[1] + 2 * mu * mu * mu) / Math.pow(var, 1.5);
    }

    static double kurtosis(double[] m) {
        double mu = m[0];
        double var = m[1] - mu * mu;
        return (m[3] - 4 * mu * m[2] + 6 * mu * mu * m[1] - 3 * mu * mu * mu * mu) / (var * var);
    }

    /** d skewness / d(m1, m2, m3, m4). */
    static double[] skewnessGradient(double[] m) {
        double mu = m[0];
        double var = m[1] - mu * mu;
        double c3 = m[2] - 3 * mu * m[1] + 2 * mu * mu * mu;
        double s3 = Math.pow(var, 1.5);
        double s5 = Math.pow(var, 2.5);
        double[] dc3 = {-3 * m[1] + 6 * mu * mu, -3 * mu, 1, 0};
        double[] dvar = {-2 * mu, 1, 0, 0};
        double[] g = new double[4];
        for (int i = 0; i < 4; i++) {
            g[i] = dc3[i] / s3 - 1.5 * c3 * dvar[i] / s5;
        }
        return g;
    }

    /** d kurtosis / d(m1, m2, m3, m4). */
    static double[] kurtosisGradient(double[] m) {
        double mu = m[0];
        double var = m[1] - mu * mu;
        double c4 = m[3] - 4 * mu * m[2] + 6 * mu * mu * m[1] - 3 * mu * mu * mu * mu;
        double[] dc4 = {-4 * m[2] + 12 * mu * m[1] - 12 * mu * mu * mu, 6 * mu * mu, -4 * mu, 1};
        double[] dvar = {-2 * mu, 1, 0, 0};
        double[] g = new double[4];
        for (int i = 0; i < 4; i++) {
            g[i] = dc4[i] / (var * var) - 2 * c4 * dvar[i] / (var * var * var);
        }
        return g;
    }

    private static double quadratic(double[] g, double[][] cov) {
        double s = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                s += g[i] * cov[i][j] * g[j];
            }
        }
        return s;
    }
}
