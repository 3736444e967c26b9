package io.depthscope.probe;

import io.depthscope.nn.Landscape;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A symmetric linear map on flat vectors, known only through its products: what Lanczos needs. The
 * adapters cover the Hessian and the Gauss-Newton matrix of a {@link Landscape} (one R-pass per product, the
 * matrix is never formed) and a dense matrix (for tests against a known spectrum).
 */
public interface SymmetricOperator {
    /** The dimension n of the vectors. */
    long size();

    /** The dtype that {@link #apply} reads and writes. */
    DataType dtype();

    /** out = A v for flat vectors of {@link #size()} entries in {@link #dtype()}; v is not modified. */
    void apply(INDArray v, INDArray out);

    /** The exact Hessian of {@code point}'s loss, by Hessian-vector products. */
    public static SymmetricOperator hessian(Landscape point) {
        return ofPoint(point, point::hvp);
    }

    /** The Gauss-Newton part G = J^T (d^2 Loss/df^2) J of {@code point}'s Hessian. */
    static SymmetricOperator gaussNewton(Landscape point) {
        return ofPoint(point, point::gvp);
    }

    /** A product at {@code point}, on flat vectors of its parameter count and dtype. */
    private static SymmetricOperator ofPoint(Landscape point, java.util.function.BiConsumer<INDArray, INDArray> product) {
        return new SymmetricOperator() {
            @Override
            public long size() {
                return point.paramCount();
            }

            @Override
            public DataType dtype() {
                return point.dtype();
            }

            @Override
            public void apply(INDArray v, INDArray out) {
                product.accept(v, out);
            }
        };
    }

    /**
     * A dense symmetric [n, n] matrix (copied to float64; symmetry is the caller's promise and is checked
     * to rounding, since Lanczos on a non-symmetric matrix silently returns nonsense).
     */
    static SymmetricOperator dense(INDArray matrix) {
        if (matrix.rank() != 2 || matrix.rows() != matrix.columns()) {
            throw new IllegalArgumentException("matrix: shape " + java.util.Arrays.toString(matrix.shape())
                    + " is not allowed; allowed: a square [n, n] matrix");
        }
        INDArray a = matrix.castTo(DataType.DOUBLE).dup('c');
        double asym = a.sub(a.transpose()).norm2Number().doubleValue();
        double norm = a.norm2Number().doubleValue();
        if (asym > 1e-12 * Math.max(norm, Double.MIN_NORMAL)) {
            throw new IllegalArgumentException("matrix: not symmetric (||A - A^T||_F = " + asym + ", ||A||_F = " + norm
                    + "); allowed: a symmetric matrix");
        }
        long n = a.rows();
        return new SymmetricOperator() {
            public long size() {
                return n;
            }

            public DataType dtype() {
                return DataType.DOUBLE;
            }

            public void apply(INDArray v, INDArray out) {
                out.assign(a.mmul(v.reshape(n, 1)).reshape(n));
            }
        };
    }
}
