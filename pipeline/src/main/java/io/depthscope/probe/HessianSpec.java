package io.depthscope.probe;

import java.util.List;
import java.util.Locale;

/**
 * How a run's Hessian is measured, and at which steps. Every measurement uses one fixed batch: the
 * first {@code examples} examples of a seeded permutation of the training set (0: all of it), the same
 * for every Hessian-vector product of the run, since an operator that changes under Lanczos or between
 * probes is not the Hessian of anything.
 *
 * @param method       the moments: {@code hutchinson} from {@code probes} probe vectors, {@code exact} from
 *                     the dense Hessian's eigenvalues (small networks), or {@code none}
 * @param probesPerBlock Hutchinson probes per task of a study's second phase: a run's probes are spread
 *                     over ceil(probes / probesPerBlock) tasks whose mergeable states combine into the
 *                     moments. Part of the run (its grouping of sums can move the last digits)
 * @param steps        the training steps at which the Hessian is measured; empty: the final step only
 * @param topK         the k largest and k smallest eigenvalues by Lanczos (0: none), each with its
 *                     Gauss-Newton / remainder split
 * @param lanczosSteps Lanczos steps of the top-k run (capped at the parameter count)
 * @param densityRuns  runs of stochastic Lanczos quadrature for the spectral density (0: none)
 * @param densitySteps Lanczos steps per density run
 * @param mode         for networks with BatchNorm: {@code train} (each normalisation group of optimizer.batch_size
 *                     examples by its own statistics, the loss SGD minimises) or {@code eval} (the running statistics)
 * @param chunk        examples per pass of the Hessian batch (0: the whole batch at once, or, in train mode with
 *                     BatchNorm, the training minibatch, which is the normalisation group); memory, not the numbers
 */
public record HessianSpec(String method, int probes, String distribution, int examples, int probesPerBlock, List<Integer> steps, int topK,
        int lanczosSteps, int densityRuns, int densitySteps, String mode, int chunk) implements java.io.Serializable {
    public static final List<String> MODES = List.of("train", "eval");

    /** The spec with the fields before mode and chunk, which take their defaults. */
    public HessianSpec(String method, int probes, String distribution, int examples, int probesPerBlock, List<Integer> steps, int topK,
                       int lanczosSteps, int densityRuns, int densitySteps) {
        this(method, probes, distribution, examples, probesPerBlock, steps, topK, lanczosSteps, densityRuns, densitySteps, "train", 0);
    }

    public static final List<String> METHODS = List.of("hutchinson", "exact", "none");

    public HessianSpec {
        method = method == null ? null : method.toLowerCase(Locale.ROOT);
        distribution = distribution == null ? null : distribution.toLowerCase(Locale.ROOT);
        steps = steps == null ? List.of() : List.copyOf(new java.util.TreeSet<>(steps));
        mode = mode == null ? "train" : mode.toLowerCase(Locale.ROOT);
    }

    public static HessianSpec defaults() {
        return new HessianSpec("hutchinson", 20, "rademacher", 0, 10, List.of(), 0, 60, 0, 40);
    }

    public HessianSpec validate() {
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("hessian.method: unknown value '" + method + "'; allowed: " + String.join(", ", METHODS));
        }
        atLeast("probes", probes, 2, "an integer >= 2");
        Hutchinson.Distribution.parse(distribution);
        atLeast("examples", examples, 0, "0 (all) or an integer >= 1");
        atLeast("probes_per_block", probesPerBlock, 1, "an integer >= 1");
        atLeast("top_k", topK, 0, "0 (none) or an integer >= 1");
        atLeast("lanczos_steps", lanczosSteps, 1, "an integer >= 1");
        if (topK > 0 && lanczosSteps < topK) {
            throw new IllegalArgumentException("hessian.lanczos_steps: value " + lanczosSteps + " is not allowed; allowed: >= top_k = " + topK);
        }
        atLeast("density_runs", densityRuns, 0, "0 (none) or an integer >= 1");
        atLeast("density_steps", densitySteps, 1, "an integer >= 1");
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("hessian.mode: unknown value '" + mode + "'; allowed: " + String.join(", ", MODES));
        }
        atLeast("chunk", chunk, 0, "0 (automatic) or an integer >= 1");
        return this;
    }

    private static void atLeast(String field, int value, int min, String allowed) {
        if (value < min) {
            throw new IllegalArgumentException("hessian." + field + ": value " + value + " is not allowed; allowed: " + allowed);
        }
    }

    /** Whether anything is measured at all. */
    public boolean any() {
        return !"none".equals(method) || topK > 0 || densityRuns > 0;
    }

    /** The steps at which the Hessian is measured for a run of {@code totalSteps} steps. */
    public List<Integer> stepsFor(int totalSteps) {
        return !any() ? List.of() : steps.isEmpty() ? List.of(totalSteps) : steps;
    }

    /**
     * Operator products one measurement (one step) costs for P parameters: the sum of its tasks'
     * {@link HessianWork.Task#products}, the one place the cost model lives.
     */
    public long hessianVectorProducts(long paramCount) {
        return HessianWork.plan("", this, 0, paramCount).stream().mapToLong(t -> t.products(this, paramCount)).sum();
    }
}
