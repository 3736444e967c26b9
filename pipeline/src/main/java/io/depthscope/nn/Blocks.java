package io.depthscope.nn;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A block of k directions travels through the R-passes stacked on the batch axis: direction j's rows of an
 * [k N, ...] array are rows j N .. (j+1) N - 1, a contiguous window of a 'c'-order array. Modules whose
 * R-operators are elementwise in the batch run once over the whole block; terms that pair a direction's own
 * parameter view with the cached forward state run once per direction, or, in a linear map, once over all k
 * ({@link LinearBlock}). Between linear maps and one-dimensional activations a block may instead travel side by side,
 * [N, k width], direction j's columns j width .. (j+1) width - 1 of each row ({@link #columns}; {@link ModulePass}).
 */
public final class Blocks {
    private Blocks() {}

    /**
     * Direction j's rows of a stacked array (the array itself when it holds one direction): a view made on its buffer
     * directly, the same strides from n j rows further on. ND4J's general indexing built the same view at several
     * times the cost, and a block of 8 on bench's mlp asks for some 500 of them.
     */
    public static INDArray rows(INDArray stacked, int j, long n) {
        if (j == 0 && stacked.size(0) == n) {
            return stacked;
        }
        if (j < 0 || (j + 1) * n > stacked.size(0)) {
            throw new IndexOutOfBoundsException("direction " + j + " of " + n + " rows in a stack of shape " + java.util.Arrays.toString(stacked.shape()));
        }
        long[] shape = stacked.shape().clone(); // shape() may be the array's own
        shape[0] = n;
        return view(stacked, j * n * stacked.stride(0), shape, stacked.stride());
    }

    /**
     * Direction j's columns of a side-by-side block [n, k width] (see {@link ModulePass}): an [n, width] view whose rows
     * lie k width apart.
     */
    public static INDArray columns(INDArray sideBySide, int j, int k) {
        long width = sideBySide.size(1) / k;
        if (sideBySide.rank() != 2 || sideBySide.size(1) != k * width || j < 0 || j >= k) {
            throw new IndexOutOfBoundsException("direction " + j + " of " + k + " side by side in shape " + java.util.Arrays.toString(sideBySide.shape()));
        }
        return view(sideBySide, j * width * sideBySide.stride(1), new long[] {sideBySide.size(0), width},
                new long[] {sideBySide.stride(0), sideBySide.stride(1)});
    }

    /**
     * Whether no direction of a block moves the parameters: every direction's views are null, as in the R-pass of an
     * input Jacobian (see {@link ModulePass#rForward}).
     */
    public static boolean fixed(INDArray[][] v) {
        for (INDArray[] d : v) {
            if (d != null) {
                return false;
            }
        }
        return true;
    }

    /** Whether every direction of a block moves the parameters: none of its views is null. */
    public static boolean moving(INDArray[][] v) {
        for (INDArray[] d : v) {
            if (d == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * The k views, one per direction, as one [k, ...] view when they lie at equal distances in one buffer with one shape
     * and strides (as a [k, P] block's views of one parameter do), else null: one copy then moves all k.
     */
    public static INDArray stacked(INDArray[] views) {
        INDArray first = views[0];
        long step = views.length > 1 ? views[1].offset() - first.offset() : first.length();
        if (step <= 0) {
            return null;
        }
        DataBuffer buffer = underlying(first);
        for (int j = 1; j < views.length; j++) {
            INDArray x = views[j];
            if (underlying(x) != buffer || x.offset() != first.offset() + j * step || x.ordering() != first.ordering()
                    || !java.util.Arrays.equals(x.shape(), first.shape()) || !java.util.Arrays.equals(x.stride(), first.stride())) {
                return null;
            }
        }
        long[] shape = new long[first.rank() + 1];
        long[] stride = new long[first.rank() + 1];
        shape[0] = views.length;
        stride[0] = step;
        System.arraycopy(first.shape(), 0, shape, 1, first.rank());
        System.arraycopy(first.stride(), 0, stride, 1, first.rank());
        return Nd4j.create(buffer, shape, stride, first.offset(), first.ordering());
    }

    /** Entry j along axis 0 of x, made on x's buffer directly (ND4J's slice of a strided view is not always usable). */
    public static INDArray slice(INDArray x, int j) {
        return view(x, j * x.stride(0), java.util.Arrays.copyOfRange(x.shape(), 1, x.rank()), java.util.Arrays.copyOfRange(x.stride(), 1, x.rank()));
    }

    /** A view of {@code shape} and {@code stride} starting {@code shift} entries into x, on x's buffer. */
    public static INDArray view(INDArray x, long shift, long[] shape, long[] stride) {
        return Nd4j.create(underlying(x), shape, stride, x.offset() + shift, x.ordering());
    }

    /**
     * The buffer a view's offset counts from: ND4J gives each view made with an offset a buffer object of its own, whose
     * original is the array's.
     */
    private static DataBuffer underlying(INDArray x) {
        DataBuffer original = x.data().originalDataBuffer();
        return original != null ? original : x.data();
    }

    /** The shape [k n, rest...] of a block of k directions over per-example arrays of shape {@code rest}. */
    public static long[] stackedShape(long k, long n, long[] rest) {
        long[] shape = new long[rest.length + 1];
        shape[0] = k * n;
        System.arraycopy(rest, 0, shape, 1, rest.length);
        return shape;
    }

    /**
     * A buffer of [k n, rest...] that is allocated when first asked for, so that training, which never takes an
     * R-pass, holds none of these buffers. The buffers of the last two block sizes are kept: a caller that
     * alternates single products and blocks (a bench, Lanczos beside a probe block) must not allocate and zero
     * every buffer of the network on each call.
     */
    public static final class Lazy {
        private final long n;
        private final long[] rest;
        private final DataType dtype;
        private INDArray recent;
        private INDArray previous;

        public Lazy(long n, long[] rest, DataType dtype) {
            this.n = n;
            this.rest = rest.clone();
            this.dtype = dtype;
        }

        public INDArray get(int k) {
            long rows = k * n;
            if (recent != null && recent.size(0) == rows) {
                return recent;
            }
            INDArray found = previous != null && previous.size(0) == rows ? previous : Nd4j.create(dtype, stackedShape(k, n, rest));
            previous = recent;
            recent = found;
            return found;
        }
    }
}
