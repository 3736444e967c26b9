package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * z = a W^T + b, with W stored [out, in] row-major as in PyTorch's {@code nn.Linear}; its parameters are
 * {@code <name>.weight} and {@code <name>.bias}.
 *
 * <p>R-operators for a direction (V, c): R{z} = R{a} W^T + a V^T + c; and, with dz = dLoss/dz,
 * R{dW} = R{dz}^T a + dz^T R{a}, R{db} = colsum R{dz}, R{da} = R{dz} W + dz V. Over a block of directions the
 * terms in W run as one product over the stacked rows, and those in V (or pairing R{a}, R{dz} with a, dz) as one
 * product over all directions ({@link LinearBlock}) when every direction moves the map, else once per direction.
 *
 * <p>Biases go through BLAS too: z = 1 b^T (a rank-1 product) then z += a W^T, and colsum dz = dz^T 1
 * (a matrix-vector product). ND4J's {@code addiRowVector} and {@code sum(dim 0)} take about twice as long
 * on a [256, 256] batch, and a Hessian-vector product does 18 of them in an 8-layer network.
 */
public final class Linear implements WeightLayer {
    private final String name;
    private final int index;
    private final int in;
    private final int out;
    private final boolean bias;

    /**
     * @param name its PyTorch module path, which names its parameters {@code name.weight} and {@code name.bias}
     * @param index its position among the network's weight-bearing modules (linear maps and convolutions),
     *     which keys its initialisation stream
     */
    public Linear(String name, int index, int in, int out, boolean bias) {
        this.name = name;
        this.index = index;
        this.in = in;
        this.out = out;
        this.bias = bias;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public boolean hasBias() {
        return bias;
    }

    @Override
    public long fanIn() {
        return in;
    }

    @Override
    public long fanOut() {
        return out;
    }

    @Override
    public long outputUnits() {
        return out;
    }

    public int inputDim() {
        return in;
    }

    public int outputDim() {
        return out;
    }

    @Override
    public long[] inputShape() {
        return new long[] {in};
    }

    @Override
    public long[] outputShape() {
        return new long[] {out};
    }

    @Override
    public List<ParamShape> params() {
        ParamShape weight = new ParamShape(weightName(), new long[] {out, in});
        return bias ? List.of(weight, new ParamShape(biasName(), new long[] {out})) : List.of(weight);
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        return bind(batchSize, dtype, mode, buffers, Scratch.shared(dtype));
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers, Scratch scratch) {
        return new Pass(batchSize, dtype, scratch.temporaries());
    }

    private final class Pass implements ModulePass {
        private final int n;
        private final INDArray z;
        private final INDArray gradIn;
        private final Blocks.Lazy rz;
        private final Blocks.Lazy rGradIn;
        private final INDArray ones;
        private final Scratch.Temporaries temps;
        private LinearBlock block;
        /** Whether the modules before and after this map take side-by-side blocks ({@link ModulePass#neighbours}). */
        private boolean before;
        private boolean after;
        private INDArray a;
        private INDArray dz;
        private INDArray pulledDz;
        private INDArray ra;

        Pass(int n, DataType dtype, Scratch.Temporaries temps) {
            this.n = n;
            this.temps = temps;
            z = Nd4j.create(dtype, n, out);
            gradIn = Nd4j.create(dtype, n, in);
            rz = new Blocks.Lazy(n, new long[] {out}, dtype);
            rGradIn = new Blocks.Lazy(n, new long[] {in}, dtype);
            ones = bias ? Nd4j.ones(dtype, n, 1) : null;
        }

        @Override
        public boolean takesSideBySide() {
            return true;
        }

        @Override
        public void neighbours(boolean before, boolean after) {
            this.before = before;
            this.after = after;
        }

        /** The products over a whole block of directions that all move this map's parameters. */
        private LinearBlock block() {
            if (block == null) {
                block = new LinearBlock(n, in, out, bias, temps);
            }
            return block;
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
            return java.util.List.of(new LinearActivity(Linear.this, a, dz));
        }

        @Override
        public java.util.List<LinearActivity> pullbackActivity() {
            return java.util.List.of(new LinearActivity(Linear.this, a, pulledDz));
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
            if (g != null) {
                parameterGradient(gradOut, g);
            }
            return needInputGradient ? Nd4j.gemm(gradOut, w[0], gradIn, false, false, 1.0, 0.0) : null;
        }

        private void parameterGradient(INDArray gradOut, INDArray[] g) {
            Nd4j.gemm(gradOut, a, g[0], true, false, 1.0, 0.0);
            if (bias) {
                columnSums(gradOut, g[1]);
            }
        }

        @Override
        public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient) {
            // kept by reference, like dz: the buffer belongs to the module above and stays put until its next pullback
            pulledDz = gradOut;
            if (g != null) {
                for (int j = 0; j < g.length; j++) {
                    parameterGradient(Blocks.rows(gradOut, j, n), g[j]);
                }
            }
            if (!needInputGradient) {
                return null;
            }
            int k = (int) (gradOut.size(0) / n);
            return Nd4j.gemm(gradOut, w[0], rGradIn.get(k), false, false, 1.0, 0.0);
        }

        @Override
        public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[][] v) {
            int k = v.length;
            ra = rIn;
            boolean fixed = Blocks.fixed(v);
            if (fixed && rIn == null) {
                return null;
            }
            INDArray r = rz.get(k);
            if (k > 1 && Blocks.moving(v)) {
                return block().rForward(a, rIn, w[0], v, r, after);
            }
            if (k > 1 && rIn != null && rIn.size(0) == n) {
                // side by side comes only from a block that moves every map's parameters, which never reaches here
                throw new IllegalStateException("a side-by-side block with directions that do not move " + name + "'s parameters");
            }
            for (int j = 0; j < k && !fixed; j++) {
                INDArray rj = Blocks.rows(r, j, n);
                if (v[j] == null) {
                    rj.assign(0); // the product with R{a} below accumulates into it
                    continue;
                }
                if (bias) {
                    broadcastBias(v[j][1], rj);
                }
                Nd4j.gemm(a, v[j][0], rj, false, true, 1.0, bias ? 1.0 : 0.0);
            }
            if (rIn != null) {
                Nd4j.gemm(rIn, w[0], r, false, true, 1.0, fixed ? 0.0 : 1.0);
            }
            return r;
        }

        @Override
        public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient) {
            int k = v.length;
            if (k > 1 && Blocks.moving(v)) {
                return block().rBackward(a, dz, rGradOut, ra, w[0], v, g, needInputGradient ? rGradIn.get(k) : null, before);
            }
            for (int j = 0; j < k; j++) {
                INDArray rdz = Blocks.rows(rGradOut, j, n);
                Nd4j.gemm(rdz, a, g[j][0], true, false, 1.0, 0.0);
                if (ra != null) {
                    Nd4j.gemm(dz, Blocks.rows(ra, j, n), g[j][0], true, false, 1.0, 1.0);
                }
                if (bias) {
                    columnSums(rdz, g[j][1]);
                }
            }
            if (!needInputGradient) {
                return null;
            }
            INDArray r = rGradIn.get(k);
            Nd4j.gemm(rGradOut, w[0], r, false, false, 1.0, 0.0);
            for (int j = 0; j < k; j++) {
                Nd4j.gemm(dz, v[j][0], Blocks.rows(r, j, n), false, false, 1.0, 1.0);
            }
            return r;
        }
    }
}
