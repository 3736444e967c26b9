package io.depthscope.diag;

import io.depthscope.nn.Point;
import io.depthscope.util.SymmetricEigen;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The spectrum of an NTK Gram matrix K [N, N] (see {@link Ntk}): Du et al. (2018) need lambda_min(K) > 0
 * for gradient descent to reach zero loss at a linear rate, and a large condition number means that the
 * residual's worst direction shrinks that many times slower than its best.
 *
 * @param outputs k, the number of network outputs summed over in K
 * @param conditionNumber lambdaMax / lambdaMin; +Infinity when lambdaMin <= 0 (K is singular: N > P, or
 *     duplicate examples, up to rounding)
 * @param frobenius ||K||_F, for drift relative to it
 */
public record NtkGram(int n, int outputs, double lambdaMin, double lambdaMax, double conditionNumber, double trace,
        double frobenius) {

    /** The spectrum of a symmetric kernel matrix, by LAPACK's symmetric eigensolver on a float64 copy. */
    public static NtkGram of(INDArray k, int outputs) {
        if (k.rank() != 2 || k.rows() != k.columns()) {
            throw new IllegalArgumentException("kernel: shape " + java.util.Arrays.toString(k.shape()) + " is not square");
        }
        double[] ev = SymmetricEigen.ascending(k);
        double min = ev[0];
        double max = ev[ev.length - 1];
        INDArray d = MapGrams.float64(k);
        return new NtkGram((int) k.rows(), outputs, min, max, min > 0 ? max / min : Double.POSITIVE_INFINITY,
                trace(d), d.norm2Number().doubleValue());
    }

    private static double trace(INDArray m) {
        double t = 0;
        for (long i = 0; i < m.rows(); i++) {
            t += m.getDouble(i, i);
        }
        return t;
    }

    public static NtkGram at(Point point) {
        return of(Ntk.gram(point), (int) point.outputs().columns());
    }
}
