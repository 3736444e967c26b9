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
public final class Point {
    private final Network network;
    private final Batch batch;
    private final DataType dtype;
    private final LayerPass[] passes;
    private final LossPass lossPass;
    private final INDArray gradient;
    private final INDArray[][] gradientViews;
    private final INDArray[] hidden;
    private final INDArray[] deltas;
    private INDArray theta;
    private INDArray[][] weights;
    private INDArray outputs;
    private double loss;

    Point(Network network, Batch batch, INDArray theta) {
        this.network = network;
        this.dtype = theta.dataType();
        if (dtype != DataType.DOUBLE && dtype != DataType.FLOAT) {
            throw new IllegalArgumentException("dtype: " + dtype + " is not supported; allowed: float64, float32");
        }
        NetworkSpec spec = network.spec();
        if (batch.inputDim() != spec.inputDim()) {
            throw new IllegalArgumentException("x: " + batch.inputDim() + " columns, but the network's input_dim is "
                    + spec.inputDim() + "; allowed: x of shape [N, " + spec.inputDim() + "]");
        }
        if (batch.targetDim() != spec.outputDim()) {
            throw new IllegalArgumentException("targets: " + batch.targetDim() + " columns, but the network's output_dim is "
                    + spec.outputDim() + "; allowed: targets of shape [N, " + spec.outputDim() + "]");
        }
        this.batch = batch.as(dtype);
        List<Layer> layers = network.layers();
        int n = batch.size();
        passes = new LayerPass[layers.size()];
        for (int l = 0; l < passes.length; l++) {
            passes[l] = layers.get(l).bind(n, dtype);
        }
        lossPass = network.loss().bind(this.batch.targets());
        hidden = new INDArray[passes.length];
        deltas = new INDArray[passes.length];
        gradient = Nd4j.create(dtype, network.paramCount());
        gradientViews = network.layout().layerViews(gradient);
        moveTo(theta);
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
        weights = network.layout().layerViews(newTheta);
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
        batch.x().assign(next.x());
        batch.targets().assign(next.targets());
        return moveTo(newTheta);
    }

    public Network network() {
        return network;
    }

    public Batch batch() {
        return batch;
    }

    public INDArray theta() {
        return theta;
    }

    public DataType dtype() {
        return dtype;
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

    /** dLoss/d(output of layer module l) [N, width] from the backward pass; owned by the point. */
    public INDArray layerOutputGradient(int l) {
        return deltas[l];
    }

    /**
     * The hidden representations h_1..h_L [N, width] (after the activation, or after the residual add),
     * i.e. the outputs of every module that is not a bare linear map.
     */
    public java.util.List<INDArray> hiddenRepresentations() {
        return ofHiddenLayers(hidden);
    }

    /** dLoss/dh_l for the hidden representations of {@link #hiddenRepresentations()}, in the same order. */
    public java.util.List<INDArray> hiddenGradients() {
        return ofHiddenLayers(deltas);
    }

    /** The entries of a per-module array that belong to hidden layers (modules that are not bare linear maps). */
    private java.util.List<INDArray> ofHiddenLayers(INDArray[] perModule) {
        java.util.List<INDArray> out = new java.util.ArrayList<>();
        for (int l = 0; l < passes.length; l++) {
            if (!(network.layers().get(l) instanceof Linear)) {
                out.add(perModule[l]);
            }
        }
        return out;
    }

    /** Each linear map's input and dLoss/dz from this point's passes, in map order 0..L. */
    public java.util.List<LinearActivity> linearActivity() {
        java.util.List<LinearActivity> out = new java.util.ArrayList<>();
        for (LayerPass p : passes) {
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
        for (int l = passes.length - 1; l >= 0; l--) {
            u = passes[l].transposedJacobian(u, weights[l], null, l > 0);
        }
        java.util.List<LinearActivity> out = new java.util.ArrayList<>();
        for (LayerPass p : passes) {
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

    /** Frobenius norm of dLoss/dW_i for each linear map i = 0..L (weights only, not biases). */
    public double[] layerGradientNorms() {
        List<Linear> maps = network.linearMaps();
        double[] norms = new double[maps.size()];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = network.layout().view(gradient, "layers." + i + ".weight").norm2Number().doubleValue();
        }
        return norms;
    }

    /** The exact Hessian-vector product Hv, by Pearlmutter's R-operator. */
    public INDArray hvp(INDArray v) {
        INDArray out = Nd4j.create(dtype, paramCount());
        hvp(v, out);
        return out;
    }

    /** Hv written into {@code out} (a flat vector of this point's dtype). */
    public void hvp(INDArray v, INDArray out) {
        INDArray[][] dir = network.layout().layerViews(matching(v, "v"));
        INDArray[][] o = network.layout().layerViews(out);
        INDArray r = null;
        for (int l = 0; l < passes.length; l++) {
            r = passes[l].rForward(r, weights[l], dir[l]);
        }
        INDArray rDelta = lossPass.rGradient(r);
        for (int l = passes.length - 1; l >= 0; l--) {
            rDelta = passes[l].rBackward(rDelta, weights[l], dir[l], o[l], l > 0);
        }
    }

    /** The Gauss-Newton product Gv = J^T (d^2 Loss/df^2) J v: the Hessian without the curvature of the network. */
    public INDArray gvp(INDArray v) {
        INDArray out = Nd4j.create(dtype, paramCount());
        gvp(v, out);
        return out;
    }

    public void gvp(INDArray v, INDArray out) {
        INDArray[][] dir = network.layout().layerViews(matching(v, "v"));
        INDArray[][] o = network.layout().layerViews(out);
        INDArray r = null;
        for (int l = 0; l < passes.length; l++) {
            r = passes[l].rForward(r, weights[l], dir[l]);
        }
        INDArray u = lossPass.rGradient(r);
        for (int l = passes.length - 1; l >= 0; l--) {
            u = passes[l].transposedJacobian(u, weights[l], o[l], l > 0);
        }
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
