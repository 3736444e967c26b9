package io.depthscope.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A fixed set of examples: inputs x [N, d] (or [N, C, H, W] images, whose rows flatten to d = C H W in row-major
 * order) and targets [N, k] (regression values, or one-hot rows for classification). Every Hessian estimate at a point uses one batch: re-sampling it between
 * Hessian-vector products would change the operator under the algorithm.
 */
public record Batch(INDArray x, INDArray targets) {
    public Batch {
        if (x.rank() < 2 || targets.rank() != 2) {
            throw new IllegalArgumentException("batch: x must have rank >= 2 and targets must be a matrix, got ranks " + x.rank()
                    + " and " + targets.rank());
        }
        // size(0), not rows(): ND4J's rows() refuses arrays of rank above 2, such as [N, C, H, W] images
        if (x.size(0) != targets.rows()) {
            throw new IllegalArgumentException("batch: x has " + x.size(0) + " rows but targets have " + targets.rows()
                    + "; allowed: the same number of examples");
        }
    }

    public int size() {
        return (int) x.size(0);
    }

    /** Features per example: the product of x's dimensions after the first. */
    public int inputDim() {
        return (int) (x.length() / x.size(0));
    }

    /** This batch with x reshaped to [N, shape...] (the same row-major data; no copy for a contiguous x). */
    public Batch shaped(long[] shape) {
        long[] full = new long[shape.length + 1];
        full[0] = x.size(0);
        System.arraycopy(shape, 0, full, 1, shape.length);
        return java.util.Arrays.equals(full, x.shape()) ? this : new Batch(x.reshape('c', full), targets);
    }

    /** Examples {@code from} .. {@code to} - 1 as a batch of their own: contiguous copies, whatever x's rank. */
    public Batch rows(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException("rows: " + from + ".." + to + " is not allowed; allowed: 0 <= from < to <= " + size());
        }
        org.nd4j.linalg.indexing.INDArrayIndex[] index = new org.nd4j.linalg.indexing.INDArrayIndex[x.rank()];
        index[0] = org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
        for (int d = 1; d < index.length; d++) {
            index[d] = org.nd4j.linalg.indexing.NDArrayIndex.all();
        }
        return new Batch(x.get(index).dup('c'), targets.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c'));
    }

    public int targetDim() {
        return (int) targets.columns();
    }

    /** This batch in {@code dtype}, as contiguous 'c'-order copies (no copy when it already is). */
    public Batch as(DataType dtype) {
        return new Batch(contiguous(x, dtype), contiguous(targets, dtype));
    }

    private static INDArray contiguous(INDArray a, DataType dtype) {
        INDArray cast = a.dataType() == dtype ? a : a.castTo(dtype);
        return cast.ordering() == 'c' && !cast.isView() ? cast : cast.dup('c');
    }

    /** One-hot rows [N, classes] for integer labels 0..classes-1. */
    public static INDArray oneHot(int[] labels, int classes, DataType dtype) {
        double[][] rows = new double[labels.length][classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("labels[" + i + "]: value " + labels[i] + " is out of range; allowed: 0.."
                        + (classes - 1));
            }
            rows[i][labels[i]] = 1.0;
        }
        return org.nd4j.linalg.factory.Nd4j.createFromArray(rows).castTo(dtype);
    }
}
