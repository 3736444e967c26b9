package io.depthscope.data;

/**
 * Per-channel standardisation of images x' = (x - mean_c) / std_c, with the mean and the population std of
 * channel c over every pixel of every training image (what torchvision's Normalize is given for CIFAR-10),
 * applied unchanged to the test split. A constant channel is only centred.
 */
record ChannelStandardizer(double[] mean, double[] scale) {
    static ChannelStandardizer fit(Split train, int channels) {
        int d = train.d();
        if (d % channels != 0) {
            throw new IllegalArgumentException("channel_standardize: " + d + " features do not split into " + channels + " channels");
        }
        int pixels = d / channels;
        double[] x = train.x();
        double[] mean = new double[channels];
        double[] scale = new double[channels];
        double count = (double) train.n() * pixels;
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int i = 0; i < train.n(); i++) {
                int base = i * d + c * pixels;
                for (int p = 0; p < pixels; p++) {
                    sum += x[base + p];
                }
            }
            mean[c] = sum / count;
            double ss = 0;
            for (int i = 0; i < train.n(); i++) {
                int base = i * d + c * pixels;
                for (int p = 0; p < pixels; p++) {
                    double v = x[base + p] - mean[c];
                    ss += v * v;
                }
            }
            double std = Math.sqrt(ss / count);
            scale[c] = std > 0 ? std : 1.0;
        }
        return new ChannelStandardizer(mean, scale);
    }

    Split apply(Split s) {
        int channels = mean.length;
        int d = s.d();
        int pixels = d / channels;
        double[] out = new double[s.x().length];
        for (int i = 0; i < s.n(); i++) {
            for (int c = 0; c < channels; c++) {
                int base = i * d + c * pixels;
                for (int p = 0; p < pixels; p++) {
                    out[base + p] = (s.x()[base + p] - mean[c]) / scale[c];
                }
            }
        }
        return s.withX(out);
    }
}
