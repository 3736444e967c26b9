package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * a = f(z) applied elementwise. A subclass supplies only f, f' and f''; the passes follow from them:
 * dz = da * f'(z); R{a} = f'(z) * R{z}; R{dz} = R{da} * f'(z) + da * f''(z) * R{z}.
 */
public abstract class ElementwiseActivation implements Module {
    private final long[] shape;

    protected ElementwiseActivation(long[] shape) {
        this.shape = shape.clone();
    }

    /** The name used in configs and results, e.g. {@code tanh}. */
    public abstract String name();

    /** a = f(z), written into {@code a}. */
    protected abstract void value(INDArray z, INDArray a);

    /** f'(z) into {@code d1}; {@code a} = f(z) is given because many derivatives are cheapest from it. */
    protected abstract void firstDerivative(INDArray z, INDArray a, INDArray d1);

    /** f''(z) into {@code d2}; never called when {@link #hasCurvature()} is false. */
    protected abstract void secondDerivative(INDArray z, INDArray a, INDArray d1, INDArray d2);

    /**
     * a = f(z) and f'(z) evaluated outside any pass, e.g. at one input for an input-output Jacobian
     * (diagnostics, which need the exact derivative the backward pass uses rather than a finite
     * difference). {@code a} and {@code d1} are caller-owned buffers of z's shape; either may be null.
     */
    public void evaluate(INDArray z, INDArray a, INDArray d1) {
        INDArray value = a != null ? a : z.ulike();
        value(z, value);
        if (d1 != null) {
            firstDerivative(z, value, d1);
        }
    }

    /** False for piecewise-linear f (f'' = 0 almost everywhere), which skips the second-order term. */
    protected boolean hasCurvature() {
        return true;
    }

    @Override
    public long[] inputShape() {
        return shape.clone();
    }

    @Override
    public long[] outputShape() {
        return shape.clone();
    }

    @Override
    public List<ParamShape> params() {
        return List.of();
    }

    @Override
    public boolean endsLayer() {
        return true;
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        return new Pass(batchSize, dtype);
    }

    private final class Pass implements ModulePass {
        private final int n;
        private final INDArray a;
        private final INDArray d1;
        private final INDArray d2;
        private final INDArray gradD2;
        private final INDArray gradIn;
        private final Blocks.Lazy ra;
        private final Blocks.Lazy rGradIn;
        private final INDArray scratch;
        private INDArray z;
        private INDArray gradOut;
        private INDArray rz;
        /** Whether d2 and gradD2 belong to the current forward and backward passes. */
        private boolean curvatureReady;

        Pass(int n, DataType dtype) {
            this.n = n;
            long[] full = Blocks.stackedShape(1, n, shape);
            a = Nd4j.create(dtype, full);
            d1 = Nd4j.create(dtype, full);
            d2 = hasCurvature() ? Nd4j.create(dtype, full) : null;
            gradD2 = hasCurvature() ? Nd4j.create(dtype, full) : null;
            gradIn = Nd4j.create(dtype, full);
            ra = new Blocks.Lazy(n, shape, dtype);
            rGradIn = new Blocks.Lazy(n, shape, dtype);
            scratch = hasCurvature() ? Nd4j.create(dtype, full) : null;
        }

        @Override
        public INDArray activationOutput() {
            return a;
        }

        @Override
        public INDArray forward(INDArray in, INDArray[] w) {
            z = in;
            curvatureReady = false;
            value(in, a);
            firstDerivative(in, a, d1);
            return a;
        }

        @Override
        public INDArray backward(INDArray out, INDArray[] w, INDArray[] g, boolean needInputGradient) {
            // kept by reference, as Linear keeps dz: the buffer is the next layer's and stays put until
            // its next backward pass
            gradOut = out;
            curvatureReady = false;
            Nd4j.exec(new MulOp(out, d1, gradIn));
            return gradIn;
        }

        /**
         * da * f''(z), the same for every Hessian-vector product at this point: computed once, by the first
         * one, rather than in every forward and backward pass, which training repeats without any Hv.
         */
        private void prepareCurvature() {
            if (!curvatureReady) {
                secondDerivative(z, a, d1, d2);
                Nd4j.exec(new MulOp(gradOut, d2, gradD2));
                curvatureReady = true;
            }
        }

        /** out = x * d1 over a stack of blocks, direction by direction. */
        private INDArray timesDerivative(INDArray x, INDArray out) {
            int k = (int) (x.size(0) / n);
            for (int j = 0; j < k; j++) {
                Nd4j.exec(new MulOp(Blocks.rows(x, j, n), d1, Blocks.rows(out, j, n)));
            }
            return out;
        }

        @Override
        public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient) {
            return timesDerivative(gradOut, rGradIn.get((int) (gradOut.size(0) / n)));
        }

        @Override
        public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[][] v) {
            rz = rIn;
            if (rIn == null) {
                return null;
            }
            return timesDerivative(rIn, ra.get(v.length));
        }

        @Override
        public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient) {
            INDArray out = timesDerivative(rGradOut, rGradIn.get(v.length));
            if (gradD2 != null && rz != null) {
                prepareCurvature();
                for (int j = 0; j < v.length; j++) {
                    Nd4j.exec(new MulOp(gradD2, Blocks.rows(rz, j, n), scratch));
                    Blocks.rows(out, j, n).addi(scratch);
                }
            }
            return out;
        }
    }
}
