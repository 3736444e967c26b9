package io.depthscope.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * out = post(shortcut(x) + alpha * main(x)): a residual block. {@code shortcut} is null for the identity and
 * {@code post} null for none. The fully connected {@code resmlp} block is main = (linear, activation), identity
 * shortcut, no post; He et al.'s CIFAR block is main = (conv, BN, relu, conv, BN), shortcut = identity or
 * option A or a 1x1 projection with BN, post = relu. The derivatives are those of the inner modules, the two
 * branches' input gradients added. The flat order is main's parameters, then the shortcut's, then post's, as
 * a PyTorch block registers them.
 */
public final class Residual implements Module {
    private final Module main;
    private final Module shortcut;
    private final double alpha;
    private final Module post;

    public Residual(Module main, Module shortcut, double alpha, Module post) {
        long[] branch = shortcut == null ? main.inputShape() : shortcut.outputShape();
        if (!Arrays.equals(main.outputShape(), branch)) {
            throw new IllegalArgumentException("a residual block's branches must agree: main gives " + Arrays.toString(main.outputShape())
                    + ", the shortcut " + Arrays.toString(branch));
        }
        if (shortcut != null && !Arrays.equals(shortcut.inputShape(), main.inputShape())) {
            throw new IllegalArgumentException("a residual block's shortcut expects " + Arrays.toString(shortcut.inputShape())
                    + " but the block's input is " + Arrays.toString(main.inputShape()));
        }
        if (post != null && !Arrays.equals(post.inputShape(), main.outputShape())) {
            throw new IllegalArgumentException("a residual block's post module expects " + Arrays.toString(post.inputShape())
                    + " but the sum is " + Arrays.toString(main.outputShape()));
        }
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("residual_scale: value " + alpha + " is not allowed; allowed: a finite number");
        }
        this.main = main;
        this.shortcut = shortcut;
        this.alpha = alpha;
        this.post = post;
    }

    public Module main() {
        return main;
    }

    @Override
    public long[] inputShape() {
        return main.inputShape();
    }

    @Override
    public long[] outputShape() {
        return main.outputShape();
    }

    @Override
    public List<Module> children() {
        List<Module> all = new ArrayList<>();
        all.add(main);
        if (shortcut != null) {
            all.add(shortcut);
        }
        if (post != null) {
            all.add(post);
        }
        return all;
    }

    @Override
    public List<ParamShape> params() {
        List<ParamShape> all = new ArrayList<>();
        for (Module m : children()) {
            all.addAll(m.params());
        }
        return all;
    }

    @Override
    public List<ParamShape> buffers() {
        List<ParamShape> all = new ArrayList<>();
        for (Module m : children()) {
            all.addAll(m.buffers());
        }
        return all;
    }

    @Override
    public boolean endsLayer() {
        return true;
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        return bind(batchSize, dtype, mode, buffers, Scratch.shared(dtype));
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers, Scratch scratch) {
        List<Module> parts = children();
        ModulePass[] passes = new ModulePass[parts.size()];
        int b = 0;
        for (int i = 0; i < passes.length; i++) {
            int count = parts.get(i).buffers().size();
            passes[i] = parts.get(i).bind(batchSize, dtype, mode, new BufferViews(Arrays.copyOfRange(buffers.views(), b, b + count)), scratch);
            b += count;
        }
        return new Pass(batchSize, dtype, passes);
    }

    private final class Pass implements ModulePass {
        private final int n;
        private final ModulePass mainPass;
        private final ModulePass shortcutPass;
        private final ModulePass postPass;
        private final int mainParams;
        private final int shortcutParams;
        private final INDArray out;
        private final INDArray scaledGrad;
        private final INDArray gradIn;
        private final Blocks.Lazy scaled;
        private final Blocks.Lazy rOut;
        private final Blocks.Lazy rGradIn;

        Pass(int n, DataType dtype, ModulePass[] passes) {
            this.n = n;
            mainPass = passes[0];
            shortcutPass = shortcut == null ? null : passes[1];
            postPass = post == null ? null : passes[passes.length - 1];
            mainParams = main.params().size();
            shortcutParams = shortcut == null ? 0 : shortcut.params().size();
            long[] shape = main.outputShape();
            out = Nd4j.create(dtype, Blocks.stackedShape(1, n, shape));
            // an activation in main keeps alpha * dLoss/dout for its lazy curvature term, so the backward pass
            // scales into a buffer of its own that the R-passes and Gv do not overwrite
            scaledGrad = alpha == 1.0 ? null : Nd4j.create(dtype, Blocks.stackedShape(1, n, shape));
            gradIn = Nd4j.create(dtype, Blocks.stackedShape(1, n, main.inputShape()));
            scaled = new Blocks.Lazy(n, shape, dtype);
            rOut = new Blocks.Lazy(n, shape, dtype);
            rGradIn = new Blocks.Lazy(n, main.inputShape(), dtype);
        }

        private INDArray[] part(INDArray[] views, int from, int count) {
            if (views == null) {
                return null;
            }
            return from == 0 && count == views.length ? views : Arrays.copyOfRange(views, from, from + count);
        }

        private INDArray[][] part(INDArray[][] block, int from, int count) {
            if (block == null) {
                return null;
            }
            INDArray[][] outBlock = new INDArray[block.length][];
            for (int j = 0; j < block.length; j++) {
                outBlock[j] = part(block[j], from, count);
            }
            return outBlock;
        }

        private int postFrom() {
            return mainParams + shortcutParams;
        }

        private int postCount(int total) {
            return total - postFrom();
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
        public INDArray forward(INDArray in, INDArray[] w) {
            INDArray t = mainPass.forward(in, part(w, 0, mainParams));
            INDArray s = shortcutPass == null ? in : shortcutPass.forward(in, part(w, mainParams, shortcutParams));
            INDArray sum = skipAdd(s, t, out);
            return postPass == null ? sum : postPass.forward(sum, part(w, postFrom(), postCount(w.length)));
        }

        @Override
        public INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
            INDArray d = postPass == null ? gradOut : postPass.backward(gradOut, part(w, postFrom(), postCount(w.length)),
                    part(g, postFrom(), postCount(w.length)), true);
            INDArray gm = mainPass.backward(scale(d, scaledGrad), part(w, 0, mainParams), part(g, 0, mainParams), true);
            INDArray gs = shortcutPass == null ? d
                    : shortcutPass.backward(d, part(w, mainParams, shortcutParams), part(g, mainParams, shortcutParams), true);
            Nd4j.exec(new AddOp(gs, gm, gradIn));
            return gradIn;
        }

        @Override
        public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient) {
            int k = (int) (gradOut.size(0) / n);
            INDArray d = postPass == null ? gradOut : postPass.transposedJacobian(gradOut, part(w, postFrom(), postCount(w.length)),
                    part(g, postFrom(), postCount(w.length)), true);
            INDArray gm = mainPass.transposedJacobian(scale(d, scaled.get(k)), part(w, 0, mainParams), part(g, 0, mainParams), true);
            INDArray gs = shortcutPass == null ? d
                    : shortcutPass.transposedJacobian(d, part(w, mainParams, shortcutParams), part(g, mainParams, shortcutParams), true);
            INDArray r = rGradIn.get(k);
            Nd4j.exec(new AddOp(gs, gm, r));
            return r;
        }

        @Override
        public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[][] v) {
            int k = v.length;
            INDArray rt = mainPass.rForward(rIn, part(w, 0, mainParams), part(v, 0, mainParams));
            INDArray rs = shortcutPass == null ? rIn
                    : shortcutPass.rForward(rIn, part(w, mainParams, shortcutParams), part(v, mainParams, shortcutParams));
            INDArray sum;
            if (rs == null) {
                sum = rt == null ? null : rOut.get(k).assign(rt).muli(alpha);
            } else if (rt == null) {
                sum = rOut.get(k).assign(rs);
            } else {
                sum = skipAdd(rs, rt, rOut.get(k));
            }
            return postPass == null ? sum : postPass.rForward(sum, part(w, postFrom(), postCount(w.length)),
                    part(v, postFrom(), postCount(w.length)));
        }

        @Override
        public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient) {
            int k = v.length;
            INDArray d = postPass == null ? rGradOut : postPass.rBackward(rGradOut, part(w, postFrom(), postCount(w.length)),
                    part(v, postFrom(), postCount(w.length)), part(g, postFrom(), postCount(w.length)), true);
            INDArray gm = mainPass.rBackward(scale(d, scaled.get(k)), part(w, 0, mainParams), part(v, 0, mainParams),
                    part(g, 0, mainParams), true);
            INDArray gs = shortcutPass == null ? d : shortcutPass.rBackward(d, part(w, mainParams, shortcutParams),
                    part(v, mainParams, shortcutParams), part(g, mainParams, shortcutParams), true);
            INDArray r = rGradIn.get(k);
            Nd4j.exec(new AddOp(gs, gm, r));
            return r;
        }

        @Override
        public void updateRunningStatistics() {
            mainPass.updateRunningStatistics();
            if (shortcutPass != null) {
                shortcutPass.updateRunningStatistics();
            }
            if (postPass != null) {
                postPass.updateRunningStatistics();
            }
        }

        /** post's activation (after the add), else the main branch's: the shortcut is an identity or a projection. */
        @Override
        public INDArray activationOutput() {
            INDArray a = postPass == null ? null : postPass.activationOutput();
            return a != null ? a : mainPass.activationOutput();
        }

        @Override
        public List<LinearActivity> linearActivity() {
            List<LinearActivity> all = new ArrayList<>(mainPass.linearActivity());
            if (shortcutPass != null) {
                all.addAll(shortcutPass.linearActivity());
            }
            return all;
        }

        @Override
        public List<LinearActivity> pullbackActivity() {
            List<LinearActivity> all = new ArrayList<>(mainPass.pullbackActivity());
            if (shortcutPass != null) {
                all.addAll(shortcutPass.pullbackActivity());
            }
            return all;
        }
    }
}
