package io.depthscope.diag;

import io.depthscope.nn.LinearActivity;
import io.depthscope.util.ThreadWork;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gram matrices of per-example gradients of one linear map z = a W^T + b, without forming the gradients:
 * example n's gradient over (W, b) is (dz_n a_n^T, dz_n), so
 * <g_m, g_n> = (dz_m . dz_n)(a_m . a_n) + [bias] (dz_m . dz_n) = (DZ DZ^T)_mn (A A^T + 1)_mn.
 * Two [N, N] products per map (O(N^2 (in + out))) instead of N gradients of size out x in.
 * Everything is float64: a Gram's off-diagonal entries are small differences of large sums.
 */
final class MapGrams {
    private MapGrams() {}

    /** {@code m} as float64 (no copy when it already is). */
    static INDArray float64(INDArray m) {
        return m.dataType() == DataType.DOUBLE ? m : m.castTo(DataType.DOUBLE);
    }

    /** A A^T, plus 1 in every entry when the map has a bias (the bias's "input" is the constant 1). */
    static INDArray inputGram(INDArray a, boolean bias) {
        return inputGram(a, bias, zeros((int) a.rows()), null);
    }

    /**
     * As {@link #inputGram(INDArray, boolean)}, written into {@code into} [N, N] float64; a float32 {@code a} is copied
     * into {@code work}'s float64 copy (a fresh one when {@code work} is null).
     */
    static INDArray inputGram(INDArray a, boolean bias, INDArray into, Work work) {
        INDArray x = work == null ? float64(a) : work.float64(a);
        Nd4j.gemm(x, x, into, false, true, 1.0, 0.0);
        return bias ? into.addi(1.0) : into;
    }

    /** acc = DZ DZ^T + beta acc: the output-side factor; beta 1 sums it over pullbacks before the Hadamard product. */
    static void outer(INDArray dz, INDArray acc, double beta, Work work) {
        INDArray d = work == null ? float64(dz) : work.float64(dz);
        Nd4j.gemm(d, d, acc, false, true, 1.0, beta);
    }

    static INDArray zeros(int n) {
        return Nd4j.create(DataType.DOUBLE, n, n);
    }

    /**
     * The float64 scratch of one Gram computation, carved from one buffer borrowed from the thread's previous
     * computation of the same kind and size ({@link ThreadWork}): [N, N] matrices and a copy for float32 inputs.
     * Fresh memory here cost more than the Grams' arithmetic: a float32 network's per-example Gram cast two [N, width]
     * arrays to float64 per map, each a new buffer, and a first write on this project's VM costs a page fault per 4 KB
     * page (the float32 Gram of bench's mlp took 65 ms against 19 ms in float64). Every entry handed out is written
     * before it is read (an assign, or a product with beta 0), so the Grams do not depend on what the buffer held.
     */
    static final class Work {
        private final DataBuffer buffer;
        private final long copyEntries;
        private long next;
        private INDArray copy;

        /**
         * Room for {@code matrices} [N, N] matrices and one float64 copy of the widest float32 input or output
         * gradient of {@code maps} (none when they are float64).
         */
        Work(ThreadWork slot, int n, int matrices, List<LinearActivity> maps) {
            long widest = 0;
            for (LinearActivity act : maps) {
                if (act.input().dataType() != DataType.DOUBLE) {
                    widest = Math.max(widest, Math.max(act.input().columns(), act.outputGradient().columns()));
                }
            }
            copyEntries = n * widest;
            long entries = Math.max(1, (long) matrices * n * n + copyEntries);
            buffer = slot.borrow(new DataType[] {DataType.DOUBLE}, new long[] {entries})[0];
            next = copyEntries;
        }

        /** The next [rows, cols] float64 matrix of the buffer; its entries are whatever the buffer held. */
        INDArray matrix(long rows, long cols) {
            INDArray m = Nd4j.create(buffer, new long[] {rows, cols}, new long[] {cols, 1}, next, 'c');
            next += rows * cols;
            return m;
        }

        /** {@code m} as float64: itself when it is, else copied into the one copy slot (valid until the next call). */
        INDArray float64(INDArray m) {
            if (m.dataType() == DataType.DOUBLE) {
                return m;
            }
            if (m.length() > copyEntries) {
                throw new IllegalStateException("a float32 array of " + m.length() + " entries for a copy slot of " + copyEntries);
            }
            long[] shape = m.shape().clone();
            INDArray into = Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c');
            return into.assign(m);
        }
    }
}
