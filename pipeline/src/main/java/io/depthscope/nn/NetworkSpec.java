package io.depthscope.nn;

import java.util.List;
import java.util.Locale;

/**
 * The shape of a network, one of the presets of {@link Presets}:
 * <ul>
 *   <li>{@code mlp}: h1 = f(W0 x + b0); h(l+1) = f(Wl hl + bl) for l = 1..L-1; out = WL hL + bL (L = depth)</li>
 *   <li>{@code resmlp}: h1 = f(W0 x + b0); h(l+1) = hl + alpha f(Wl hl + bl) for l = 1..L-1; out = WL hL + bL</li>
 *   <li>{@code mlp_bn}: depth hidden layers Linear, BatchNorm1d, f; then a linear classifier</li>
 *   <li>{@code cnn}: depth stages of a 3x3 convolution with width filters (padding 1), [BatchNorm2d], f; then the
 *       mean over H and W and a linear classifier</li>
 *   <li>{@code resnet} and {@code simple}: He et al.'s CIFAR ResNet-(6n+2), depth = 6n + 2, with filters width,
 *       2 width, 4 width; {@code simple} is the same network without its skip connections (Ghorbani et al.)</li>
 * </ul>
 *
 * @param inputShape  one example's shape [C, H, W] for the convolutional presets (empty: a flat vector of inputDim)
 * @param batchNorm   whether the convolutional presets normalise after every convolution (mlp_bn always does)
 * @param shortcut    the resnet's shortcut where the shape changes: "A" (subsample and zero channels, no
 *                    parameters, He et al.'s default) or "B" (a 1x1 convolution with BatchNorm)
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
        String loss,
        List<Integer> inputShape,
        boolean batchNorm,
        String shortcut) {

    public static final List<String> ARCHS = List.of("mlp", "resmlp", "mlp_bn", "cnn", "resnet", "simple");
    /** The fully connected presets without BatchNorm, whose per-example Grams and Jacobians are exact and cheap. */
    public static final List<String> FULLY_CONNECTED = List.of("mlp", "resmlp");
    /** The presets whose input is an image [C, H, W]. */
    public static final List<String> CONVOLUTIONAL = List.of("cnn", "resnet", "simple");
    public static final List<String> SHORTCUTS = List.of("A", "B");
    /**
     * Each plain arch and the residual arch that is the same network with skip connections added: the pairs that
     * Ghorbani et al.'s comparisons (and the residual_comparison table) put side by side.
     */
    public static final java.util.Map<String, String> RESIDUAL_OF = java.util.Map.of("mlp", "resmlp", "simple", "resnet");

    public NetworkSpec {
        arch = lower(arch);
        activation = lower(activation);
        loss = lower(loss);
        inputShape = inputShape == null ? List.of() : List.copyOf(inputShape);
        shortcut = shortcut == null ? "A" : shortcut.toUpperCase(Locale.ROOT);
    }

    /** A fully connected network (no image shape, no BatchNorm). */
    public NetworkSpec(String arch, int inputDim, int width, int depth, int outputDim, String activation, boolean bias,
                       double residualScale, String loss) {
        this(arch, inputDim, width, depth, outputDim, activation, bias, residualScale, loss, List.of(), false, "A");
    }

    /** This spec for images of {@code shape} [C, H, W] (input_dim becomes C H W). */
    public NetworkSpec withInputShape(List<Integer> shape) {
        int dim = 1;
        for (int s : shape) {
            dim = Math.multiplyExact(dim, s);
        }
        return new NetworkSpec(arch, dim, width, depth, outputDim, activation, bias, residualScale, loss, shape, batchNorm, shortcut);
    }

    public boolean convolutional() {
        return CONVOLUTIONAL.contains(arch);
    }

    /** The stages of He et al.'s 6n+2 networks: n = (depth - 2) / 6 blocks per stage. */
    public int blocksPerStage() {
        return (depth - 2) / 6;
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
        if (!SHORTCUTS.contains(shortcut)) {
            throw new IllegalArgumentException("shortcut: unknown value '" + shortcut + "'; allowed: " + String.join(", ", SHORTCUTS));
        }
        if (convolutional()) {
            validateImage();
        } else if (!inputShape.isEmpty()) {
            throw new IllegalArgumentException("input_shape: value " + inputShape + " is not allowed with arch " + arch
                    + "; allowed: none (the fully connected presets take flat vectors; input_shape is for " + CONVOLUTIONAL + ")");
        } else if (batchNorm && !"mlp_bn".equals(arch)) {
            throw new IllegalArgumentException("batch_norm: value true is not allowed with arch " + arch + "; allowed: false (use mlp_bn, cnn, resnet or simple)");
        }
        if (!Activations.NAMES.contains(activation)) {
            throw new IllegalArgumentException("activation: unknown value '" + activation + "'; allowed: "
                    + String.join(", ", Activations.NAMES));
        }
        if (!Loss.NAMES.contains(loss)) {
            throw new IllegalArgumentException("loss: unknown value '" + loss + "'; allowed: " + String.join(", ", Loss.NAMES));
        }
        if (List.of("resnet", "simple").contains(arch) && !"relu".equals(activation)) {
            throw new IllegalArgumentException("activation: value '" + activation + "' is not allowed with arch " + arch
                    + "; allowed: relu (He et al.'s block)");
        }
        if (!Double.isFinite(residualScale)) {
            throw new IllegalArgumentException("residual_scale: value " + residualScale + " is not allowed; allowed: a finite number");
        }
        // in doubles, which cannot overflow: width * width * depth exceeds a long for the largest ints
        double params = approximateParamCount();
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

    private void validateImage() {
        if (inputShape.size() != 3 || inputShape.stream().anyMatch(d -> d == null || d < 1)) {
            throw new IllegalArgumentException("input_shape: value " + inputShape + " is not allowed with arch " + arch
                    + "; allowed: [C, H, W], three integers >= 1 (fashion_mnist gives [1, 28, 28], cifar10 [3, 32, 32])");
        }
        long dim = (long) inputShape.get(0) * inputShape.get(1) * inputShape.get(2);
        if (dim != inputDim) {
            throw new IllegalArgumentException("input_dim: value " + inputDim + " does not match input_shape " + inputShape
                    + "; allowed: " + dim);
        }
        if (List.of("resnet", "simple").contains(arch)) {
            if (depth < 8 || (depth - 2) % 6 != 0) {
                throw new IllegalArgumentException("depth: value " + depth + " is not allowed with arch " + arch
                        + "; allowed: 6n + 2 for n >= 1 (8, 14, 20, 32, 44, 56, 110, ...)");
            }
            if (inputShape.get(1) < 4 || inputShape.get(2) < 4) {
                throw new IllegalArgumentException("input_shape: value " + inputShape + " is too small for arch " + arch
                        + "; allowed: H and W >= 4 (two stride-2 stages)");
            }
        }
    }

    /**
     * The parameter count in doubles, in closed form, for the size check before any module exists: building the
     * modules of a spec that declares two billion stages in a few bytes would run out of memory before any check.
     * It equals {@link ParamLayout#size()} of the preset's modules (NetworkSpecTest checks it over the presets).
     */
    double approximateParamCount() {
        double w = width;
        double out = outputDim;
        double head = bias ? out : 0;
        boolean convBias = bias && !batchNorm;
        return switch (arch) {
            // depth times (Linear without bias, BatchNorm1d's weight and bias), then the classifier
            case "mlp_bn" -> w * inputDim + (depth - 1.0) * w * w + depth * 2.0 * w + w * out + head;
            // depth times (3x3 conv, its bias or BatchNorm2d's weight and bias), then the classifier on the pooled channels
            case "cnn" -> 9 * w * inputShape.get(0) + (depth - 1.0) * 9 * w * w + depth * perMap(w, convBias) + w * out + head;
            case "resnet", "simple" -> resnetParamCount(convBias);
            default -> w * inputDim + (double) (depth - 1) * w * w + (double) outputDim * w + (bias ? (double) depth * w + outputDim : 0);
        };
    }

    /**
     * The most features of one hidden representation (the output of a module of {@link Network#hiddenLayers()}), in
     * closed form, like {@link #approximateParamCount()}, so that the size of the diagnostics' matrices is known before
     * any module is built: width for the fully connected presets, width H W for cnn, and for resnet and simple the
     * largest of the stem's and each stage's planes H_s W_s (NetworkSpecTest checks it against the modules).
     */
    public double largestHiddenSize() {
        if (!convolutional()) {
            return width;
        }
        double h = inputShape.get(1);
        double w = inputShape.get(2);
        if ("cnn".equals(arch)) {
            return width * h * w;
        }
        double largest = width * h * w;
        for (int stage = 2; stage <= 3; stage++) {
            h = Conv2d.outputSize((int) h, 3, 2, 1);
            w = Conv2d.outputSize((int) w, 3, 2, 1);
            largest = Math.max(largest, (double) width * (1 << (stage - 1)) * h * w);
        }
        return largest;
    }

    /** What a conv of {@code planes} outputs adds beside its weight: its bias, or its BatchNorm's weight and bias. */
    private double perMap(double planes, boolean convBias) {
        return (convBias ? planes : 0) + (batchNorm ? 2 * planes : 0);
    }

    /** conv1 (and bn1); three stages of n blocks of two 3x3 convs, the first of stages 2 and 3 with a shortcut; linear. */
    private double resnetParamCount(boolean convBias) {
        double n = blocksPerStage();
        double w = width;
        double total = 9 * w * inputShape.get(0) + perMap(w, convBias);
        double in = w;
        for (int stage = 1; stage <= 3; stage++) {
            double planes = w * (1 << (stage - 1));
            double block = 9 * planes * planes + perMap(planes, convBias);
            total += 9 * in * planes + perMap(planes, convBias) + block; // the first block's conv1 (from in) and conv2
            total += (n - 1) * 2 * block;
            if ("resnet".equals(arch) && "B".equals(shortcut) && (stage > 1 || in != planes)) {
                total += in * planes + perMap(planes, convBias); // 1x1 projection (and its BatchNorm)
            }
            in = planes;
        }
        return total + 4 * w * outputDim + (bias ? outputDim : 0);
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": value " + value + " is not allowed; allowed: an integer >= 1");
        }
    }

    /** Number of parameters: for mlp and resmlp (L+1) weight matrices and, with bias, L+1 bias vectors. */
    public long paramCount() {
        if (!"mlp".equals(arch) && !"resmlp".equals(arch)) {
            return Network.of(this).paramCount();
        }
        long p = (long) width * inputDim + (long) (depth - 1) * width * width + (long) outputDim * width;
        if (bias) {
            p += (long) depth * width + outputDim;
        }
        return p;
    }
}
