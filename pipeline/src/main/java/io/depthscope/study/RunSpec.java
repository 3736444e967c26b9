package io.depthscope.study;

import io.depthscope.data.DatasetSpec;
import io.depthscope.diag.DiagnosticsSpec;
import io.depthscope.diag.SvdLimit;
import io.depthscope.nn.Activations;
import io.depthscope.nn.InitSpec;
import io.depthscope.nn.Loss;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.probe.HessianSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One training run, fully specified: everything that can change its numbers, and nothing else (the
 * study's name and the code version are recorded beside it, not in it). Its {@link #runId()} is a hash
 * of this normalised content, so the same run has the same id on every machine and after every restart.
 *
 * @param steps            optimiser steps
 * @param evalEvery        the curve is recorded every evalEvery steps, and at the last step
 * @param targetLoss       steps_to_target is the first evaluated step with training loss <= this (NaN: none)
 * @param divergenceFactor a training loss above this multiple of the initial loss is divergence
 * @param checkpoints      steps at which the parameters are saved (npz, state_dict layout)
 * @param hessian          the Hessian's moments, extreme eigenvalues and density, and at which steps
 * @param diagnostics      gradient, NTK, Jacobian and representation diagnostics, and at which steps
 * @param batchNorm        the convolutional presets normalise after every convolution (mlp_bn always does)
 * @param shortcut         the resnet's shortcut where the shape changes: A (He et al.'s, no parameters) or B
 */
