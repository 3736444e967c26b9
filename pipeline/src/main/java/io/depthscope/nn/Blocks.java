package io.depthscope.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A block of k directions travels through the R-passes stacked on the batch axis: direction j's rows of an
 * [k N, ...] array are rows j N .. (j+1) N - 1, a contiguous window of a 'c'-order array. Modules whose
 * R-operators are elementwise in the batch run once over the whole block; terms that pair a direction's own
 * parameter view with the cached forward state run once per direction.
 */
public final class Blocks {
    private Blocks() {}

    /** Direction j's rows of a stacked array (the array itself when it holds one direction). */
    public static INDArray rows(INDArray stacked, int j, long n) {
        if (j == 0 && stacked.size(0) == n) {
            return stacked;
        }
        INDArrayIndex[] index = new INDArrayIndex[stacked.rank()];
        index[0] = NDArrayIndex.interval(j * n, (j + 1) * n);
        for (int d = 1; d < index.length; d++) {
            index[d] = NDArrayIndex.all();
        }
        return stacked.get(index);
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

    /**
     * Tensor t of all k directions as one 'c'-order matrix [k d0, rest] (d0 its first axis) when the directions' views
     * are consecutive contiguous windows of one buffer, as {@link Point#hvpBlock} lays them out
     * ({@link ParamLayout#stackedViews}); else null, and the caller goes direction by direction.
     */
    public static INDArray stacked(INDArray[][] v, int t) {
        int k = v.length;
        if (k < 2 || v[0] == null) {
            return null;
        }
        INDArray first = v[0][t];
        long size = first.length();
        if (!contiguous(first)) {
            return null;
        }
        for (int j = 1; j < k; j++) {
            INDArray x = v[j] == null ? null : v[j][t];
            if (x == null || root(x) != root(first) || x.offset() != first.offset() + j * size || !contiguous(x)) {
                return null;
            }
        }
        long d0 = first.rank() == 0 ? 1 : first.size(0);
        long rest = size / d0;
        return Nd4j.create(first.data(), new long[] {k * d0, rest}, new long[] {rest, 1}, first.offset(), 'c', first.dataType());
    }

    /**
     * The buffer a view's memory belongs to: ND4J gives each view made with an offset a buffer object of its own
     * (whose offsets count from the original's start), so views of one vector are compared by their original.
     */
    private static org.nd4j.linalg.api.buffer.DataBuffer root(INDArray x) {
        org.nd4j.linalg.api.buffer.DataBuffer original = x.data().originalDataBuffer();
        return original != null ? original : x.data();
    }

    private static boolean contiguous(INDArray x) {
        return x.ordering() == 'c' && java.util.Arrays.equals(x.stride(), Nd4j.getStrides(x.shape(), 'c'));
    }

    /** Direction j's [n, f] rows of a contiguous stacked [k n, f] array, made on its buffer (no ND4J indexing). */
    static INDArray rowBlock(INDArray stacked, int j, long n, long f) {
        return Nd4j.create(stacked.data(), new long[] {n, f}, new long[] {f, 1}, stacked.offset() + j * n * f, 'c', stacked.dataType());
    }

    /** Direction j's [n, f] columns of a contiguous [n, k f] array, the k directions side by side. */
    static INDArray columnBlock(INDArray sideBySide, int j, int k, long n, long f) {
        return Nd4j.create(sideBySide.data(), new long[] {n, f}, new long[] {(long) k * f, 1}, sideBySide.offset() + j * f, 'c',
                sideBySide.dataType());
    }

    /**
     * Copies between the stacked [k n, f] layout and the side-by-side [n, k f] one (or adds side-by-side into stacked),
     * one [n, f] block per direction: both blocks have contiguous rows, which ND4J copies several times faster than
     * through one permuted view of the whole array.
     */
    static void toSideBySide(INDArray stacked, INDArray sideBySide, int k, long n, long f) {
        for (int j = 0; j < k; j++) {
            columnBlock(sideBySide, j, k, n, f).assign(rowBlock(stacked, j, n, f));
        }
    }

    static void addToStacked(INDArray sideBySide, INDArray stacked, int k, long n, long f, boolean add) {
        for (int j = 0; j < k; j++) {
            INDArray target = rowBlock(stacked, j, n, f);
            INDArray source = columnBlock(sideBySide, j, k, n, f);
            if (add) {
                target.addi(source);
            } else {
                target.assign(source);
            }
        }
    }

    /** {@code a} itself when it is a contiguous 'c'-order array, else such a copy (the blocks above are made on the buffer). */
    static INDArray contiguousCopy(INDArray a) {
        return contiguous(a) ? a : a.dup('c');
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
