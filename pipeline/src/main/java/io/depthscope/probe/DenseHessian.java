package io.depthscope.probe;

import io.depthscope.nn.Landscape;
import io.depthscope.util.SymmetricEigen;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The dense Hessian of a small network, column by column from exact Hessian-vector products, and its
 * eigenvalues by LAPACK's symmetric solver. For tests and the exact mode of probes (P up to a few thousand).
 */
public final class DenseHessian {
    /** Above this many parameters the dense Hessian (P^2 doubles, P products) is refused. */
    public static final long MAX_PARAMS = 6000;

    private DenseHessian() {}

    /** H as a [P, P] float64 matrix, symmetrised: (H + H^T)/2 removes rounding asymmetry only. */
    public static INDArray of(Landscape point) {
        long p = point.paramCount();
        if (p > MAX_PARAMS) {
            throw new IllegalArgumentException("param_count: " + p + " is too large for a dense Hessian; allowed: <= "
                    + MAX_PARAMS + " (use Hutchinson probes instead)");
        }
        int n = (int) p;
        INDArray h = Nd4j.create(DataType.DOUBLE, n, n);
        INDArray e = Nd4j.create(point.dtype(), n);
        INDArray column = Nd4j.create(point.dtype(), n);
        for (int j = 0; j < n; j++) {
            e.putScalar(j, 1.0);
            point.hvp(e, column);
            e.putScalar(j, 0.0);
            h.putColumn(j, column.castTo(DataType.DOUBLE));
        }
        return h.add(h.transpose().dup()).muli(0.5);
    }

    /** Eigenvalues of a symmetric matrix, ascending. The argument is not modified. */
    public static double[] eigenvalues(INDArray symmetric) {
        return SymmetricEigen.ascending(symmetric);
    }

    /** Eigenvalues of the Hessian at {@code point}, ascending. */
    public static double[] eigenvalues(Landscape point) {
        return eigenvalues(of(point));
    }
}
