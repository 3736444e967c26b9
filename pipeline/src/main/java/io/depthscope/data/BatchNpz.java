package io.depthscope.data;

import io.depthscope.io.Checks;
import io.depthscope.io.Npz;
import io.depthscope.nn.Batch;
import io.depthscope.nn.NetworkSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A batch as an {@code .npz}: {@code x} [N, d] and either {@code y} [N, k] (mse) or integer {@code labels}
 * [N] in 0..k-1 (cross_entropy). For a network of images [C, H, W] (a spec with {@code input_shape}), {@code x}
 * may also be [N, C, H, W], as PyTorch holds a batch of images; it is read in row-major order, so both forms
 * give the same batch. Loaded as float64 with x as [N, d]; a point casts to its own dtype and shape.
 */
public final class BatchNpz {
    private BatchNpz() {}

    /** The batch a network of {@code spec} reads: its input and output widths, and its loss's kind of target. */
    public static Batch read(Path path, NetworkSpec spec) {
        return fromArrays(Npz.read(path, "data"), spec, "data");
    }

    public static Batch fromArrays(Map<String, INDArray> arrays, NetworkSpec spec, String what) {
        return fromArrays(arrays, spec.inputDim(), spec.inputShape(), spec.outputDim(), "cross_entropy".equals(spec.loss()), what);
    }

    /** {@code x} [N, inputDim] and {@code labels} [N] in 0..outputDim-1 (classification) or {@code y} [N, outputDim]. */
    public static Batch fromArrays(Map<String, INDArray> arrays, int inputDim, int outputDim, boolean classification, String what) {
        return fromArrays(arrays, inputDim, List.of(), outputDim, classification, what);
    }

    /**
     * As {@link #fromArrays(Map, int, int, boolean, String)}; with a non-empty {@code inputShape} [C, H, W] (whose
     * product is inputDim), x may also be [N, C, H, W]. The batch's x is [N, inputDim] either way.
     */
    public static Batch fromArrays(Map<String, INDArray> arrays, int inputDim, List<Integer> inputShape, int outputDim,
                                   boolean classification, String what) {
        String loss = classification ? "cross_entropy" : "mse";
        String targetKey = classification ? "labels" : "y";
        List<String> allowed = List.of("x", targetKey);
        List<String> unknown = new ArrayList<>(arrays.keySet());
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(what + ": unknown key(s) " + unknown + " for loss " + loss
                    + "; allowed: " + allowed);
        }
        INDArray x = inputShape.isEmpty() ? matrix(arrays, "x", inputDim, "input_dim", -1, what) : images(arrays, inputDim, inputShape, what);
        int n = (int) x.rows();
        INDArray targets = classification
                ? Batch.oneHot(labels(arrays, n, outputDim, what), outputDim, DataType.DOUBLE)
                : matrix(arrays, "y", outputDim, "output_dim", n, what);
        return new Batch(x, targets);
    }

    /** {@code key} as a finite float64 [rows, cols] matrix; rows = -1 accepts any N >= 1. */
    private static INDArray matrix(Map<String, INDArray> arrays, String key, int cols, String dimField, int rows, String what) {
        INDArray a = require(arrays, key, rows, cols, what);
        String name = what + " key '" + key + "'";
        Checks.requireFloating(a, name);
        long[] s = a.shape();
        if (s.length != 2 || s[1] != cols || (rows >= 0 && s[0] != rows) || s[0] < 1) {
            throw new IllegalArgumentException(name + ": shape " + Checks.shape(a) + " is not allowed; allowed: "
                    + expected(rows, cols) + " (" + dimField + " = " + cols + (rows >= 0 ? ", N = " + rows + " from x" : "") + ")");
        }
        double[] v = Checks.finiteValues(a, name);
        return Nd4j.createFromArray(v).reshape('c', s[0], s[1]);
    }

    /** {@code x} as [N, C, H, W] or [N, C H W], finite, as a float64 [N, C H W] matrix. */
    private static INDArray images(Map<String, INDArray> arrays, int inputDim, List<Integer> shape, String what) {
        String allowed = "[N >= 1, " + shape.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) + "] or [N >= 1, "
                + inputDim + "] (input_shape = " + shape + ")";
        INDArray a = arrays.get("x");
        if (a == null) {
            throw new IllegalArgumentException(what + ": key 'x' is missing; allowed: an array of shape " + allowed);
        }
        String name = what + " key 'x'";
        Checks.requireFloating(a, name);
        long[] s = a.shape();
        boolean flat = s.length == 2 && s[1] == inputDim;
        boolean image = s.length == 4 && s[1] == shape.get(0) && s[2] == shape.get(1) && s[3] == shape.get(2);
        if (!(flat || image) || s[0] < 1) {
            throw new IllegalArgumentException(name + ": shape " + Checks.shape(a) + " is not allowed; allowed: " + allowed);
        }
        double[] v = Checks.finiteValues(a, name);
        return Nd4j.createFromArray(v).reshape('c', s[0], inputDim);
    }

    private static int[] labels(Map<String, INDArray> arrays, int n, int classes, String what) {
        INDArray a = require(arrays, "labels", n, 0, what);
        String name = what + " key 'labels'";
        if (a.dataType() != DataType.LONG && a.dataType() != DataType.INT) {
            throw new IllegalArgumentException(name + ": dtype " + Checks.numpyName(a.dataType())
                    + " is not allowed; allowed: int64, int32 class indices");
        }
        if (a.rank() != 1 || a.length() != n) {
            throw new IllegalArgumentException(name + ": shape " + Checks.shape(a) + " is not allowed; allowed: [" + n + "] (N from x)");
        }
        long[] v = a.toLongVector();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            if (v[i] < 0 || v[i] >= classes) {
                throw new IllegalArgumentException(name + ": value " + v[i] + " at [" + i + "] is not allowed; allowed: 0.."
                        + (classes - 1) + " (output_dim = " + classes + ")");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    private static INDArray require(Map<String, INDArray> arrays, String key, int rows, int cols, String what) {
        INDArray a = arrays.get(key);
        if (a == null) {
            String shape = cols == 0 ? "[" + (rows >= 0 ? rows : "N") + "] integers" : expected(rows, cols);
            throw new IllegalArgumentException(what + ": key '" + key + "' is missing; allowed: an array of shape " + shape);
        }
        return a;
    }

    private static String expected(int rows, int cols) {
        return "[" + (rows >= 0 ? String.valueOf(rows) : "N >= 1") + ", " + cols + "]";
    }
}
