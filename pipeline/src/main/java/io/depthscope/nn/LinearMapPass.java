package io.depthscope.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pass of a parameter-free module that is a linear map y = A x of its input (pools, option A's shortcut; max
 * pooling once its forward has fixed the argmax): the R-forward is A applied to R{x}, and the backward, its R-pass
 * and the transposed Jacobian are all A^T. A subclass supplies A and A^T over a stack of blocks; the buffers and the
 * five passes are here. Buffers start at zero and the maps write only what they own, so entries A never reaches
 * (option A's zero channels, a pool's dropped edge) stay zero.
 */
abstract class LinearMapPass implements ModulePass {
    protected final int n;
    private final DataType dtype;
    private final long[] inputShape;
    protected final INDArray z;
    private final Blocks.Lazy rz;
    private final Blocks.Lazy rGradIn;
    private INDArray gradIn;

    LinearMapPass(int n, DataType dtype, long[] inputShape, long[] outputShape) {
        this.n = n;
        this.dtype = dtype;
        this.inputShape = inputShape.clone();
        z = Nd4j.create(dtype, Blocks.stackedShape(1, n, outputShape));
        rz = new Blocks.Lazy(n, outputShape, dtype);
        rGradIn = new Blocks.Lazy(n, inputShape, dtype);
    }

    /** A x for stacked inputs x [k n, ...], written into {@code into}. */
    protected abstract INDArray apply(INDArray x, INDArray into);

    /** A^T g for stacked output gradients g [k n, ...], written into {@code into}. */
    protected abstract INDArray adjoint(INDArray gradOut, INDArray into);

    @Override
    public INDArray forward(INDArray in, INDArray[] w) {
        return apply(in, z);
    }

    @Override
    public INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
        if (!needInputGradient) {
            return null;
        }
        if (gradIn == null) {
            gradIn = Nd4j.create(dtype, Blocks.stackedShape(1, n, inputShape));
        }
        return adjoint(gradOut, gradIn);
    }

    @Override
    public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient) {
        return needInputGradient ? adjoint(gradOut, rGradIn.get((int) (gradOut.size(0) / n))) : null;
    }

    @Override
    public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[][] v) {
        return rIn == null ? null : apply(rIn, rz.get(v.length));
    }

    @Override
    public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient) {
        return needInputGradient ? adjoint(rGradOut, rGradIn.get(v.length)) : null;
    }
}
