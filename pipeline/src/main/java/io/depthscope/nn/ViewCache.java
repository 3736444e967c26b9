package io.depthscope.nn;

import java.util.Arrays;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The per-layer views of the last few flat vectors (or [k, P] blocks) a point was handed. Making them costs an ND4J
 * view per tensor, about 0.17 ms for the 18 tensors of bench's mlp, twice per Hv (direction and result) and once per
 * gradient, while the estimators hand the same buffers back call after call (Hutchinson's three vectors, Lanczos's
 * copies, the trainer's parameters). A hit needs the same buffer object at the same offset, shape and strides, so it is the
 * same memory; views share the buffer, so they always show its current contents. The cache holds its buffers until they
 * are replaced, {@link #SIZE} at most per point.
 */
final class ViewCache<V> {
    static final int SIZE = 4;

    private record Entry<V>(DataBuffer buffer, long offset, long[] shape, long[] stride, V views) {
        boolean matches(INDArray a) {
            return buffer == a.data() && offset == a.offset() && Arrays.equals(shape, a.shape()) && Arrays.equals(stride, a.stride());
        }
    }

    @SuppressWarnings("unchecked")
    private final Entry<V>[] entries = new Entry[SIZE];
    private int next;

    /** The views of {@code a}: the cached ones when {@code a} is memory seen before, else {@code make}'s, then cached. */
    V get(INDArray a, Function<INDArray, V> make) {
        for (Entry<V> e : entries) {
            if (e != null && e.matches(a)) {
                return e.views();
            }
        }
        V views = make.apply(a);
        entries[next] = new Entry<>(a.data(), a.offset(), a.shape(), a.stride(), views);
        next = (next + 1) % SIZE;
        return views;
    }
}
