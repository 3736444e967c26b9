package io.depthscope.nn;

import io.depthscope.nn.Loss.LossPass;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The loss landscape of a network at parameters theta on one fixed batch. The forward and backward
 * passes run once, here; every Hessian-vector product afterwards costs only a forward and a backward
 * R-pass (about twice a gradient's matrix products), which is what Hutchinson and Lanczos need.
 *
 * <p>A point owns its buffers and is not thread-safe: use one per thread.
 */
public final class Point implements Landscape {
    private final Network network;
    private final Batch batch;
    private final DataType dtype;
    private final Mode mode;
    private final INDArray buffers;
    private final ModulePass[] passes;
    private final LossPass lossPass;
    private final INDArray gradient;
    private final INDArray[][] gradientViews;
    private final INDArray[] hidden;
    private final INDArray[] deltas;
    private INDArray theta;
    private INDArray[][] weights;
    private INDArray outputs;
    private INDArray rLossBlock;
    /** Views of the directions and results handed to the products, and of the parameters handed to moveTo. */
    private final ViewCache<INDArray[][][]> productViews = new ViewCache<>();
    private final ViewCache<INDArray[][]> thetaViews = new ViewCache<>();
    private double loss;
    private long loads;

    Point(Network network, Batch batch, INDArray theta, INDArray buffers, Mode mode) {
        this(network, batch, theta, buffers, mode, false);
    }

    /**
     * With {@code separateScratch}, every module's working memory is its own instead of one {@link Scratch} for the
     * point: the reference that sharing must match bit for bit ({@link Bindings#fresh}).
     */
    Point(Network network, Batch batch, INDArray theta, INDArray buffers, Mode mode, boolean separateScratch) {
        this.network = network;
        this.mode = mode;
        this.dtype = theta.dataType();
        if (dtype != DataType.DOUBLE && dtype != DataType.FLOAT) {
            throw new IllegalArgumentException("dtype: " + dtype + " is not supported; allowed: float64, float32");
        }
        long[] inShape = network.inputShape();
        long inputDim = Module.size(inShape);
        if (batch.inputDim() != inputDim) {
            throw new IllegalArgumentException("x: " + batch.inputDim() + " features per example, but the network's input is "
                    + java.util.Arrays.toString(inShape) + "; allowed: x of shape [N, " + inputDim + "] or [N, "
                    + java.util.Arrays.stream(inShape).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(", ")) + "]");
        }
        long outputDim = Module.size(network.outputShape());
        if (batch.targetDim() != outputDim) {
            throw new IllegalArgumentException("targets: " + batch.targetDim() + " columns, but the network's output_dim is "
                    + outputDim + "; allowed: targets of shape [N, " + outputDim + "]");
        }
        ParamLayout bufferLayout = network.bufferLayout();
        if (bufferLayout.size() > 0) {
            if (buffers == null || buffers.rank() != 1 || buffers.length() != bufferLayout.size() || buffers.dataType() != dtype) {
                throw new IllegalArgumentException("buffers: " + (buffers == null ? "none" : java.util.Arrays.toString(buffers.shape())
                        + " " + buffers.dataType()) + " given; allowed: a flat " + dtype + " vector of " + bufferLayout.size() + " buffer values");
            }
        }
        this.buffers = bufferLayout.size() > 0 ? buffers : null;
        this.batch = batch.as(dtype).shaped(inShape);
        List<Module> layers = network.layers();
        int n = batch.size();
        INDArray[][] bufferViews = this.buffers == null ? null : bufferLayout.layerViews(this.buffers);
        passes = new ModulePass[layers.size()];
        Scratch scratch = separateScratch ? Scratch.separate(dtype) : Scratch.shared(dtype);
        for (int l = 0; l < passes.length; l++) {
            BufferViews views = bufferViews == null ? BufferViews.NONE : new BufferViews(bufferViews[l]);
            passes[l] = layers.get(l).bind(n, dtype, mode, views, scratch);
        }
        boolean[] side = sideBySide(passes);
        for (int l = 0; l < passes.length; l++) {
            passes[l].neighbours(l > 0 && side[l - 1], l + 1 == passes.length || side[l + 1]);
        }
        lossPass = network.loss().bind(this.batch.targets());
        hidden = new INDArray[passes.length];
        deltas = new INDArray[passes.length];
        gradient = Nd4j.create(dtype, network.paramCount());
        gradientViews = network.layout().layerViews(gradient);
        moveTo(theta);
    }

    /**
     * Which passes may be handed side-by-side blocks ({@link ModulePass}): those that take them, except a pass that keeps
     * the layout it is handed unless the modules on both sides of it take them too (the loss takes them after the last).
     */
    private static boolean[] sideBySide(ModulePass[] passes) {
        boolean[] side = new boolean[passes.length];
        for (int l = 0; l < passes.length; l++) {
            side[l] = passes[l].takesSideBySide();
        }
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int l = 0; l < passes.length; l++) {
                boolean neighboursTake = l > 0 && side[l - 1] && (l + 1 == passes.length || side[l + 1]);
                if (side[l] && passes[l].keepsLayout() && !neighboursTake) {
                    side[l] = false;
                    changed = true;
                }
            }
        }
        return side;
    }

    /**
     * Re-evaluates loss and gradient at new parameters on the same batch, reusing every buffer: a
     * training step costs one forward and one backward pass and no allocation of activations.
     * Earlier results (gradient, outputs) are overwritten.
     */
    public Point moveTo(INDArray newTheta) {
        if (newTheta.dataType() != dtype) {
            throw new IllegalArgumentException("theta: dtype " + newTheta.dataType() + " differs from this point's " + dtype);
        }
        theta = newTheta;
        loads++;
        weights = thetaViews.get(newTheta, network.layout()::layerViews);
        INDArray a = batch.x();
        for (int l = 0; l < passes.length; l++) {
            a = passes[l].forward(a, weights[l]);
            hidden[l] = a;
        }
        outputs = a;
        loss = lossPass.forward(outputs);
        INDArray delta = lossPass.gradient();
        for (int l = passes.length - 1; l >= 0; l--) {
            deltas[l] = delta;
            delta = passes[l].backward(delta, weights[l], gradientViews[l], l > 0);
        }
        return this;
    }

    /**
     * Moves to another batch of the same size and to {@code newTheta}, reusing every buffer: the new
     * examples are copied into this point's own input and target arrays (it was built from a batch it
     * may overwrite, e.g. a fresh gather of rows). Used for minibatches and chunked evaluation.
     */
    public Point load(Batch next, INDArray newTheta) {
        if (next.size() != batch.size() || next.inputDim() != batch.inputDim() || next.targetDim() != batch.targetDim()) {
            throw new IllegalArgumentException("batch: shape " + next.size() + "x" + next.inputDim() + " does not match this point's "
                    + batch.size() + "x" + batch.inputDim() + "; allowed: a batch of the same shape");
        }
        batch.x().assign(next.x().reshape(batch.x().shape()));
        batch.targets().assign(next.targets());
        return moveTo(newTheta);
    }

    public Network network() {
        return network;
    }

    /**
     * How many times this point has been evaluated ({@link #moveTo}, {@link #load}): a borrower of a shared point
     * ({@link Bindings}) that saw another count since its own load knows the point holds someone else's batch.
     */
    public long loads() {
        return loads;
    }

    public Batch batch() {
        return batch;
    }

    @Override
    public int batchSize() {
        return batch.size();
    }

    public INDArray theta() {
        return theta;
    }

    public DataType dtype() {
        return dtype;
    }

    public Mode mode() {
        return mode;
    }

    /** The flat buffer vector this point reads (eval mode) and updates when asked; null when the network has none. */
    public INDArray buffers() {
        return buffers;
    }

    /**
     * Folds the batch statistics of this point's train-mode forward into its buffers, as one PyTorch training
     * forward does (momentum 0.1, unbiased variance). A training step calls it once; Hessian work never does.
     */
    public void updateRunningStatistics() {
        if (mode != Mode.TRAIN) {
            throw new IllegalStateException("running statistics are updated by train-mode forwards only; this point is in " + mode.label() + " mode");
        }
        for (ModulePass p : passes) {
            p.updateRunningStatistics();
        }
    }

    public long paramCount() {
        return network.paramCount();
    }

    /** The mean loss over the batch. */
    public double loss() {
        return loss;
    }

    /** The output of layer module {@code l} (see {@link Network#layers()}); owned by the point. */
    public INDArray layerOutput(int l) {
        return hidden[l];
    }

    /**
     * The output of the last elementwise activation that layer module {@code l} applied (the module itself, or the one
     * inside a residual block), or null when it applies none ({@link ModulePass#activationOutput}); owned by the point.
     */
    public INDArray layerActivation(int l) {
        return passes[l].activationOutput();
    }

    /**
     * The forward R-pass with the input as the direction and the parameters fixed. For k input directions stacked as
     * {@code directions} [k N, ...] (direction j's rows j N .. (j+1) N - 1, one per example, as {@link Blocks} stacks
     * them; each row of d features or of the input's shape), returns R{out_l} = (d out_l / dx) R{x} of every layer
     * module l of {@link Network#layers()}, [k N, ...] each, at this point's forward state: with one example and the
     * identity's rows as directions, out_l's input Jacobian, column by column. The arrays are owned by the passes and
     * valid until this point's next R-pass (this, Hv or Gv). In train mode a BatchNorm output depends on every example
     * of the batch, and the result is the derivative of that map; a per-example Jacobian wants eval mode.
     */
    public List<INDArray> inputTangents(INDArray directions) {
        long n = batch.size();
        long inputDim = batch.inputDim();
        if (directions.rank() < 2 || directions.size(0) % n != 0 || directions.size(0) == 0 || directions.length() / directions.size(0) != inputDim) {
            throw new IllegalArgumentException("directions: shape " + java.util.Arrays.toString(directions.shape())
                    + " does not match the input; allowed: [k N, ...] with k >= 1, N = " + n + " and " + inputDim + " features per row");
        }
        if (directions.dataType() != dtype) {
            throw new IllegalArgumentException("directions: dtype " + directions.dataType() + " differs from this point's " + dtype);
        }
        int k = (int) (directions.size(0) / n);
        INDArray r = directions.reshape('c', Blocks.stackedShape(k, n, network.inputShape()));
        INDArray[][] fixed = new INDArray[k][];
        List<INDArray> out = new java.util.ArrayList<>();
        for (int l = 0; l < passes.length; l++) {
            r = passes[l].rForward(r, weights[l], fixed);
            out.add(r);
        }
        return out;
    }

    /** dLoss/d(output of layer module l) [N, width] from the backward pass; owned by the point. */
    public INDArray layerOutputGradient(int l) {
        return deltas[l];
    }

    /**
     * The hidden representations h_1..h_L [N, ...] (after the activation, or after the residual block), the outputs
     * of the modules of {@link Network#hiddenLayers()}.
     */
    public java.util.List<INDArray> hiddenRepresentations() {
        return ofHiddenLayers(hidden);
    }

    /** dLoss/dh_l for the hidden representations of {@link #hiddenRepresentations()}, in the same order. */
    public java.util.List<INDArray> hiddenGradients() {
        return ofHiddenLayers(deltas);
    }

    /** The entries of a per-module array that belong to hidden layers ({@link Network#hiddenLayers()}). */
    private java.util.List<INDArray> ofHiddenLayers(INDArray[] perModule) {
        java.util.List<INDArray> out = new java.util.ArrayList<>();
        for (int l : network.hiddenLayers()) {
            out.add(perModule[l]);
        }
        return out;
    }

    /** Each linear map's input and dLoss/dz from this point's passes, in map order 0..L. */
    public java.util.List<LinearActivity> linearActivity() {
        java.util.List<LinearActivity> out = new java.util.ArrayList<>();
        for (ModulePass p : passes) {
            out.addAll(p.linearActivity());
        }
        return out;
    }

    /**
     * Pulls {@code gradOutputs} u [N, k] back through the network with the cached forward state (J^T u,
     * no loss, no second-order term) and returns each linear map's input and the pulled-back dz [N, out]
     * of this pullback, in map order 0..L. Since examples do not interact, row n of map i's dz is
     * d(u_n . f(x_n))/dz_n: with u = e_c in every row it is example n's own df_c/dz, which is what an NTK
     * Gram needs. The arrays are owned by the point and valid until the next pullback, Gv or Hv; the
     * caches of the backward pass ({@link #linearActivity()}, the gradient) are left intact.
     */
    public java.util.List<LinearActivity> pullback(INDArray gradOutputs) {
        if (gradOutputs.rank() != 2 || gradOutputs.rows() != batch.size() || gradOutputs.columns() != outputs.columns()) {
            throw new IllegalArgumentException("gradOutputs: shape " + java.util.Arrays.toString(gradOutputs.shape())
                    + " does not match the outputs; allowed: [" + batch.size() + ", " + outputs.columns() + "]");
        }
        INDArray u = gradOutputs.dataType() == dtype ? gradOutputs : gradOutputs.castTo(dtype);
        if (network.couplesExamples(mode)) {
            throw new IllegalStateException("per-example pullbacks are undefined in " + mode.label()
                    + " mode: a module couples the examples of the batch (BatchNorm); allowed: eval mode or a network without BatchNorm");
        }
        for (int l = passes.length - 1; l >= 0; l--) {
            u = passes[l].transposedJacobian(u, weights[l], null, l > 0);
        }
        java.util.List<LinearActivity> out = new java.util.ArrayList<>();
        for (ModulePass p : passes) {
            out.addAll(p.pullbackActivity());
        }
        return out;
    }

    /** The network's outputs f(x) [N, k]; owned by the point. */
    public INDArray outputs() {
        return outputs;
    }

    /** dLoss/dtheta as a flat vector; owned by the point, do not modify. */
    public INDArray gradient() {
        return gradient;
    }

    /** ||dLoss/dtheta||_2. */
    public double gradientNorm() {
        return gradient.norm2Number().doubleValue();
    }

    /**
     * Frobenius norm of dLoss/dW for each weight layer of {@link Network#weightLayers()} (every linear map and
     * convolution, weights only, not biases); for mlp and resmlp, map i = 0..L.
     */
    public double[] layerGradientNorms() {
        return network.layerGradientNorms(gradient);
    }

    /** The exact Hessian-vector product Hv, by Pearlmutter's R-operator. */
    public INDArray hvp(INDArray v) {
        INDArray out = Nd4j.create(dtype, paramCount());
        hvp(v, out);
        return out;
    }

    /** Hv written into {@code out} (a flat vector of this point's dtype). */
    public void hvp(INDArray v, INDArray out) {
        ParamLayout layout = network.layout();
        hvp(productViews.get(matching(v, "v"), layout::singleViews), productViews.get(out, layout::singleViews), 1);
    }

    /**
     * H V for a block of k directions, the rows of {@code v} [k, P], written into the rows of {@code out} [k, P]:
     * one forward and one backward R-pass carry all k, so the products with each module's weights run over k N
     * rows at once.
     */
    public void hvpBlock(INDArray v, INDArray out) {
        ParamLayout layout = network.layout();
        hvp(productViews.get(matchingBlock(v, "v"), layout::blockViews), productViews.get(matchingBlock(out, "out"), layout::blockViews),
                (int) v.rows());
    }

    private void hvp(INDArray[][][] dir, INDArray[][][] o, int k) {
        INDArray r = null;
        for (int l = 0; l < passes.length; l++) {
            r = passes[l].rForward(r, weights[l], dir[l]);
        }
        INDArray rDelta = lossRGradient(r, k);
        for (int l = passes.length - 1; l >= 0; l--) {
            rDelta = passes[l].rBackward(rDelta, weights[l], dir[l], o[l], l > 0);
        }
    }

    /** (d^2 Loss/df^2) R{f} for each of the k stacked directions. */
    private INDArray lossRGradient(INDArray r, int k) {
        if (r == null) {
            throw new IllegalStateException("the network's output does not depend on its parameters");
        }
        if (k == 1) {
            return lossPass.rGradient(r);
        }
        if (rLossBlock == null || !java.util.Arrays.equals(rLossBlock.shape(), r.shape())) {
            rLossBlock = Nd4j.create(dtype, r.shape());
        }
        // the last module gives its block side by side, [N, k outputs], when it can
        lossPass.rGradientBlock(r, k, r.size(0) == batch.size(), rLossBlock);
        return rLossBlock;
    }

    /** The Gauss-Newton product Gv = J^T (d^2 Loss/df^2) J v: the Hessian without the curvature of the network. */
    public INDArray gvp(INDArray v) {
        INDArray out = Nd4j.create(dtype, paramCount());
        gvp(v, out);
        return out;
    }

    public void gvp(INDArray v, INDArray out) {
        ParamLayout layout = network.layout();
        INDArray[][][] dir = productViews.get(matching(v, "v"), layout::singleViews);
        INDArray[][][] o = productViews.get(out, layout::singleViews);
        INDArray r = null;
        for (int l = 0; l < passes.length; l++) {
            r = passes[l].rForward(r, weights[l], dir[l]);
        }
        INDArray u = lossRGradient(r, 1);
        for (int l = passes.length - 1; l >= 0; l--) {
            u = passes[l].transposedJacobian(u, weights[l], o[l], l > 0);
        }
    }

    private INDArray matchingBlock(INDArray v, String what) {
        if (v.rank() != 2 || v.columns() != paramCount() || v.rows() < 1) {
            throw new IllegalArgumentException(what + ": shape " + java.util.Arrays.toString(v.shape())
                    + " does not match the network; allowed: [k, " + paramCount() + "] with k >= 1");
        }
        if (v.dataType() != dtype) {
            throw new IllegalArgumentException(what + ": dtype " + v.dataType() + " differs from this point's " + dtype);
        }
        if (v.ordering() != 'c' || v.isView()) {
            throw new IllegalArgumentException(what + ": a view or an 'f'-order array; allowed: a contiguous 'c'-order [k, P] array");
        }
        return v;
    }

    private INDArray matching(INDArray v, String what) {
        if (v.rank() != 1 || v.length() != paramCount()) {
            throw new IllegalArgumentException(what + ": shape " + java.util.Arrays.toString(v.shape())
                    + " does not match the network; allowed: a flat vector of " + paramCount() + " parameters");
        }
        if (v.dataType() != dtype) {
            return v.castTo(dtype);
        }
        return v;
    }
}
