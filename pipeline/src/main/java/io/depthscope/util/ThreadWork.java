package io.depthscope.util;

import java.lang.ref.WeakReference;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Work vectors an estimator borrows from its thread's previous call. Fresh off-heap memory costs a page fault per 4 KB
 * page when first written (ND4J writes it when allocating), about 20 us each on this project's VM: the three vectors of
 * P = 528,906 float32 entries a Hutchinson call allocated cost about 1.3 Hv of a 10-probe estimate. The buffers are held
 * weakly, so they live no longer than the garbage they would otherwise be; per thread, so no other thread can hold them;
 * and a caller must not call another user of the same slot while it holds them (no estimator calls another).
 */
public final class ThreadWork {
    private final ThreadLocal<WeakReference<DataBuffer[]>> slot = new ThreadLocal<>();

    /** Buffers of these dtypes and lengths: the thread's last ones while the collector has not freed them, else new ones. */
    public DataBuffer[] borrow(DataType[] dtypes, long[] lengths) {
        WeakReference<DataBuffer[]> last = slot.get();
        DataBuffer[] work = last == null ? null : last.get();
        if (work == null || !fits(work, dtypes, lengths)) {
            work = new DataBuffer[dtypes.length];
            for (int i = 0; i < work.length; i++) {
                work[i] = Nd4j.createUninitialized(dtypes[i], lengths[i]).data();
            }
            slot.set(new WeakReference<>(work));
        }
        return work;
    }

    private static boolean fits(DataBuffer[] work, DataType[] dtypes, long[] lengths) {
        if (work.length != dtypes.length) {
            return false;
        }
        for (int i = 0; i < work.length; i++) {
            if (work[i].dataType() != dtypes[i] || work[i].length() != lengths[i]) {
                return false;
            }
        }
        return true;
    }

    /** A flat vector over the whole of {@code buffer} (what Rademacher draws into). */
    public static INDArray vector(DataBuffer buffer) {
        return Nd4j.create(buffer, new long[] {buffer.length()}, new long[] {1}, 0, 'c');
    }
}
