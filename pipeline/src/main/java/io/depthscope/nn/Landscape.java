package io.depthscope.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The loss of a network on one fixed batch, as a function of its parameters, at the current theta: its value,
 * gradient, and the exact Hessian and Gauss-Newton products that the curvature estimators need. A
 * {@link Point} holds the whole batch at once; a {@link ChunkedLandscape} is the mean over chunks of the batch,
 * so the batch can be far larger than what one pass holds. Not thread-safe: use one per thread.
 */
public interface Landscape {
    Network network();

    DataType dtype();

    default long paramCount() {
        return network().paramCount();
    }

    /** Examples in the fixed batch. */
    int batchSize();

    INDArray theta();

    /** The mean loss over the batch at {@link #theta()}. */
    double loss();

    /** dLoss/dtheta as a flat vector; owned by the landscape, do not modify. */
    INDArray gradient();

    /** Re-evaluates loss and gradient at new parameters on the same batch. */
    Landscape moveTo(INDArray theta);

    /** Hv written into {@code out} (a flat vector of this landscape's dtype). */
    void hvp(INDArray v, INDArray out);

    default INDArray hvp(INDArray v) {
        INDArray out = org.nd4j.linalg.factory.Nd4j.create(dtype(), paramCount());
        hvp(v, out);
        return out;
    }

    /** H V for the rows of {@code v} [k, P], written into the rows of {@code out} [k, P] (contiguous 'c' order). */
    void hvpBlock(INDArray v, INDArray out);

    /** Gv = J^T (d^2 Loss/df^2) J v written into {@code out}. */
    void gvp(INDArray v, INDArray out);

    default INDArray gvp(INDArray v) {
        INDArray out = org.nd4j.linalg.factory.Nd4j.create(dtype(), paramCount());
        gvp(v, out);
        return out;
    }
}
