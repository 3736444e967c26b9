package io.depthscope.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Reshapes and strided windows for the image modules. ND4J's {@code reshape} silently copies when the strides do
 * not allow a view (a permuted or strided array), so a result written through such a "view" is lost; every
 * array these modules write through a reshape goes through {@link #of}, which refuses instead of copying.
 */
final class Views {
    private Views() {}

    /** {@code a} as a 'c'-order array of {@code shape} sharing its memory; an error if that needs a copy. */
    static INDArray of(INDArray a, long... shape) {
        if (Arrays.equals(a.shape(), shape)) {
            return a;
        }
        INDArray view = Shape.newShapeNoCopy(a, shape, false);
        if (view == null) {
            throw new IllegalStateException("reshaping " + Arrays.toString(a.shape()) + " (strides " + Arrays.toString(a.stride())
                    + ", order " + a.ordering() + ") to " + Arrays.toString(shape) + " would copy");
        }
        return view;
    }

    /** {@code a} reshaped for reading: a view when the strides allow one, else a 'c'-order copy. */
    static INDArray reading(INDArray a, long... shape) {
        if (Arrays.equals(a.shape(), shape)) {
            return a;
        }
        INDArray view = Shape.newShapeNoCopy(a, shape, false);
        return view != null ? view : a.dup('c').reshape('c', shape);
    }

    /**
     * The [N, C, count_h, count_w] strided view of x[:, :, dy + sy i, dx + sx j] for i < count_h, j < count_w: one
     * position of every pooling window, or the stride grid of option A.
     */
    static INDArray grid(INDArray x, long dy, long dx, long sy, long sx, long countH, long countW) {
        return x.get(NDArrayIndex.all(), NDArrayIndex.all(), strided(dy, sy, countH), strided(dx, sx, countW));
    }

    /**
     * begin, begin + stride, ... ({@code count} of them). One index is asked for with stride 1: ND4J's
     * {@code interval(begin, stride, end)} multiplies {@code end} by the stride when end - begin is 1, so
     * interval(1, 2, 2) selects [1, 4) instead of {1} (and fails as out of range, or selects too much).
     */
    private static INDArrayIndex strided(long begin, long stride, long count) {
        return count == 1 ? NDArrayIndex.interval(begin, begin + 1) : NDArrayIndex.interval(begin, stride, begin + stride * (count - 1) + 1);
    }
}
