package io.depthscope.probe;

import java.util.List;
import java.util.Locale;

/**
 * How a run's Hessian is measured at its final parameters: {@code hutchinson} moments from
 * {@code probes} probe vectors, {@code exact} moments from the dense Hessian's eigenvalues (small
 * networks), or {@code none}. {@code examples} fixes the batch: the first examples of a seeded
 * permutation of the training set (0: all of it), the same batch for every Hessian-vector product.
 */
public record HessianSpec(String method, int probes, String distribution, int examples) implements java.io.Serializable {
    public static final List<String> METHODS = List.of("hutchinson", "exact", "none");

    public HessianSpec {
        method = method == null ? null : method.toLowerCase(Locale.ROOT);
        distribution = distribution == null ? null : distribution.toLowerCase(Locale.ROOT);
    }

    public static HessianSpec defaults() {
        return new HessianSpec("hutchinson", 20, "rademacher", 0);
    }

    public HessianSpec validate() {
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("hessian.method: unknown value '" + method + "'; allowed: " + String.join(", ", METHODS));
        }
        if (probes < 2) {
            throw new IllegalArgumentException("hessian.probes: value " + probes + " is not allowed; allowed: an integer >= 2");
        }
        Hutchinson.Distribution.parse(distribution);
        if (examples < 0) {
            throw new IllegalArgumentException("hessian.examples: value " + examples + " is not allowed; allowed: 0 (all) or an integer >= 1");
        }
        return this;
    }

    /** Hessian-vector products this measurement costs for P parameters. */
    public long hessianVectorProducts(long paramCount) {
        return switch (method) {
            case "exact" -> paramCount;
            case "hutchinson" -> 2L * probes;
            default -> 0;
        };
    }
}
