package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.shape.Shape;
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

    /** How many stacks' row views a pass keeps. */
    private static final int VIEWS = 16;

    private final class Pass implements ModulePass {
        @Override
        public boolean takesSideBySide() {
            return shape.length == 1;
        }

        @Override
        public boolean keepsLayout() {
            return true;
        }

        private final int n;
        private final INDArray a;
        private final INDArray d1;
        private final INDArray d2;
        private final INDArray gradD2;
        private final INDArray gradIn;
        private final Blocks.Lazy ra;
        private final Blocks.Lazy rGradIn;
        private final INDArray scratch;
        private final Blocks.Lazy scratchBlock;
        /** d1 and gradD2 flat, for the broadcasts over a block's rows; made once, as ND4J's views cost about 20 us each. */
        private final INDArray d1Flat;
        private final INDArray gradD2Flat;
        /**
         * The [k, n * size] views of the stacks this pass has been handed (the neighbours' R-buffers, the same arrays call
         * after call), by identity; a handful at most, so it is emptied rather than ever grown past {@link #VIEWS}.
         */
        private final java.util.IdentityHashMap<INDArray, INDArray> rowViews = new java.util.IdentityHashMap<>();
        /**
         * f'(z) and da f''(z) repeated for each of k directions side by side, [n, k size], made from the current passes
         * when a side-by-side block first needs them (null until then and after every forward or backward pass).
         */
        private INDArray d1Tile;
        private INDArray gradD2Tile;
        /** The [n, k size] views of the stacked buffers this pass writes side by side, by identity, as {@link #rowViews}. */
        private final java.util.IdentityHashMap<INDArray, INDArray> sideViews = new java.util.IdentityHashMap<>();
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
            scratchBlock = new Blocks.Lazy(n, shape, dtype);
            d1Flat = d1.reshape(d1.length());
            gradD2Flat = gradD2 == null ? null : gradD2.reshape(gradD2.length());
        }

        @Override
        public INDArray activationOutput() {
            return a;
        }

        @Override
        public INDArray forward(INDArray in, INDArray[] w) {
            z = in;
            curvatureReady = false;
            d1Tile = null;
            gradD2Tile = null;
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
            gradD2Tile = null;
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

        /**
         * out = x * d1 over a stack of blocks: one broadcast pass over all k directions where x is a contiguous stack (an
         * ND4J call costs about as much as a pass over one direction's [n, width] at bench's sizes), else direction by direction.
         */
        private INDArray timesDerivative(INDArray x, INDArray out) {
            int k = directions(x);
            if (k > 1 && sideBySide(x)) {
                INDArray o = sideView(out, k);
                Nd4j.exec(new MulOp(x, d1Tile(k), o));
                return o;
            }
            if (k > 1 && stacked(x)) {
                Nd4j.exec(new BroadcastMulOp(perDirection(x, k), d1Flat, perDirection(out, k), 1));
                return out;
            }
            for (int j = 0; j < k; j++) {
                Nd4j.exec(new MulOp(Blocks.rows(x, j, n), d1, Blocks.rows(out, j, n)));
            }
            return out;
        }

        /** How many directions a block holds, in either layout. */
        private int directions(INDArray x) {
            return (int) (x.length() / d1.length());
        }

        /** Whether a block of k > 1 directions comes side by side, [n, k size] (see {@link ModulePass}). */
        private boolean sideBySide(INDArray x) {
            return x.rank() == 2 && x.size(0) == n && x.length() > d1.length();
        }

        /** The memory of a stacked [k n, size] buffer seen as side by side [n, k size]; made once per buffer. */
        private INDArray sideView(INDArray stacked, int k) {
            return kept(sideViews, stacked, s -> s.reshape('c', n, s.length() / n));
        }

        private INDArray d1Tile(int k) {
            return d1Tile = tiled(d1Tile, d1, k);
        }

        private INDArray gradD2Tile(int k) {
            return gradD2Tile = tiled(gradD2Tile, gradD2, k);
        }

        /** x [n, size] repeated for k directions side by side, [n, k size]: {@code kept} if it already is that, else made anew. */
        private INDArray tiled(INDArray kept, INDArray x, int k) {
            if (kept != null && kept.length() == k * x.length()) {
                return kept;
            }
            INDArray t = Nd4j.create(x.dataType(), n, k * (x.length() / n));
            for (int j = 0; j < k; j++) {
                Blocks.columns(t, j, k).assign(x.reshape('c', n, x.length() / n));
            }
            return t;
        }

        /** Whether a stack is one contiguous 'c'-order buffer, so that it is also a [k, n * size] matrix without a copy. */
        private boolean stacked(INDArray x) {
            return x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x);
        }

        /** A contiguous stack of k directions as a [k, n * size] matrix, one row per direction, on the same buffer. */
        private INDArray perDirection(INDArray x, int k) {
            return kept(rowViews, x, s -> s.reshape('c', k, s.length() / k));
        }

        /** The view {@code make} makes of x, kept by x's identity; the map is emptied rather than grown past {@link #VIEWS}. */
        private INDArray kept(java.util.IdentityHashMap<INDArray, INDArray> views, INDArray x, java.util.function.UnaryOperator<INDArray> make) {
            INDArray view = views.get(x);
            if (view == null) {
                if (views.size() >= VIEWS) {
                    views.clear();
                }
                view = make.apply(x);
                views.put(x, view);
            }
            return view;
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
                int k = v.length;
                if (k > 1 && sideBySide(out) != sideBySide(rz)) {
                    // the point gives this pass side by side only between two modules that take it, and both take it in
                    // the same calls (a block that moves every parameter), so R{z} and R{da} always agree
                    throw new IllegalStateException("R{z} and R{da} in different layouts: shapes " + java.util.Arrays.toString(rz.shape())
                            + " and " + java.util.Arrays.toString(rGradOut.shape()));
                }
                if (k > 1 && sideBySide(out)) {
                    INDArray curvature = sideView(scratchBlock.get(k), k);
                    Nd4j.exec(new MulOp(rz, gradD2Tile(k), curvature));
                    out.addi(curvature);
                    return out;
                }
                if (k > 1 && stacked(rz)) {
                    // all k directions in two passes: rz_j * gradD2 for every j, then added
                    INDArray curvature = scratchBlock.get(k);
                    Nd4j.exec(new BroadcastMulOp(perDirection(rz, k), gradD2Flat, perDirection(curvature, k), 1));
                    out.addi(curvature);
                    return out;
                }
                for (int j = 0; j < k; j++) {
                    Nd4j.exec(new MulOp(gradD2, Blocks.rows(rz, j, n), scratch));
                    Blocks.rows(out, j, n).addi(scratch);
                }
            }
            return out;
        }
    }
}
