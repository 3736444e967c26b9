package io.depthscope.util;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random arrays drawn in Java from a seeded stream and then copied to ND4J, so the same seed gives the
 * same numbers on every backend (CPU or CUDA) and in every thread; ND4J's own generator is global.
 */
public final class RandomArrays {
    private RandomArrays() {}

    public static double[] gaussian(SplittableRandom rng, int n, double std) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = std * rng.nextGaussian();
        }
        return out;
    }

    /** Entries +1 or -1 with probability 1/2 each. */
    public static double[] rademacher(SplittableRandom rng, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = rng.nextBoolean() ? 1.0 : -1.0;
        }
        return out;
    }

    /** A flat ND4J vector of {@code dtype} holding {@code values}. */
    public static INDArray vector(double[] values, DataType dtype) {
        INDArray v = Nd4j.createFromArray(values);
        return dtype == DataType.DOUBLE ? v : v.castTo(dtype);
    }

    /** A [rows, cols] 'c'-order matrix of {@code dtype} holding row-major {@code values}. */
    public static INDArray matrix(double[] values, int rows, int cols, DataType dtype) {
        return vector(values, dtype).reshape('c', rows, cols);
    }
}
