package io.depthscope.nn;

import io.depthscope.util.Provenance;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which arithmetic a {@link Conv2d} runs on. Both give the same numbers up to the rounding of their sums' order
 * ({@code ConvKernelsTest} checks every pass of one against the other), so the choice is a matter of speed:
 *
 * <ul>
 *   <li>{@link #IM2COL}: patches and OpenBLAS matrix products, written here; fast enough on every libnd4j binary;</li>
 *   <li>{@link #LIBND4J}: libnd4j's {@code conv2d} and {@code conv2d_bp} custom ops, which a oneDNN build of libnd4j
 *   runs on oneDNN's direct convolutions in float32, 2-7 times faster per layer than IM2COL on a ResNet-20's shapes
 *   (README, "Speed"). Without oneDNN, or in float64, the ops fall back to libnd4j's own generic loops, which are
 *   slower than IM2COL (a 16-channel 32x32 layer of 128 images: backward 562 ms against 70 ms).</li>
 * </ul>
 *
 * <p>So the kernels follow the binary: LIBND4J for float32 when libnd4j was built with oneDNN (the backend kind
 * {@code cpu-onednn-*} in every run's provenance), IM2COL otherwise. A run's backend thus also says which kernels it
 * used. Tests force one or the other with {@link #using} to check both on any binary.
 */
public enum ConvKernels {
    IM2COL,
    LIBND4J;

    private static final boolean ONEDNN = Provenance.current().backend().contains("onednn");
    private static final ThreadLocal<ConvKernels> FORCED = new ThreadLocal<>();

    /** The kernels a convolution bound now in this thread runs on, for its dtype. */
    public static ConvKernels forDtype(DataType dtype) {
        ConvKernels forced = FORCED.get();
        if (forced != null) {
            return forced;
        }
        return ONEDNN && dtype == DataType.FLOAT ? LIBND4J : IM2COL;
    }

    /** Forces these kernels on the convolutions this thread binds until the scope is closed (for tests and benches). */
    public static Scope using(ConvKernels kernels) {
        ConvKernels before = FORCED.get();
        FORCED.set(kernels);
        return () -> {
            if (before == null) {
                FORCED.remove();
            } else {
                FORCED.set(before);
            }
        };
    }

    /** A forced choice's extent; closing it restores the one before. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
