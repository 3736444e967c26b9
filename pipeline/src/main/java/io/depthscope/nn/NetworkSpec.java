package io.depthscope.nn;

import java.util.List;
import java.util.Locale;

/**
 * The shape of a fully connected network: L = depth hidden layers of the same width and L+1 linear maps.
 * <ul>
 *   <li>{@code mlp}: h1 = f(W0 x + b0); h(l+1) = f(Wl hl + bl) for l = 1..L-1; out = WL hL + bL</li>
 *   <li>{@code resmlp}: h1 = f(W0 x + b0); h(l+1) = hl + alpha f(Wl hl + bl) for l = 1..L-1; out = WL hL + bL</li>
 * </ul>
 */
public record NetworkSpec(
        String arch,
        int inputDim,
        int width,
        int depth,
        int outputDim,
        String activation,
        boolean bias,
        double residualScale,
        String loss) {

    public static final List<String> ARCHS = List.of("mlp", "resmlp");

    public NetworkSpec {
        arch = lower(arch);
        activation = lower(activation);
        loss = lower(loss);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    /** Checks every field; the error names the field, the value and what is allowed. */
    /** The most parameters a network may have: theta is one flat array, indexed by int. */
    public static final long MAX_PARAMS = Integer.MAX_VALUE - 8;

    public NetworkSpec validate() {
        if (!ARCHS.contains(arch)) {
            throw new IllegalArgumentException("arch: unknown value '" + arch + "'; allowed: " + String.join(", ", ARCHS));
        }
        positive("input_dim", inputDim);
        positive("width", width);
        positive("depth", depth);
        positive("output_dim", outputDim);
        if (!Activations.NAMES.contains(activation)) {
            throw new IllegalArgumentException("activation: unknown value '" + activation + "'; allowed: "
                    + String.join(", ", Activations.NAMES));
        }
        if (!Loss.NAMES.contains(loss)) {
            throw new IllegalArgumentException("loss: unknown value '" + loss + "'; allowed: " + String.join(", ", Loss.NAMES));
        }
        if (!Double.isFinite(residualScale)) {
            throw new IllegalArgumentException("residual_scale: value " + residualScale + " is not allowed; allowed: a finite number");
        }
        // in doubles, which cannot overflow: width * width * depth exceeds a long for the largest ints
        double params = (double) width * inputDim + (double) (depth - 1) * width * width + (double) outputDim * width
                + (bias ? (double) depth * width + outputDim : 0);
        if (params > MAX_PARAMS) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "input_dim, width, depth, output_dim: values %d, %d, %d, %d"
                    + " give %.3g parameters; allowed: at most %d parameters (one flat array)", inputDim, width, depth, outputDim, params,
                    MAX_PARAMS));
        }
        if ("cross_entropy".equals(loss) && outputDim < 2) {
            throw new IllegalArgumentException("output_dim: value " + outputDim + " is not allowed with cross_entropy; allowed: >= 2 classes");
        }
        return this;
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": value " + value + " is not allowed; allowed: an integer >= 1");
        }
    }

    /** Number of parameters: (L+1) weight matrices and, with bias, L+1 bias vectors. */
    public long paramCount() {
        long p = (long) width * inputDim + (long) (depth - 1) * width * width + (long) outputDim * width;
        if (bias) {
            p += (long) depth * width + outputDim;
        }
        return p;
    }
}
