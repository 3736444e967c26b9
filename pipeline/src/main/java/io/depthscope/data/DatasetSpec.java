package io.depthscope.data;

import io.depthscope.nn.Activations;
import java.util.List;
import java.util.Locale;

/**
 * Everything that determines a dataset's numbers: the same spec gives the same examples, in the same
 * order, on every machine. {@link #of(String)} gives the defaults; the {@code with} methods change one
 * field. Sizes of 0 for the file kinds mean "all the file has".
 *
 * <ul>
 *   <li>{@code sphere}: unit-sphere inputs, random +-1 targets (Du et al. 2018); regression, 1 output</li>
 *   <li>{@code sphere_labels}: unit-sphere inputs, uniformly random labels of {@code classes} classes</li>
 *   <li>{@code teacher}: N(0, I) inputs, targets of a random mlp teacher (+ optional Gaussian target noise)</li>
 *   <li>{@code linear_teacher}: N(0, I) inputs, y = M x, M [output_dim, input_dim] with N(0, 1/input_dim)
 *       entries (deep linear networks: Saxe et al. 2013)</li>
 *   <li>{@code fashion_mnist}: the IDX files in {@code path}, by default Debian's /usr/share/datasets/fashion-mnist</li>
 *   <li>{@code cifar10}: the binary files in {@code path}</li>
 *   <li>{@code npz}: {@code x} [N, d] with {@code y} [N, k] or integer {@code labels} [N] in {@code path}, and
 *       optionally the same keys in {@code test_path}</li>
 * </ul>
 *
 * <p>{@code downsample} f (layout image only; 1 = none): each [C, H, W] image becomes [C, H/f, W/f], every pixel the
 * mean of its f x f block in its channel (f must divide H and W), before subsampling and standardisation.
 */
