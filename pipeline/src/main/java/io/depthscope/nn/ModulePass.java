package io.depthscope.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A module bound to one batch: it owns preallocated buffers and caches what the backward pass and the
 * R-operators (Pearlmutter 1994) need, so that exact Hessian-vector products compose module by module.
 *
 * <p>Arrays are [N, ...] with the example on axis 0. {@code w} holds views of this module's parameters in the
 * flat vector. The R-operators take a block of k directions at once (BackPACK's {@code *_mat_prod}): R-arrays
 * are [k N, ...], direction j's rows stacked after direction j-1's ({@link Blocks#rows}); {@code v[j]} holds the
 * views of direction j in parameter space and {@code g[j]} those of output j, into which parameter results are
 * written. k = {@code v.length}; one direction is the case k = 1. A returned array is owned by the pass and
 * stays valid until the same method is called again; callers must not modify it.
 *
 * <p>Passes that {@link #takesSideBySide() take it} may also hand each other a block of k > 1 directions side by side,
 * [N, k width] with example n's k rows adjacent (the layout in which a linear map's products over all k directions come
 * out: {@link LinearBlock}); the shape tells the layouts apart, N rows against k N. A pass gives that layout only to a
 * neighbour the point has said takes it ({@link #neighbours}), and returns it to the point only from the last module
 * (the loss takes it).
 */
public interface ModulePass {
    /** out = module(in). Keeps {@code in} and the derivatives of the nonlinearity for the later passes. */
    INDArray forward(INDArray in, INDArray[] w);

    /**
     * Backpropagation: from dLoss/dout, writes dLoss/dparams into {@code g} and returns dLoss/din
     * (null when {@code needInputGradient} is false). Keeps {@code gradOut} for the backward R-pass.
     */
    INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient);

    /**
     * Forward R-pass: R{out} [k N, ...] from R{in} (null means zero: the network input does not move). A direction
     * whose views {@code v[j]} are null moves the input only, the parameters fixed: with R{x} the input's direction
     * this is the forward-mode product (d out / dx) R{x} that input Jacobians are built from. Only this pass accepts
     * null views; it returns null when nothing moves (R{in} null and every v[j] null).
     */
    INDArray rForward(INDArray rIn, INDArray[] w, INDArray[][] v);

    /**
     * Backward R-pass: from R{dLoss/dout} [k N, ...], writes R{dLoss/dparams} (a block of Hv) into {@code g} and
     * returns R{dLoss/din}. Requires {@link #forward}, {@link #backward} and {@link #rForward} first.
     */
    INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient);

    /**
     * The transposed Jacobian alone (no second-order term) of k stacked output gradients: J^T u for the
     * Gauss-Newton product and for per-output pullbacks. Uses the cached forward state; leaves the caches of
     * {@link #backward} intact. {@code g} may be null when only the input gradient is wanted (a pullback that
     * needs each map's dz, not the summed parameter gradient, saves a matrix product per map).
     */
    INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient);

    /**
     * Whether this pass's R-passes take a block of one-dimensional rows side by side, [N, k width], as well as stacked,
     * and give each result in the layout of what they were handed (see the class comment). False unless a pass says so.
     */
    default boolean takesSideBySide() {
        return false;
    }

    /**
     * Whether this pass gives its R-results in the layout it was handed (an elementwise activation) rather than in one it
     * chooses by its neighbours (a linear map). The point gives such a pass side-by-side blocks only when the modules on
     * both sides of it take them too.
     */
    default boolean keepsLayout() {
        return false;
    }

    /**
     * Told once by the point that binds it: whether the module before this one and the one after it (the loss, after the
     * last) take side-by-side blocks, so that this pass may give them its R-results in that layout.
     */
    default void neighbours(boolean before, boolean after) {}

    /**
     * Folds the batch statistics of the last train-mode forward into the bound running statistics, as one
     * PyTorch training forward does. A no-op for modules without buffers.
     */
    default void updateRunningStatistics() {}

    /**
     * The output of the last elementwise activation this module applied in its last forward pass (itself, or the last
     * one inside it), or null when it applies none. Dead units are read from it: in a residual block without an
     * activation after the add, the block's output is not 0 where its activation is.
     */
    default INDArray activationOutput() {
        return null;
    }

    /** The linear maps inside this module, with what they saw in the last forward and backward pass. */
    default java.util.List<LinearActivity> linearActivity() {
        return java.util.List.of();
    }

    /**
     * The linear maps inside this module with their input and the output gradient u of the last
     * {@link #transposedJacobian} call (not of {@link #backward}).
     */
    default java.util.List<LinearActivity> pullbackActivity() {
        return java.util.List.of();
    }
}
