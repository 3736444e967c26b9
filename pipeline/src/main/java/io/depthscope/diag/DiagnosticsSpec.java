package io.depthscope.diag;

import java.util.List;

/**
 * Which first-order and representation diagnostics a run takes, and at which steps (at the parameters
 * of that step, before its update, as the curve's point of that step). All of them use one fixed batch,
 * the first {@code examples} examples of a seeded permutation of the training set (0: all of it), so a
 * change along training is a change of the network, not of the data.
 *
 * @param steps           the steps at which diagnostics are taken; empty: none
 * @param examples        the diagnostics batch size (0: the whole training set)
 * @param layerGradients  per-layer ||dLoss/dW_l|| and ||dLoss/dh_l|| (Nielsen; Ghorbani Fig. 1)
 * @param confusion       gradient confusion of the per-example gradients of the batch (De et al. 2020)
 * @param minibatches     gradient confusion between this many sampled minibatch gradients (0: none)
 * @param minibatchSize   examples per sampled minibatch
 * @param ntk             the NTK Gram matrix's spectrum, and its drift from the first diagnostics step
 * @param jacobianInputs  per-layer singular values of dh_l/dx at the first this many examples of the
 *                        batch (0: none); for linear networks also those of the end-to-end product
 * @param representation  effective rank, small-singular-value and dead-unit fractions of each layer
 */
public record DiagnosticsSpec(List<Integer> steps, int examples, boolean layerGradients, boolean confusion, int minibatches,
        int minibatchSize, boolean ntk, int jacobianInputs, boolean representation) implements java.io.Serializable {
    /** Above this many examples the N x N Gram matrices (per-example gradients, NTK) are not formed. */
    public static final int MAX_GRAM_EXAMPLES = 4096;

    public DiagnosticsSpec {
        steps = steps == null ? List.of() : List.copyOf(new java.util.TreeSet<>(steps));
    }

    public static DiagnosticsSpec defaults() {
        return new DiagnosticsSpec(List.of(), 256, true, true, 0, 32, true, 1, true);
    }

    public DiagnosticsSpec validate() {
        atLeast("examples", examples, 0, "0 (all) or an integer >= 1");
        atLeast("minibatches", minibatches, 0, "0 (none) or an integer >= 2");
        if (minibatches == 1) {
            throw new IllegalArgumentException("diagnostics.minibatches: value 1 is not allowed; allowed: 0 (none) or an integer >= 2");
        }
        atLeast("minibatch_size", minibatchSize, 1, "an integer >= 1");
        atLeast("jacobian_inputs", jacobianInputs, 0, "0 (none) or an integer >= 1");
        if (examples > MAX_GRAM_EXAMPLES && (confusion || ntk)) {
            throw new IllegalArgumentException("diagnostics.examples: value " + examples + " is not allowed with confusion or ntk; allowed: <= "
                    + MAX_GRAM_EXAMPLES + " (their N x N Gram matrices)");
        }
        return this;
    }

    private static void atLeast(String field, int value, int min, String allowed) {
        if (value < min) {
            throw new IllegalArgumentException("diagnostics." + field + ": value " + value + " is not allowed; allowed: " + allowed);
        }
    }

    /** Whether any diagnostic is switched on. */
    public boolean any() {
        return !steps.isEmpty() && (layerGradients || confusion || minibatches > 0 || ntk || jacobianInputs > 0 || representation);
    }
}
