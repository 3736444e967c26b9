package io.depthscope.util;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;

/**
 * Eigenvalues of a dense symmetric matrix by LAPACK's symmetric solver (in float64). A general tool: the
 * dense Hessian, the NTK Gram and the per-example Gram all use it, so it lives below all of them.
 */
public final class SymmetricEigen {
    private SymmetricEigen() {}

    /** Eigenvalues of a symmetric matrix, ascending. The argument is not modified. */
    public static double[] ascending(INDArray symmetric) {
        INDArray work = symmetric.castTo(DataType.DOUBLE).dup('f');
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(work, false);
        double[] out = values.toDoubleVector();
        Arrays.sort(out);
        return out;
    }
}
