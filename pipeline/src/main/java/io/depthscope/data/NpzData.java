package io.depthscope.data;

import io.depthscope.io.Npz;
import io.depthscope.nn.Batch;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An {@code .npz} dataset, read and checked by {@link BatchNpz}: {@code x} [N, d] and either {@code y} [N, k]
 * (regression) or integer {@code labels} [N] (classification). Classes default to the largest label in
 * the train and test files plus one.
 */
final class NpzData {
    private NpzData() {}

    record Splits(Split train, Split test) {}

    static Splits read(DatasetSpec s) {
        Map<String, INDArray> train = Npz.read(Path.of(s.path()), "path");
        Map<String, INDArray> test = s.testPath() == null ? null : Npz.read(Path.of(s.testPath()), "test_path");
        boolean classification = train.containsKey("labels");
        int d = inputDim(train, s, "path");
        int k;
        if (classification) {
            k = s.classes() > 0 ? s.classes() : Math.max(2, 1 + Math.max(maxLabel(train), test == null ? -1 : maxLabel(test)));
        } else {
            if (s.labelNoise() > 0) {
                throw new IllegalArgumentException("label_noise: value " + s.labelNoise() + " is not allowed for " + s.path()
                        + ", which holds regression targets 'y'; allowed: 0, or an npz with integer 'labels'");
            }
            if (s.classes() != 0) {
                throw new IllegalArgumentException("classes: value " + s.classes() + " is not allowed for " + s.path()
                        + ", which holds regression targets 'y'; allowed: 0");
            }
            INDArray y = train.get("y");
            if (y == null || y.rank() != 2) {
                throw new IllegalArgumentException("path: " + s.path() + " has no 'y' [N, k] or 'labels' [N]; allowed: x with "
                        + "y (regression) or labels (classification)");
            }
            k = (int) y.columns();
        }
        Split tr = split(train, d, k, classification, "path (" + s.path() + ")");
        Split te = test == null ? null : split(test, d, k, classification, "test_path (" + s.testPath() + ")");
        return new Splits(tr, te);
    }

    private static int inputDim(Map<String, INDArray> arrays, DatasetSpec s, String field) {
        INDArray x = arrays.get("x");
        if (x == null || x.rank() != 2) {
            throw new IllegalArgumentException(field + ": " + s.path() + " has no 'x' of shape [N, d]"
                    + (x == null ? "" : " (its rank is " + x.rank() + ")") + "; allowed: x [N, d] with y [N, k] or labels [N]");
        }
        int d = (int) x.columns();
        if (s.inputDim() != 0 && s.inputDim() != d) {
            throw new IllegalArgumentException("input_dim: value " + s.inputDim() + " does not match " + s.path() + ", whose x has "
                    + d + " columns; allowed: " + d + ", or 0 to take it from the data");
        }
        return d;
    }

    private static int maxLabel(Map<String, INDArray> arrays) {
        INDArray l = arrays.get("labels");
        return l == null || l.length() == 0 ? -1 : (int) Math.min(Integer.MAX_VALUE - 1, l.maxNumber().longValue());
    }

    private static Split split(Map<String, INDArray> arrays, int inputDim, int outputDim, boolean classification, String what) {
        Batch b = BatchNpz.fromArrays(arrays, inputDim, outputDim, classification, what); // checks keys, shapes, dtypes, finiteness and label range
        int n = b.size();
        double[] x = b.x().dup('c').reshape((long) n * inputDim).toDoubleVector();
        if (classification) {
            long[] raw = arrays.get("labels").toLongVector();
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (int) raw[i];
            }
            return Split.classification(x, n, inputDim, labels, outputDim);
        }
        double[] y = b.targets().castTo(DataType.DOUBLE).dup('c').reshape((long) n * outputDim).toDoubleVector();
        return Split.regression(x, n, inputDim, y, outputDim);
    }
}
