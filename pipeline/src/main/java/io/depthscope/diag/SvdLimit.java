package io.depthscope.diag;

import java.util.Locale;

/**
 * The largest matrix whose singular values the diagnostics take. The SVD is commons-math3's (a library SVD, not our
 * own), in Java and in double: it costs about rows cols min(rows, cols) operations and ran here at about 10 s per 10^9
 * of that product on one core (4000 x 300: 3.4 s; 2000 x 600: 7.7 s; 784 x 256: 0.4 s), and it holds copies of the
 * matrix and of its singular vectors, rows cols doubles each. A convolutional representation is large (C H W rows: 16
 * filters on 28 x 28 images are 12,544, and dh/dx of such a map has 784 columns, about 80 s per SVD), so a run whose
 * Jacobian spectra or representation ranks need a larger matrix is refused before it starts, rather than running for
 * hours; {@link #check} guards the SVD itself as well.
 */
public final class SvdLimit {
    /** At most this many entries, rows cols: 2^24 (128 MiB per copy in double). */
    public static final long MAX_ENTRIES = 1L << 24;
    /** At most this work, rows cols min(rows, cols): 10^9, about 10 s per SVD here. */
    public static final double MAX_WORK = 1e9;

    private SvdLimit() {}

    /** Whether the SVD of a [rows, cols] matrix is within both limits (in doubles, which cannot overflow). */
    public static boolean fits(double rows, double cols) {
        return rows * cols <= MAX_ENTRIES && rows * cols * Math.min(rows, cols) <= MAX_WORK;
    }

    /** The limits, as an error message states them. */
    public static String limits() {
        return String.format(Locale.ROOT, "rows x cols <= %d and rows x cols x min(rows, cols) <= %.0e (the SVD is commons-math3's, in Java,"
                + " about 10 s at the limit)", MAX_ENTRIES, MAX_WORK);
    }

    /** The most rows whose matrix of {@code cols} columns fits (0 when not even one row does). */
    public static long maxRows(double cols) {
        long lo = 0;
        long hi = MAX_ENTRIES;
        while (lo < hi) {
            long mid = (lo + hi + 1) >>> 1;
            if (fits(mid, cols)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Refuses the SVD of a [rows, cols] matrix beyond the limits, naming what the matrix is. */
    public static void check(long rows, long cols, String what) {
        if (!fits(rows, cols)) {
            throw new IllegalArgumentException(what + ": a [" + rows + ", " + cols + "] matrix is too large for its singular values; allowed: "
                    + limits());
        }
    }
}
