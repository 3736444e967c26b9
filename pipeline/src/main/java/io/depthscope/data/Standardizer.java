package io.depthscope.data;

/**
 * Per-feature standardisation x' = (x - mean) / std with the mean and the population std of the
 * training split, applied unchanged to the test split (the test set must not leak into the inputs).
 * A constant training feature (min == max; Fashion-MNIST's corner pixels are 0 in every image) is only
 * centred: its std is 0, and dividing by the round-off of a computed std would blow noise up to order 1.
 * Its mean is taken as the constant itself, so it is exactly 0 on the training split.
 */
public record Standardizer(double[] mean, double[] scale, int constantFeatures) {
    static Standardizer fit(Split train) {
        int n = train.n();
        int d = train.d();
        double[] x = train.x();
        double[] mean = new double[d];
        double[] min = new double[d];
        double[] max = new double[d];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double v = x[i * d + j];
                mean[j] += v;
                min[j] = Math.min(min[j], v);
                max[j] = Math.max(max[j], v);
            }
        }
        double[] var = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = min[j] == max[j] ? min[j] : mean[j] / n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = x[i * d + j] - mean[j];
                var[j] += c * c;
            }
        }
        double[] scale = new double[d];
        int constant = 0;
        for (int j = 0; j < d; j++) {
            boolean flat = min[j] == max[j];
            scale[j] = flat ? 1.0 : Math.sqrt(var[j] / n);
            constant += flat ? 1 : 0;
        }
        return new Standardizer(mean, scale, constant);
    }

    Split apply(Split s) {
        int d = s.d();
        double[] out = new double[s.x().length];
        for (int i = 0; i < s.n(); i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = (s.x()[i * d + j] - mean[j]) / scale[j];
            }
        }
        return s.withX(out);
    }
}
