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
