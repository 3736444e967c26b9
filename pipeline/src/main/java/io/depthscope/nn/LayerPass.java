package io.depthscope.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer bound to one batch: it owns preallocated buffers and caches what the backward pass and the
 * R-operators (Pearlmutter 1994) need, so that exact Hessian-vector products compose layer by layer.
 *
 * <p>Arrays are [batch, features]. {@code w} holds views of this layer's parameters in the flat vector,
 * {@code v} views of a direction in parameter space, {@code g} views of an output flat vector into which
 * parameter gradients are written. A returned array is owned by the pass and stays valid until the same
 * method is called again; callers must not modify it.
 */
public interface LayerPass {
    /** out = layer(in). Keeps {@code in} and the activation derivatives for the later passes. */
    INDArray forward(INDArray in, INDArray[] w);

    /**
     * Backpropagation: from dLoss/dout, writes dLoss/dparams into {@code g} and returns dLoss/din
     * (null when {@code needInputGradient} is false). Keeps {@code gradOut} for the backward R-pass.
     */
    INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient);

    /** Forward R-pass: R{out} from R{in} (null means zero: the network input does not move). */
    INDArray rForward(INDArray rIn, INDArray[] w, INDArray[] v);

    /**
     * Backward R-pass: from R{dLoss/dout}, writes R{dLoss/dparams} (a block of Hv) into {@code g} and
     * returns R{dLoss/din}. Requires {@link #forward}, {@link #backward} and {@link #rForward} first.
     */
    INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[] v, INDArray[] g, boolean needInputGradient);

    /**
     * The transposed Jacobian alone (no second-order term): J^T u for the Gauss-Newton product and for
     * per-output pullbacks. Uses the cached forward state; leaves the caches of {@link #backward} intact.
     * {@code g} may be null when only the input gradient is wanted (a pullback that needs each map's dz,
     * not the summed parameter gradient, saves a matrix product per map).
     */
    INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient);

    /** The linear maps inside this layer, with what they saw in the last forward and backward pass. */
    default java.util.List<LinearActivity> linearActivity() {
        return java.util.List.of();
    }

    /**
     * The linear maps inside this layer with their input and the output gradient u of the last
     * {@link #transposedJacobian} call (not of {@link #backward}).
     */
    default java.util.List<LinearActivity> pullbackActivity() {
        return java.util.List.of();
    }
}
