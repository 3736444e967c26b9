package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * z = a W^T + b, with W stored [out, in] row-major as in PyTorch's {@code nn.Linear}.
 *
 * <p>R-operators for a direction (V, c): R{z} = R{a} W^T + a V^T + c; and, with dz = dLoss/dz,
 * R{dW} = R{dz}^T a + dz^T R{a}, R{db} = colsum R{dz}, R{da} = R{dz} W + dz V.
 *
 * <p>Biases go through BLAS too: z = 1 b^T (a rank-1 product) then z += a W^T, and colsum dz = dz^T 1
 * (a matrix-vector product). ND4J's {@code addiRowVector} and {@code sum(dim 0)} take about twice as long
 * on a [256, 256] batch, and a Hessian-vector product does 18 of them in an 8-layer network.
 */
public final class Linear implements Layer {
    private final int index;
    private final int in;
    private final int out;
    private final boolean bias;

    /** @param index the linear map's index in the network, which names its parameters {@code layers.index.*} */
    public Linear(int index, int in, int out, boolean bias) {
        this.index = index;
        this.in = in;
        this.out = out;
        this.bias = bias;
    }

    public int index() {
        return index;
    }

    public boolean hasBias() {
        return bias;
    }

    @Override
    public int inputDim() {
        return in;
    }

    @Override
    public int outputDim() {
        return out;
    }

    @Override
    public List<ParamShape> params() {
        ParamShape weight = new ParamShape("layers." + index + ".weight", new long[] {out, in});
        return bias ? List.of(weight, new ParamShape("layers." + index + ".bias", new long[] {out})) : List.of(weight);
    }

    @Override
    public LayerPass bind(int batchSize, DataType dtype) {
        return new Pass(batchSize, dtype);
    }

    private final class Pass implements LayerPass {
        private final INDArray z;
        private final INDArray gradIn;
        private final INDArray rz;
        private final INDArray rGradIn;
        private final INDArray ones;
        private INDArray a;
        private INDArray dz;
        private INDArray pulledDz;
        private INDArray ra;

        Pass(int n, DataType dtype) {
            z = Nd4j.create(dtype, n, out);
            gradIn = Nd4j.create(dtype, n, in);
            rz = Nd4j.create(dtype, n, out);
            rGradIn = Nd4j.create(dtype, n, in);
            ones = bias ? Nd4j.ones(dtype, n, 1) : null;
        }

        /** into = 1 b^T: every row the bias; the matrix product after it accumulates with beta = 1. */
        private void broadcastBias(INDArray b, INDArray into) {
            Nd4j.gemm(ones, b.reshape('c', 1, out), into, false, false, 1.0, 0.0);
        }

        /** into = colsum(m) = m^T 1, for a bias gradient. */
        private void columnSums(INDArray m, INDArray into) {
            Nd4j.gemm(m, ones, into.reshape('c', out, 1), true, false, 1.0, 0.0);
        }

        @Override
        public java.util.List<LinearActivity> linearActivity() {
            return java.util.List.of(new LinearActivity(index, a, dz));
        }

        @Override
        public java.util.List<LinearActivity> pullbackActivity() {
            return java.util.List.of(new LinearActivity(index, a, pulledDz));
        }

        @Override
        public INDArray forward(INDArray input, INDArray[] w) {
            a = input;
            if (bias) {
                broadcastBias(w[1], z);
            }
            Nd4j.gemm(input, w[0], z, false, true, 1.0, bias ? 1.0 : 0.0);
            return z;
        }

        @Override
        public INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
            dz = gradOut;
            return pullBack(gradOut, w, g, needInputGradient, gradIn);
        }

        @Override
        public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
            // kept by reference, like dz: the buffer belongs to the layer above and stays put until its next pullback
            pulledDz = gradOut;
            return pullBack(gradOut, w, g, needInputGradient, rGradIn);
        }

        private INDArray pullBack(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient, INDArray into) {
            if (g != null) {
                Nd4j.gemm(gradOut, a, g[0], true, false, 1.0, 0.0);
                if (bias) {
                    columnSums(gradOut, g[1]);
                }
            }
            if (!needInputGradient) {
                return null;
            }
            return Nd4j.gemm(gradOut, w[0], into, false, false, 1.0, 0.0);
        }

        @Override
        public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[] v) {
            ra = rIn;
            if (bias) {
                broadcastBias(v[1], rz);
            }
            Nd4j.gemm(a, v[0], rz, false, true, 1.0, bias ? 1.0 : 0.0);
            if (rIn != null) {
                Nd4j.gemm(rIn, w[0], rz, false, true, 1.0, 1.0);
            }
            return rz;
        }

        @Override
        public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[] v, INDArray[] g, boolean needInputGradient) {
            Nd4j.gemm(rGradOut, a, g[0], true, false, 1.0, 0.0);
            if (ra != null) {
                Nd4j.gemm(dz, ra, g[0], true, false, 1.0, 1.0);
            }
            if (bias) {
                columnSums(rGradOut, g[1]);
            }
            if (!needInputGradient) {
                return null;
            }
            Nd4j.gemm(rGradOut, w[0], rGradIn, false, false, 1.0, 0.0);
            return Nd4j.gemm(dz, v[0], rGradIn, false, false, 1.0, 1.0);
        }
    }
}
