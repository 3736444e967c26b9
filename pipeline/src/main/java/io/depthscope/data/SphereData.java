package io.depthscope.data;

import io.depthscope.nn.Batch;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * N points drawn uniformly on the unit sphere in d dimensions, with random +-1 targets: the
 * over-parameterised setting of Du et al. (2018), where the targets carry no structure to learn.
 */
public final class SphereData {
    private SphereData() {}

    /** Inputs [n, dim] of unit norm, targets [n, 1] in {-1, +1}, all from the stream (seed, "sphere"). */
    public static Batch randomSigns(int n, int dim, long seed, DataType dtype) {
        if (n < 1) {
            throw new IllegalArgumentException("dataset.n: value " + n + " is not allowed; allowed: an integer >= 1");
        }
        if (dim < 1) {
            throw new IllegalArgumentException("dataset.dim: value " + dim + " is not allowed; allowed: an integer >= 1");
        }
        SplittableRandom rng = Seeds.stream(seed, "sphere");
        double[] x = points(rng, n, dim);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextBoolean() ? 1.0 : -1.0;
        }
        INDArray xs = RandomArrays.matrix(x, n, dim, dtype);
        INDArray ys = RandomArrays.matrix(y, n, 1, dtype);
        return new Batch(xs, ys);
    }

    /** n points uniform on the unit sphere in {@code dim} dimensions, row-major [n * dim]: normalised Gaussians. */
    static double[] points(SplittableRandom rng, int n, int dim) {
        double[] x = new double[n * dim];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                double g = rng.nextGaussian();
                x[i * dim + j] = g;
                norm += g * g;
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < dim; j++) {
                x[i * dim + j] /= norm;
            }
        }
        return x;
    }
}
