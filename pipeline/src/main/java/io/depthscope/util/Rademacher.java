package io.depthscope.util;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rademacher entries (+1 or -1) written straight into an ND4J vector's buffer, exactly as
 * {@code new SplittableRandom(seed).nextBoolean() ? 1 : -1} would draw them, entry i from draw i.
 *
 * <p>SplittableRandom is counter-based: its state after i + 1 draws is seed + (i + 1) * GAMMA, and
 * nextBoolean() is mix32 of that state read as a sign (JDK 17: nextBoolean() = nextInt() &lt; 0, nextInt() =
 * mix32(nextSeed())). Evaluating that formula per entry skips the generator object and the double[] that
 * {@link RandomArrays#rademacher} fills and ND4J then copies and casts (about half an Hv on a 500k-parameter
 * network), and keeps every probe, and so every estimate already in a table, bit for bit what it was.
 * RademacherTest checks the formula against SplittableRandom itself.
 */
public final class Rademacher {
    /** SplittableRandom's GOLDEN_GAMMA, the increment of its state per draw. */
    private static final long GAMMA = 0x9e3779b97f4a7c15L;

    private Rademacher() {}

    /** Draw {@code index} (0 for the first) of {@code new SplittableRandom(seed).nextBoolean()}. */
    public static boolean positive(long seed, long index) {
        long z = seed + (index + 1) * GAMMA;
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        // mix32 returns the high 32 bits of this product as an int, so its sign is the product's sign bit.
        return ((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) < 0;
    }

    /**
     * Fills the contiguous float or double vector {@code out} (offset 0, its buffer's whole length) with draws
     * {@code first} .. {@code first + n - 1} of the stream {@code seed}.
     */
    public static void fill(long seed, long first, INDArray out) {
        if (out.offset() != 0 || out.data().length() != out.length() || !out.isVector() && !out.isScalar()) {
            throw new IllegalArgumentException("out: a view (offset " + out.offset() + ", " + out.length() + " of "
                    + out.data().length() + " entries) is not allowed; allowed: a vector that owns its whole buffer");
        }
        int n = Math.toIntExact(out.length());
        if (out.dataType() == DataType.FLOAT) {
            FloatBuffer b = out.data().asNioFloat();
            for (int i = 0; i < n; i++) {
                b.put(i, positive(seed, first + i) ? 1f : -1f);
            }
        } else if (out.dataType() == DataType.DOUBLE) {
            DoubleBuffer b = out.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                b.put(i, positive(seed, first + i) ? 1.0 : -1.0);
            }
        } else {
            throw new IllegalArgumentException("out: dtype " + out.dataType() + " is not supported; allowed: float32, float64");
        }
    }
}
