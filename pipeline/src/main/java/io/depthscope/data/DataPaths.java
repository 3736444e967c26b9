package io.depthscope.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files a dataset spec will read, checked where its reader will look for them and before anything
 * runs: with a wrong path a study would start every run only to see each one fail. The readers open local
 * files (java.nio) on the machine that runs the task, so this is the check that agrees with them; a URI
 * such as hdfs://... is named as not read rather than looked up somewhere the readers never look.
 */
public final class DataPaths {
    private DataPaths() {}

    /** Throws, naming {@code prefix + "path"} (or test_path), the value and what is allowed, when a file is missing. */
    public static void check(DatasetSpec s, String prefix) {
        local(prefix + "path", s.path());
        local(prefix + "test_path", s.testPath());
        switch (s.kind()) {
            case "npz" -> {
                file(prefix + "path", s.path());
                if (s.testPath() != null) {
                    file(prefix + "test_path", s.testPath());
                }
            }
            case "fashion_mnist" -> FashionMnist.files(s.path() == null ? FashionMnist.DEBIAN_DIR : Path.of(s.path()), prefix + "path");
            case "cifar10" -> Cifar10.files(Path.of(s.path()), prefix + "path");
            default -> { } // synthetic data: nothing to read
        }
    }

    /**
     * Throws, naming {@code prefix + "downsample"}, when downsample does not divide the size of the images the spec will read:
     * CIFAR-10's is fixed (validation checks it), Fashion-MNIST's is in its train images' header. Call after {@link #check}.
     */
    public static void checkDownsample(DatasetSpec s, String prefix) {
        if (s.downsample() == 1 || !"fashion_mnist".equals(s.kind())) {
            return;
        }
        Path dir = s.path() == null ? FashionMnist.DEBIAN_DIR : Path.of(s.path());
        int[] size = Idx.imageSize(FashionMnist.files(dir, prefix + "path")[0]);
        try {
            s.checkDownsample(size[0], size[1], "in " + dir);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + e.getMessage(), e);
        }
    }

    private static void file(String field, String value) {
        if (!Files.isRegularFile(Path.of(value))) {
            throw new IllegalArgumentException(field + ": value '" + value + "' is not allowed: no such file; allowed: a readable .npz file"
                    + " (x with y or labels)");
        }
    }

    /** A URI would be read as a relative local path (hdfs://nn/x as ./hdfs:/nn/x): say so rather than "not found". */
    private static void local(String field, String value) {
        if (value != null && value.matches("^[A-Za-z][A-Za-z0-9+.-]*:/.*")) {
            throw new IllegalArgumentException(field + ": value '" + value + "' is not allowed; allowed: a local path present on every "
                    + "executor (the readers open local files; a URI such as hdfs:// or file:// is not read)");
        }
    }
}