public record DatasetSpec(
        String kind,
        String path,
        String testPath,
        int nTrain,
        int nTest,
        int inputDim,
        int outputDim,
        int classes,
        int teacherDepth,
        int teacherWidth,
        String teacherActivation,
        double teacherSigma2,
        long teacherSeed,
        double targetNoise,
        String layout,
        boolean standardize,
        double labelNoise,
        long seed,
        boolean channelStandardize,
        String augment,
        int downsample) implements java.io.Serializable {

    public static final List<String> KINDS =
            List.of("sphere", "sphere_labels", "teacher", "linear_teacher", "fashion_mnist", "cifar10", "npz");
    public static final List<String> SYNTHETIC = List.of("sphere", "sphere_labels", "teacher", "linear_teacher");
    public static final List<String> LAYOUTS = List.of("flat", "image");
    /** Training-time augmentation of image minibatches: none, or He et al.'s random crop (4 zero pixels of padding) and horizontal flip. */
    public static final List<String> AUGMENTATIONS = List.of("none", "crop_flip");

    public DatasetSpec {
        kind = lower(kind);
        teacherActivation = lower(teacherActivation);
        layout = lower(layout);
        augment = augment == null ? "none" : lower(augment);
    }

    /**
     * Defaults: synthetic kinds 256 train and 256 test examples of input_dim 16; file kinds everything
     * in the files (n_train = n_test = input_dim = classes = 0, read from the data). output_dim 1;
     * classes 2 for sphere_labels; teacher depth 2, width 32, relu, sigma2 2 (He), teacher_seed 0,
     * no target noise; layout flat; no standardisation; no label noise; seed 0; no per-channel standardisation,
     * no augmentation; no downsampling (downsample 1).
     */
    public static DatasetSpec of(String kind) {
        String k = lower(kind);
        boolean synthetic = SYNTHETIC.contains(k);
        int n = synthetic ? 256 : 0;
        return new DatasetSpec(k, null, null, n, n, synthetic ? 16 : 0, 1, "sphere_labels".equals(k) ? 2 : 0,
                2, 32, "relu", 2.0, 0, 0.0, "flat", false, 0.0, 0, false, "none", 1);
    }

    public boolean synthetic() {
        return SYNTHETIC.contains(kind);
    }

    /** Checks every field for this kind; the error names the field, the value and what is allowed. */
    public DatasetSpec validate() {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind: unknown value '" + kind + "'; allowed: " + String.join(", ", KINDS));
        }
        if (synthetic()) {
            absent("path", path, "synthetic data is generated, not read");
            atLeast("n_train", nTrain, 1, "");
            atLeast("n_test", nTest, 1, " (a held-out split from the same distribution)");
            atLeast("input_dim", inputDim, 1, "");
        } else {
            if (path == null && !"fashion_mnist".equals(kind)) {
                throw new IllegalArgumentException("path: missing for kind " + kind + "; allowed: "
                        + ("npz".equals(kind) ? "an .npz file" : "the directory of CIFAR-10's binary files"));
            }
            atLeast("n_train", nTrain, 0, ", or 0 for all");
            atLeast("n_test", nTest, 0, ", or 0 for all");
            atLeast("input_dim", inputDim, 0, ", or 0 to take it from the data");
        }
        if (!"npz".equals(kind)) {
            absent("test_path", testPath, "only kind npz reads a separate test file");
        } else if (testPath == null && nTest != 0) {
            throw new IllegalArgumentException("n_test: value " + nTest + " is not allowed without test_path; allowed: 0");
        }
        switch (kind) {
            case "sphere" -> {
                exactly("output_dim", outputDim, 1, "sphere targets are +-1 scalars");
                exactly("classes", classes, 0, "sphere is regression; use sphere_labels for classes");
            }
            case "sphere_labels" -> atLeast("classes", classes, 2, "");
            case "teacher", "linear_teacher" -> {
                atLeast("output_dim", outputDim, 1, "");
                exactly("classes", classes, 0, kind + " is regression");
                if (!(targetNoise >= 0) || !Double.isFinite(targetNoise)) {
                    throw new IllegalArgumentException("target_noise: value " + targetNoise
                            + " is not allowed; allowed: a finite standard deviation >= 0");
                }
                if ("teacher".equals(kind)) {
                    validateTeacher();
                }
            }
            case "fashion_mnist", "cifar10" -> {
                if (classes != 0 && classes != 10) {
                    throw new IllegalArgumentException("classes: value " + classes + " is not allowed for " + kind
                            + "; allowed: 10, or 0 to take it from the data");
                }
            }
            default -> { // npz
                if (classes == 1 || classes < 0) {
                    throw new IllegalArgumentException("classes: value " + classes + " is not allowed; allowed: >= 2, "
                            + "or 0 to take it from the labels (max + 1)");
                }
            }
        }
        if (!LAYOUTS.contains(layout)) {
            throw new IllegalArgumentException("layout: unknown value '" + layout + "'; allowed: " + String.join(", ", LAYOUTS));
        }
        if ("image".equals(layout) && !"fashion_mnist".equals(kind) && !"cifar10".equals(kind)) {
            throw new IllegalArgumentException("layout: value 'image' is not allowed for kind " + kind
                    + "; allowed: flat (image is for fashion_mnist and cifar10)");
        }
        if (!AUGMENTATIONS.contains(augment)) {
            throw new IllegalArgumentException("augment: unknown value '" + augment + "'; allowed: " + String.join(", ", AUGMENTATIONS));
        }
        if (!"image".equals(layout) && (channelStandardize || !"none".equals(augment))) {
            throw new IllegalArgumentException((channelStandardize ? "channel_standardize: value true" : "augment: value '" + augment + "'")
                    + " is not allowed with layout " + layout + "; allowed: " + (channelStandardize ? "false" : "none")
                    + " (per-channel statistics and crops are for images: layout = image)");
        }
        if (downsample < 1) {
            throw new IllegalArgumentException("downsample: value " + downsample + " is not allowed; allowed: an integer >= 1 (1: the images as they are)");
        }
        if (downsample != 1 && !"image".equals(layout)) {
            throw new IllegalArgumentException("downsample: value " + downsample + " is not allowed with layout " + layout
                    + "; allowed: 1 (block means are for images: layout = image)");
        }
        if ("cifar10".equals(kind)) {
            checkDownsample(Cifar10.ROWS, Cifar10.COLS, "of cifar10");
        }
        if (channelStandardize && standardize) {
            throw new IllegalArgumentException("channel_standardize: value true is not allowed with standardize = true; allowed: one of"
                    + " the two (per-channel or per-pixel statistics of the training split)");
        }
        if (!(labelNoise >= 0 && labelNoise <= 1)) {
            throw new IllegalArgumentException("label_noise: value " + labelNoise + " is not allowed; allowed: a fraction in [0, 1]");
        }
        if (labelNoise > 0 && List.of("sphere", "teacher", "linear_teacher").contains(kind)) {
            throw new IllegalArgumentException("label_noise: value " + labelNoise + " is not allowed for kind " + kind
                    + " (regression targets); allowed: 0, or a classification kind (sphere_labels, fashion_mnist, cifar10, npz with labels)");
        }
        return this;
    }

    /**
     * Checks that {@code downsample} divides images of {@code rows} x {@code cols} ({@code where}: "of cifar10", "in dir");
     * called here for CIFAR-10, whose size is fixed, and by {@link Datasets} for other images once their size is known.
     */
    void checkDownsample(int rows, int cols, String where) {
        if (rows % downsample != 0 || cols % downsample != 0) {
            throw new IllegalArgumentException("downsample: value " + downsample + " does not divide the " + rows + "x" + cols
                    + " images " + where + "; allowed: " + divisors(rows, cols) + " (a divisor of both)");
        }
    }

    /** The common divisors of a and b, e.g. "1, 2, 4" for 28 and 28. */
    private static String divisors(int a, int b) {
        java.util.StringJoiner out = new java.util.StringJoiner(", ");
        for (int f = 1; f <= Math.min(a, b); f++) {
            if (a % f == 0 && b % f == 0) {
                out.add(String.valueOf(f));
            }
        }
        return out.toString();
    }

    private void validateTeacher() {
        atLeast("teacher_depth", teacherDepth, 1, "");
        atLeast("teacher_width", teacherWidth, 1, "");
        if (!Activations.NAMES.contains(teacherActivation)) {
            throw new IllegalArgumentException("teacher_activation: unknown value '" + teacherActivation + "'; allowed: "
                    + String.join(", ", Activations.NAMES));
        }
        if (!(teacherSigma2 > 0) || !Double.isFinite(teacherSigma2)) {
            throw new IllegalArgumentException("teacher_sigma2: value " + teacherSigma2 + " is not allowed; allowed: a finite number > 0");
        }
    }

    private static void atLeast(String field, int value, int min, String also) {
        if (value < min) {
            throw new IllegalArgumentException(field + ": value " + value + " is not allowed; allowed: an integer >= " + min + also);
        }
    }

    private void exactly(String field, int value, int allowed, String why) {
        if (value != allowed) {
            throw new IllegalArgumentException(field + ": value " + value + " is not allowed for kind " + kind + "; allowed: "
                    + allowed + " (" + why + ")");
        }
    }

    private void absent(String field, String value, String why) {
        if (value != null) {
            throw new IllegalArgumentException(field + ": value '" + value + "' is not allowed for kind " + kind
                    + "; allowed: none (" + why + ")");
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    public DatasetSpec withPath(String v) {
        return new DatasetSpec(kind, v, testPath, nTrain, nTest, inputDim, outputDim, classes, teacherDepth, teacherWidth,
                teacherActivation, teacherSigma2, teacherSeed, targetNoise, layout, standardize, labelNoise, seed, channelStandardize, augment, downsample);
    }

    public DatasetSpec withTestPath(String v) {
        return new DatasetSpec(kind, path, v, nTrain, nTest, inputDim, outputDim, classes, teacherDepth, teacherWidth,
                teacherActivation, teacherSigma2, teacherSeed, targetNoise, layout, standardize, labelNoise, seed, channelStandardize, augment, downsample);
    }

    public DatasetSpec withSizes(int train, int test) {
        return new DatasetSpec(kind, path, testPath, train, test, inputDim, outputDim, classes, teacherDepth, teacherWidth,
                teacherActivation, teacherSigma2, teacherSeed, targetNoise, layout, standardize, labelNoise, seed, channelStandardize, augment, downsample);
    }

    public DatasetSpec withDims(int in, int out, int k) {
        return new DatasetSpec(kind, path, testPath, nTrain, nTest, in, out, k, teacherDepth, teacherWidth,
                teacherActivation, teacherSigma2, teacherSeed, targetNoise, layout, standardize, labelNoise, seed, channelStandardize, augment, downsample);
    }

    public DatasetSpec withTeacher(int depth, int width, String activation, double sigma2, long tSeed, double noise) {
        return new DatasetSpec(kind, path, testPath, nTrain, nTest, inputDim, outputDim, classes, depth, width,
                activation, sigma2, tSeed, noise, layout, standardize, labelNoise, seed, channelStandardize, augment, downsample);
    }

    public DatasetSpec withLayout(String v) {
        return new DatasetSpec(kind, path, testPath, nTrain, nTest, inputDim, outputDim, classes, teacherDepth, teacherWidth,
                teacherActivation, teacherSigma2, teacherSeed, targetNoise, v, standardize, labelNoise, seed, channelStandardize, augment, downsample);
    }

    public DatasetSpec withStandardize(boolean v) {
        return new DatasetSpec(kind, path, testPath, nTrain, nTest, inputDim, outputDim, classes, teacherDepth, teacherWidth,
                teacherActivation, teacherSigma2, teacherSeed, targetNoise, layout, v, labelNoise, seed, channelStandardize, augment, downsample);
    }

    public DatasetSpec withLabelNoise(double v) {
        return new DatasetSpec(kind, path, testPath, nTrain, nTest, inputDim, outputDim, classes, teacherDepth, teacherWidth,
                teacherActivation, teacherSigma2, teacherSeed, targetNoise, layout, standardize, v, seed, channelStandardize, augment, downsample);
    }

    public DatasetSpec withSeed(long v) {
        return new DatasetSpec(kind, path, testPath, nTrain, nTest, inputDim, outputDim, classes, teacherDepth, teacherWidth,
                teacherActivation, teacherSigma2, teacherSeed, targetNoise, layout, standardize, labelNoise, v, channelStandardize, augment, downsample);
    }

    public DatasetSpec withChannelStandardize(boolean v) {
        return new DatasetSpec(kind, path, testPath, nTrain, nTest, inputDim, outputDim, classes, teacherDepth, teacherWidth,
                teacherActivation, teacherSigma2, teacherSeed, targetNoise, layout, standardize, labelNoise, seed, v, augment, downsample);
    }

    public DatasetSpec withDownsample(int v) {
        return new DatasetSpec(kind, path, testPath, nTrain, nTest, inputDim, outputDim, classes, teacherDepth, teacherWidth,
                teacherActivation, teacherSigma2, teacherSeed, targetNoise, layout, standardize, labelNoise, seed, channelStandardize, augment, v);
    }
}
