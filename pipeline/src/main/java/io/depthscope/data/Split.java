package io.depthscope.data;

import io.depthscope.nn.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * n examples of d features, row-major in {@code x}, with either class {@code labels} (k classes) or
 * regression {@code targets} [n * k]; exactly one of the two is non-null. Plain Java arrays, so
 * preprocessing costs no per-element ND4J calls; the ND4J batch is created once at the end.
 */
record Split(double[] x, int n, int d, int[] labels, double[] targets, int k) implements Examples {
    Split {
        if (x.length != (long) n * d || (labels == null) == (targets == null)
                || (labels != null && labels.length != n) || (targets != null && targets.length != (long) n * k)) {
            throw new IllegalStateException("split: inconsistent sizes n=" + n + ", d=" + d + ", k=" + k);
        }
    }

    static Split classification(double[] x, int n, int d, int[] labels, int classes) {
        return new Split(x, n, d, labels, null, classes);
    }

    static Split regression(double[] x, int n, int d, double[] targets, int k) {
        return new Split(x, n, d, null, targets, k);
    }

    boolean isClassification() {
        return labels != null;
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public Split select(int[] rows) {
        double[] xs = new double[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(x, rows[i] * d, xs, i * d, d);
        }
        if (isClassification()) {
            int[] ls = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                ls[i] = labels[rows[i]];
            }
            return classification(xs, rows.length, d, ls, k);
        }
        double[] ts = new double[rows.length * k];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(targets, rows[i] * k, ts, i * k, k);
        }
        return regression(xs, rows.length, d, ts, k);
    }

    Split withX(double[] newX) {
        return new Split(newX, n, d, labels, targets, k);
    }

    Split withLabels(int[] newLabels) {
        return classification(x, n, d, newLabels, k);
    }

    /** x [n, d] and targets [n, k] (one-hot rows for labels) in {@code dtype}. */
    Batch toBatch(DataType dtype) {
        double[] t = targets;
        if (isClassification()) {
            t = new double[n * k];
            for (int i = 0; i < n; i++) {
                t[i * k + labels[i]] = 1.0;
            }
        }
        return new Batch(matrix(x, n, d, dtype), matrix(t, n, k, dtype));
    }

    /** Built straight in the target dtype: a float copy of 47M doubles is cheaper than ND4J's cast. */
    static INDArray matrix(double[] values, int rows, int cols, DataType dtype) {
        INDArray flat;
        if (dtype == DataType.FLOAT) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            flat = Nd4j.createFromArray(f);
        } else {
            flat = Nd4j.createFromArray(values).castTo(dtype);
        }
        return flat.reshape('c', rows, cols);
    }
}
