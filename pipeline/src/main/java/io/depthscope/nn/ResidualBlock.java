package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * h' = h + alpha * f(W h + b): a {@link Linear} and an activation composed with a skip connection. Its
 * derivatives are those of the two inner modules, scaled by alpha and added to the identity's.
 */
public final class ResidualBlock implements Layer {
    private final Linear linear;
    private final ElementwiseActivation activation;
    private final double alpha;

    public ResidualBlock(Linear linear, ElementwiseActivation activation, double alpha) {
        if (linear.inputDim() != linear.outputDim()) {
            throw new IllegalArgumentException("a residual block needs a square linear map, got "
                    + linear.outputDim() + "x" + linear.inputDim());
        }
        this.linear = linear;
        this.activation = activation;
        this.alpha = alpha;
    }

    public Linear linear() {
        return linear;
    }

    @Override
    public int inputDim() {
        return linear.inputDim();
    }

    @Override
    public int outputDim() {
        return linear.outputDim();
    }

    @Override
    public List<ParamShape> params() {
        return linear.params();
    }

    @Override
    public LayerPass bind(int batchSize, DataType dtype) {
        return new Pass(batchSize, dtype);
    }

    private final class Pass implements LayerPass {
        private final LayerPass lin;
        private final LayerPass act;
        private final INDArray out;
        private final INDArray scaled;
        private final INDArray scaledGrad;
        private final INDArray gradIn;
        private final INDArray rOut;
        private final INDArray rGradIn;
        private static final INDArray[] NONE = new INDArray[0];

        Pass(int n, DataType dtype) {
            int dim = linear.outputDim();
            lin = linear.bind(n, dtype);
            act = activation.bind(n, dtype);
            out = Nd4j.create(dtype, n, dim);
            scaled = alpha == 1.0 ? null : Nd4j.create(dtype, n, dim);
            // the activation keeps alpha * dLoss/dout for its lazy curvature term, so the backward pass
            // scales into a buffer of its own that the R-passes and Gv do not overwrite
            scaledGrad = alpha == 1.0 ? null : Nd4j.create(dtype, n, dim);
            gradIn = Nd4j.create(dtype, n, dim);
            rOut = Nd4j.create(dtype, n, dim);
            rGradIn = Nd4j.create(dtype, n, dim);
        }

        /** into = x + alpha * y */
        private INDArray skipAdd(INDArray x, INDArray y, INDArray into) {
            if (alpha == 1.0) {
                Nd4j.exec(new AddOp(x, y, into));
            } else {
                into.assign(y).muli(alpha).addi(x);
            }
            return into;
        }

        /** alpha * x into {@code into}, without a copy when alpha is 1. */
        private INDArray scale(INDArray x, INDArray into) {
            return alpha == 1.0 ? x : into.assign(x).muli(alpha);
        }

        @Override
        public java.util.List<LinearActivity> linearActivity() {
            return lin.linearActivity();
        }

        @Override
        public java.util.List<LinearActivity> pullbackActivity() {
            return lin.pullbackActivity();
        }

        @Override
        public INDArray forward(INDArray in, INDArray[] w) {
            INDArray t = act.forward(lin.forward(in, w), NONE);
            return skipAdd(in, t, out);
        }

        @Override
        public INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
            INDArray inner = act.backward(scale(gradOut, scaledGrad), NONE, NONE, true);
            INDArray gi = lin.backward(inner, w, g, true);
            Nd4j.exec(new AddOp(gradOut, gi, gradIn));
            return gradIn;
        }

        @Override
        public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
            INDArray inner = act.transposedJacobian(scale(gradOut, scaled), NONE, NONE, true);
            INDArray gi = lin.transposedJacobian(inner, w, g, true);
            Nd4j.exec(new AddOp(gradOut, gi, rGradIn));
            return rGradIn;
        }

        @Override
        public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[] v) {
            INDArray rt = act.rForward(lin.rForward(rIn, w, v), NONE, NONE);
            if (rIn == null) {
                return rt == null ? null : rOut.assign(rt).muli(alpha);
            }
            return skipAdd(rIn, rt, rOut);
        }

        @Override
        public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[] v, INDArray[] g, boolean needInputGradient) {
            INDArray inner = act.rBackward(scale(rGradOut, scaled), NONE, NONE, NONE, true);
            INDArray gi = lin.rBackward(inner, w, v, g, true);
            Nd4j.exec(new AddOp(rGradOut, gi, rGradIn));
            return rGradIn;
        }
    }
}
