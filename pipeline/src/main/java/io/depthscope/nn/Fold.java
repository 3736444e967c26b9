package io.depthscope.nn;


/**
 * Orhan's "Fold-k" degenerate starts (A. E. Orhan, "Why is it hard to train deep neural networks?
 * Degeneracy, not vanishing gradients, is the key", blog post, 2017; see also Orhan and Pitkow, "Skip
 * connections eliminate singularities", ICLR 2018). The post's construction: take a matrix drawn with the
 * standard initialisation and "copy the first half of [it] to the second half"; the matrix is then
 * "folded once", Fold 1, which lowers its rank and makes it more degenerate, while training is left free
 * to undo it.
 *
 * <p>The post fixes neither the axis nor what k &gt; 1 means, so this is our reading, stated exactly:
 * <ul>
 *   <li>Axis: "the first half" indexes the first axis of the stored [out, in] matrix (as
 *       {@code W[h:] = W[:n-h]} would in PyTorch), so by default rows are copied and pairs of hidden
 *       units compute identical pre-activations; {@code cols} folds the input axis instead.</li>
 *   <li>Halves: the first half is the first h = ceil(n/2) slices; slices h..n-1 receive slices
 *       0..n-h-1 (for odd n the middle slice is kept and not copied).</li>
 *   <li>Fold-k folds the already-folded first half again: with m_0 = n and m_j = ceil(m_{j-1}/2), the
 *       matrix is determined by its first m_k slices and rank &lt;= ceil(n / 2^k). For n a power of
 *       two this is slice i = slice (i mod n/2^k): the first n/2^k slices tiled 2^k times.</li>
 * </ul>
 * Folding copies values, so every copied weight keeps the base kind's marginal distribution.
 */
public final class Fold {
    private Fold() {}

    /** Folds a row-major [rows, cols] matrix k times along {@code axis} ("rows" or "cols"), in place. */
    public static void apply(double[] w, int rows, int cols, int k, String axis) {
        boolean byRows = "rows".equals(axis);
        int n = byRows ? rows : cols;
        int[] m = halves(n, k);
        k = m.length - 1;
        // Innermost fold first, so every source slice is already final when it is copied outward.
        for (int j = k; j >= 1; j--) {
            int hi = m[j - 1];
            int lo = m[j];
            for (int s = lo; s < hi; s++) {
                copySlice(w, rows, cols, byRows, s - lo, s);
            }
        }
    }

    /** m_0 = n, m_j = ceil(m_{j-1} / 2): the number of free slices after j folds. */
    static int[] halves(int n, int k) {
        // After 31 halvings any int length is down to one slice; more folds change nothing.
        int[] m = new int[Math.min(k, 31) + 1];
        m[0] = n;
        for (int j = 1; j < m.length; j++) {
            m[j] = (m[j - 1] + 1) / 2;
        }
        return m;
    }

    /** The rank bound after k folds of an axis of length n: ceil(n / 2^k), at least 1. */
    public static int rankBound(int n, int k) {
        int[] m = halves(n, k);
        return m[m.length - 1];
    }

    private static void copySlice(double[] w, int rows, int cols, boolean byRows, int from, int to) {
        if (byRows) {
            System.arraycopy(w, from * cols, w, to * cols, cols);
        } else {
            for (int r = 0; r < rows; r++) {
                w[r * cols + to] = w[r * cols + from];
            }
        }
    }
}