public record RunSpec(
        String arch,
        int depth,
        int width,
        String activation,
        boolean bias,
        double residualScale,
        String loss,
        DatasetSpec dataset,
        InitSpec init,
        OptimizerSpec optimizer,
        int steps,
        int evalEvery,
        double targetLoss,
        double divergenceFactor,
        List<Integer> checkpoints,
        HessianSpec hessian,
        DiagnosticsSpec diagnostics,
        String dtype,
        long seed,
        boolean batchNorm,
        String shortcut) implements java.io.Serializable {

    public static final List<String> DTYPES = List.of("float64", "float32");

    /**
     * Fields added after the first studies were published, with their defaults: {@link #canonical()} leaves a field
     * out while it has its default, so every run that existed before keeps its run id.
     */
    static final Map<String, Object> LATER_FIELDS = Map.of("batch_norm", false, "shortcut", "A", "hessian.mode", "train",
            "hessian.chunk", 0, "dataset.channel_standardize", false, "dataset.augment", "none", "dataset.downsample", 1,
            "optimizer.curvature_lr", Double.NaN);

    public RunSpec {
        checkpoints = List.copyOf(checkpoints);
        shortcut = shortcut == null ? "A" : shortcut;
    }

    /** The run with its fields before batch_norm and shortcut, which take their defaults. */
    public RunSpec(String arch, int depth, int width, String activation, boolean bias, double residualScale, String loss,
                   DatasetSpec dataset, InitSpec init, OptimizerSpec optimizer, int steps, int evalEvery, double targetLoss,
                   double divergenceFactor, List<Integer> checkpoints, HessianSpec hessian, DiagnosticsSpec diagnostics, String dtype,
                   long seed) {
        this(arch, depth, width, activation, bias, residualScale, loss, dataset, init, optimizer, steps, evalEvery, targetLoss,
                divergenceFactor, checkpoints, hessian, diagnostics, dtype, seed, false, "A");
    }

    /** Every field at its default: a depth-1 tanh mlp on sphere data, LeCun init, GD at lr 0.05 for 200 steps. */
    public static RunSpec defaults() {
        return new RunSpec("mlp", 1, 64, "tanh", true, 1.0, "mse", DatasetSpec.of("sphere"), InitSpec.of("gaussian"),
                OptimizerSpec.of("gd"), 200, 10, Double.NaN, 1e6, List.of(), HessianSpec.defaults(),
                DiagnosticsSpec.defaults(), "float64", 0);
    }

    /** Checks every field and their combinations; errors name the field as a config would ({@code run.x.y}). */
    public RunSpec validate() {
        section("dataset", dataset::validate);
        section("init", init::validate);
        section("optimizer", optimizer::validate);
        section("hessian", hessian::validate);
        section("diagnostics", diagnostics::validate);
        if (!NetworkSpec.ARCHS.contains(arch)) {
            bad("arch", "'" + arch + "'", "one of " + NetworkSpec.ARCHS);
        }
        boolean convolutional = NetworkSpec.CONVOLUTIONAL.contains(arch);
        if (convolutional && !"image".equals(dataset.layout())) {
            bad("arch", "'" + arch + "'", "a fully connected arch for dataset layout '" + dataset.layout()
                    + "' (a convolutional arch needs images: dataset.kind fashion_mnist or cifar10 with dataset.layout = image)");
        }
        if (List.of("resnet", "simple").contains(arch) && !"relu".equals(activation)) {
            bad("activation", "'" + activation + "'", "relu for arch " + arch + " (He et al.'s block)");
        }
        if (!NetworkSpec.SHORTCUTS.contains(shortcut)) {
            bad("shortcut", "'" + shortcut + "'", "one of " + NetworkSpec.SHORTCUTS);
        }
        if (batchNorm && !convolutional) {
            bad("batch_norm", true, "false for arch " + arch + " (batch_norm is for cnn, resnet and simple; mlp_bn always normalises)");
        }
        boolean normalised = batchNorm || "mlp_bn".equals(arch);
        if (normalised && optimizer.batchSize() < 2) {
            bad("optimizer.batch_size", optimizer.batchSize(), "an integer >= 2 with BatchNorm (each minibatch is a normalisation group;"
                    + " full-batch training would normalise over the whole training set)");
        }
        if (normalised && hessian.chunk() != 0 && hessian.chunk() != optimizer.batchSize() && "train".equals(hessian.mode())) {
            bad("hessian.chunk", hessian.chunk(), "0 or optimizer.batch_size = " + optimizer.batchSize()
                    + " (in train mode BatchNorm's groups are the training minibatches)");
        }
        if ((convolutional || normalised) && !diagnostics.steps().isEmpty()) {
            // per-example Grams need each weight used once per example and no coupling; the Jacobian spectra and
            // representation ranks read each example on its own (BatchNorm in eval mode) and are defined for every preset
            String why = "false for arch " + arch + (batchNorm ? " with BatchNorm" : "")
                    + " (the per-example Grams need every weight in a linear map used once per example; layer_gradients,"
                    + " jacobian_inputs and representation are defined for every preset)";
            if (diagnostics.confusion()) {
                bad("diagnostics.confusion", true, why);
            }
            if (diagnostics.ntk()) {
                bad("diagnostics.ntk", true, why);
            }
            if (diagnostics.minibatches() > 0) {
                bad("diagnostics.minibatches", diagnostics.minibatches(), "0 for arch " + arch);
            }
        }
        if (depth < 1) {
            bad("depth", depth, "an integer >= 1");
        }
        if (width < 1) {
            bad("width", width, "an integer >= 1");
        }
        if (!Activations.NAMES.contains(activation)) {
            bad("activation", "'" + activation + "'", "one of " + Activations.NAMES);
        }
        if (!Double.isFinite(residualScale)) {
            bad("residual_scale", residualScale, "a finite number");
        }
        if (!Loss.NAMES.contains(loss)) {
            bad("loss", "'" + loss + "'", "one of " + Loss.NAMES);
        }
        if ("cross_entropy".equals(loss) && List.of("sphere", "teacher", "linear_teacher").contains(dataset.kind())) {
            bad("loss", "'cross_entropy'", "mse for the regression dataset " + dataset.kind()
                    + " (cross_entropy needs labels: sphere_labels, fashion_mnist, cifar10, or an npz with labels)");
        }
        if (steps < 0) {
            bad("steps", steps, "an integer >= 0");
        }
        if (evalEvery < 1) {
            bad("eval_every", evalEvery, "an integer >= 1");
        }
        if (!Double.isNaN(targetLoss) && !(targetLoss >= 0)) {
            bad("target_loss", targetLoss, "NaN (none) or a number >= 0");
        }
        if (!(divergenceFactor > 1)) {
            bad("divergence_factor", divergenceFactor, "a number > 1");
        }
        for (int c : checkpoints) {
            if (c < 0 || c > steps) {
                bad("checkpoints", checkpoints, "steps between 0 and steps = " + steps);
            }
        }
        for (int c : hessian.steps()) {
            if (c < 0 || c > steps) {
                bad("hessian.steps", hessian.steps(), "steps between 0 and steps = " + steps);
            }
        }
        for (int c : diagnostics.steps()) {
            if (c < 0 || c > steps) {
                bad("diagnostics.steps", diagnostics.steps(), "steps between 0 and steps = " + steps);
            }
        }
        if (!DTYPES.contains(dtype)) {
            bad("dtype", "'" + dtype + "'", "float64 or float32");
        }
        checkDiagnosticSizes();
        return this;
    }

    /**
     * The Jacobian spectra and representation ranks take the SVD of [size of h_l, input_dim] and [examples, size of h_l]
     * matrices, which {@link SvdLimit} bounds: a run beyond it is refused here, where the sizes are known before the
     * data (a synthetic or image kind; an npz's sizes are checked when its data are loaded, by the diagnostics).
     */
    private void checkDiagnosticSizes() {
        int[] dims = expectedDims();
        int[] shape = "image".equals(dataset.layout()) ? imageShape() : new int[] {dims[0]};
        if (diagnostics.steps().isEmpty() || dims[0] <= 0 || shape == null) {
            return;
        }
        NetworkSpec net = network(shape, Math.max(dims[1], 1));
        double rows = net.largestHiddenSize();
        String network = "arch " + arch + " of width " + width + " on inputs " + java.util.Arrays.toString(shape);
        if (diagnostics.jacobianInputs() > 0 && !SvdLimit.fits(rows, dims[0])) {
            bad("diagnostics.jacobian_inputs", diagnostics.jacobianInputs(), String.format(java.util.Locale.ROOT,
                    "0 for %s: its largest dh_l/dx would be a [%.0f, %d] matrix, and its SVD needs %s; fewer input features"
                    + " (dataset.downsample) or a smaller width", network, rows, dims[0], SvdLimit.limits()));
        }
        int examples = diagnostics.examples() > 0 && dataset.nTrain() > 0 ? Math.min(diagnostics.examples(), dataset.nTrain())
                : Math.max(diagnostics.examples(), dataset.nTrain());
        if (diagnostics.representation() && examples > 0 && !SvdLimit.fits(examples, rows)) {
            long most = SvdLimit.maxRows(rows);
            String reason = String.format(java.util.Locale.ROOT, "%s: its largest representation would be a [%d, %.0f] matrix, and its SVD"
                    + " needs %s", network, examples, rows, SvdLimit.limits());
            if (most >= 1) {
                bad("diagnostics.examples", diagnostics.examples(), "at most " + most + " with diagnostics.representation = true for " + reason);
            }
            bad("diagnostics.representation", true, "false for " + reason);
        }
    }

    private static void bad(String field, Object value, String allowed) {
        throw new IllegalArgumentException("run." + field + ": value " + value + " is not allowed; allowed: " + allowed);
    }

    /** Runs a section's own validation, naming its fields as run.section.field. */
    private static void section(String name, Supplier<?> validation) {
        try {
            validation.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith(name + ".") ? "run." + m : "run." + name + "." + m, e);
        }
    }

    /** The network for data of {@code inputDim} features and {@code outputDim} outputs. */
    public NetworkSpec network(int inputDim, int outputDim) {
        return new NetworkSpec(arch, inputDim, width, depth, outputDim, activation, bias, residualScale, loss);
    }

    /** The network for data whose examples have {@code shape} ([d] flat, [C, H, W] images) and {@code outputDim} outputs. */
    public NetworkSpec network(int[] shape, int outputDim) {
        int dim = 1;
        for (int s : shape) {
            dim = Math.multiplyExact(dim, s);
        }
        if (!NetworkSpec.CONVOLUTIONAL.contains(arch)) {
            return new NetworkSpec(arch, dim, width, depth, outputDim, activation, bias, residualScale, loss, List.of(), false, shortcut);
        }
        return new NetworkSpec(arch, dim, width, depth, outputDim, activation, bias, residualScale, loss,
                java.util.Arrays.stream(shape).boxed().toList(), batchNorm, shortcut);
    }

    /**
     * (input_dim, output_dim) known before loading the data, or zeros where only the data can tell
     * (an npz, or a file dataset with classes = 0). Images count after downsample.
     */
    public int[] expectedDims() {
        return switch (dataset.kind()) {
            case "sphere" -> new int[] {dataset.inputDim(), 1};
            case "sphere_labels" -> new int[] {dataset.inputDim(), dataset.classes()};
            case "teacher", "linear_teacher" -> new int[] {dataset.inputDim(), dataset.outputDim()};
            case "fashion_mnist", "cifar10" -> {
                int[] shape = imageShape();
                yield new int[] {shape == null ? 0 : shape[0] * shape[1] * shape[2], 10};
            }
            default -> new int[] {0, 0};
        };
    }

    /**
     * [C, H, W] of one input of an image kind after downsample (Fashion-MNIST's [1, 28, 28] and CIFAR-10's [3, 32, 32],
     * each side divided by dataset.downsample), or null: not an image kind, or a downsample only the data can judge
     * (one that does not divide 28, for files whose size the reader will check).
     */
    int[] imageShape() {
        int f = dataset.downsample();
        int[] full = switch (dataset.kind()) {
            case "fashion_mnist" -> new int[] {1, 28, 28};
            case "cifar10" -> new int[] {3, 32, 32};
            default -> null;
        };
        if (full == null || f < 1 || full[1] % f != 0 || full[2] % f != 0) {
            return null;
        }
        return new int[] {full[0], full[1] / f, full[2] / f};
    }

    /** Parameters of this run's network, or -1 where only the data can tell. */
    public long paramCount() {
        int[] dims = expectedDims();
        if (dims[0] <= 0 || dims[1] <= 0) {
            return -1;
        }
        int[] shape = !"image".equals(dataset.layout()) ? new int[] {dims[0]} : imageShape();
        return network(shape, dims[1]).paramCount();
    }

    /** Config key (dotted, as in HOCON) to value, in a fixed order. */
    public Map<String, Object> fields() {
        return RecordBinding.flatten(this, "", ".");
    }

    /** The Parquet columns of this spec: {@link #fields()} with '.' as '_' (dataset.n_train is dataset_n_train). */
    public Map<String, Object> columns() {
        return RecordBinding.flatten(this, "", "_");
    }

    /** The canonical text that {@link #runId()} hashes: {@code key=value;} in {@link #fields()} order. */
    public String canonical() {
        StringBuilder sb = new StringBuilder();
        fields().forEach((k, v) -> {
            if (!(LATER_FIELDS.containsKey(k) && LATER_FIELDS.get(k).equals(v))) {
                sb.append(k).append('=').append(v).append(';');
            }
        });
        return sb.toString();
    }

    /** 16 hex digits of SHA-256 over {@link #canonical()}. */
    public String runId() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical().getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                sb.append(String.format("%02x", h[i]));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
