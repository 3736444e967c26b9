package io.depthscope.io;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The checks every loaded array goes through, with errors that name the key, the value and what is allowed. */
public final class Checks {
    private Checks() {}

    public static String shape(INDArray a) {
        return Arrays.toString(a.shape());
    }

    public static void requireFloating(INDArray a, String what) {
        if (a.dataType() != DataType.DOUBLE && a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException(what + ": dtype " + numpyName(a.dataType()) + " is not allowed; allowed: float64, float32");
        }
    }

    /** The array's values as doubles, after checking that every one is finite. */
    public static double[] finiteValues(INDArray a, String what) {
        double[] v = a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException(what + ": value " + v[i] + " at " + index(i, a.shape())
                        + " is not allowed; allowed: finite numbers");
            }
        }
        return v;
    }

    /** The multi-index of flat C-order position {@code flat} in {@code shape}. */
    public static String index(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return Arrays.toString(idx);
    }

    public static String numpyName(DataType t) {
        return switch (t) {
            case DOUBLE -> "float64";
            case FLOAT -> "float32";
            case LONG -> "int64";
            case INT -> "int32";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
