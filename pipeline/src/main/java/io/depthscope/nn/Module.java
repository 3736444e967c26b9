package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A layer type, as PyTorch's {@code nn.Module}: a stateless description that owns everything about itself. It
 * knows its parameters (named as the equivalent PyTorch module's {@code state_dict}, so weights move both
 * ways), its buffers, whether it couples the examples of a batch, and how to bind itself to a batch. The
 * derivatives live in the {@link ModulePass} it binds, one module per layer type, as in BackPACK's
 * {@code core/derivatives}. Composite modules ({@link Sequential}, {@link Residual}) contain modules.
 */
public interface Module {
    /** The shape of one example's input, e.g. [in] or [C, H, W]. */
    long[] inputShape();

    /** The shape of one example's output. */
    long[] outputShape();

    /** The parameters of this module, in flat-vector order, with their full {@code state_dict} names. */
    List<ParamShape> params();

    /** Its buffers (BatchNorm's running statistics), in {@code state_dict} order; they are not parameters. */
    default List<ParamShape> buffers() {
        return List.of();
    }

    /**
     * Parameters that start at a constant whatever the initialisation scheme, by name (BatchNorm: weight 1,
     * bias 0). Weights of linear maps and convolutions are drawn by {@link Initializers} instead.
     */
    default java.util.Map<String, Double> initialValues() {
        return java.util.Map.of();
    }

    /** The modules directly inside this one, in order; empty for a leaf. */
    default List<Module> children() {
        return List.of();
    }

    /**
     * Whether, in {@code mode}, an example's output depends on the other examples of its batch (train-mode
     * BatchNorm). Such a network's per-example quantities are undefined, and its curvature operator must
     * keep each normalisation group whole.
     */
    default boolean couplesExamples(Mode mode) {
        for (Module child : children()) {
            if (child.couplesExamples(mode)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this module's output is a hidden representation (an activation's or a residual block's output),
     * which per-layer diagnostics such as representation ranks read.
     */
    default boolean endsLayer() {
        return false;
    }

    /**
     * Buffers for a batch of {@code batchSize} examples in {@code dtype}, one pass per (module, point).
     * {@code buffers} are views of this module's buffers in the point's flat buffer vector (empty when it has
     * none): a train-mode pass writes running statistics into them only when asked
     * ({@link ModulePass#updateRunningStatistics}), an eval-mode pass reads them.
     */
    ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers);

    /**
     * As {@link #bind(int, DataType, Mode, BufferViews)}, with working memory shared by every pass of one point
     * ({@link Scratch}); a module that needs none ignores it, a module with children hands it to them.
     */
    default ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers, Scratch scratch) {
        return bind(batchSize, dtype, mode, buffers);
    }

    /**
     * A rough count of the values per example that a pass of this module holds between its forward and backward
     * pass (its output, and a module's own large buffers), which sizes the chunks a batch is processed in. A pass
     * holds a few arrays of this order; the count only needs to grow with the real memory and be the same on
     * every machine, since the chunks it picks group the sums. A module with children counts theirs.
     */
    default long activationValues() {
        long values = size(outputShape());
        for (Module child : children()) {
            values += child.activationValues();
        }
        return values;
    }

    /** Feature count of a per-example shape. */
    static long size(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }
}
