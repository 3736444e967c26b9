package io.depthscope.data;

/**
 * Images of [C, H, W] (channel-first, row-major, as {@link Pixels} holds them) made f times smaller in height and
 * width: output pixel (c, i, j) is the mean of the f x f block (c, f i .. f i + f - 1, f j .. f j + f - 1), what
 * PyTorch's {@code avg_pool2d(x, f)} gives. Applied to the rows a dataset keeps as they become doubles, so a
 * subsample of CIFAR-10 still never holds all 50,000 images as doubles; the images are the same as if every image
 * had been downsampled first.
 */
record Downsample(Examples images, int channels, int rows, int cols, int f) implements Examples {
    Downsample {
        if (f < 1 || rows % f != 0 || cols % f != 0) {
            throw new IllegalStateException("downsample: " + f + " does not divide " + rows + "x" + cols);
        }
    }

    /** The shape of one downsampled image: [C, H/f, W/f]. */
    int[] shape() {
        return new int[] {channels, rows / f, cols / f};
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public Split select(int[] rowsKept) {
        Split s = images.select(rowsKept);
        if (s.d() != channels * rows * cols) {
            throw new IllegalStateException("downsample: " + s.d() + " features are not images of " + channels + "x" + rows + "x" + cols);
        }
        return new Split(blockMeans(s.x(), s.n(), channels, rows, cols, f), s.n(), channels * (rows / f) * (cols / f), s.labels(),
                s.targets(), s.k());
    }

    /** n images of [c, h, w] in {@code x} as n images of [c, h/f, w/f], each pixel the mean of its f x f block. */
    static double[] blockMeans(double[] x, int n, int c, int h, int w, int f) {
        int oh = h / f;
        int ow = w / f;
        int in = c * h * w;
        int out = c * oh * ow;
        double[] y = new double[n * out];
        double area = (double) f * f;
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = i * in + ch * h * w;
                int target = i * out + ch * oh * ow;
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; q < ow; q++) {
                        double sum = 0;
                        for (int dr = 0; dr < f; dr++) {
                            int row = plane + (r * f + dr) * w + q * f;
                            for (int dq = 0; dq < f; dq++) {
                                sum += x[row + dq];
                            }
                        }
                        y[target + r * ow + q] = sum / area;
                    }
                }
            }
        }
        return y;
    }
}
