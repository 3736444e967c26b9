package io.depthscope.diag;

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
        return inputGram(a, bias, zeros((int) a.rows()));
    }

    /** As {@link #inputGram(INDArray, boolean)}, written into {@code into} [N, N] float64. */
    static INDArray inputGram(INDArray a, boolean bias, INDArray into) {
        INDArray x = float64(a);
        Nd4j.gemm(x, x, into, false, true, 1.0, 0.0);
        return bias ? into.addi(1.0) : into;
    }

    /** acc = DZ DZ^T + beta acc: the output-side factor; beta 1 sums it over pullbacks before the Hadamard product. */
    static void outer(INDArray dz, INDArray acc, double beta) {
        INDArray d = float64(dz);
        Nd4j.gemm(d, d, acc, false, true, 1.0, beta);
    }

    static INDArray zeros(int n) {
        return Nd4j.create(DataType.DOUBLE, n, n);
    }
}
