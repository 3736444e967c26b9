package io.depthscope.train;

import io.depthscope.study.OptimizerSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Updates a flat parameter vector in place from its gradient. An optimiser owns its state (momentum,
 * Adam's moments) and a work vector, allocated on the first step with theta's length and dtype and reused
 * afterwards, so steps allocate no parameter-sized arrays. It never writes to {@code gradient}, which
 * may be a {@link io.depthscope.nn.Point}'s own buffer. Not thread-safe; one per run.
 */
public interface Optimizer {

    /**
     * Applies update number {@code step} (0-based: the schedule reads it, and Adam's bias correction uses
     * step + 1, so the caller counts updates 0, 1, 2, ... as torch's optimiser state does).
     */
    void step(INDArray theta, INDArray gradient, int step);

    /** The optimiser the (validated) spec describes. */
    static Optimizer of(OptimizerSpec spec) {
        spec.validate();
        return switch (spec.kind()) {
            case "gd", "sgd", "momentum", "nesterov" -> new MomentumSgd(spec);
            case "adam", "adamw" -> new Adam(spec);
            default -> throw new IllegalArgumentException("optimizer.kind: unknown value '" + spec.kind() + "'; allowed: "
                    + String.join(", ", OptimizerSpec.KINDS));
        };
    }
}
