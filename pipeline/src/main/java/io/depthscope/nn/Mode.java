package io.depthscope.nn;

import java.util.Locale;

/**
 * PyTorch's train/eval switch. It matters only to modules with buffers (BatchNorm): in {@link #TRAIN} they
 * normalise by the statistics of the batch they see, which couples its examples, and in {@link #EVAL} by
 * their stored running statistics, which makes every example independent.
 */
public enum Mode {
    TRAIN,
    EVAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Mode of(String name) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return switch (key) {
            case "train" -> TRAIN;
            case "eval" -> EVAL;
            default -> throw new IllegalArgumentException("mode: unknown value '" + name + "'; allowed: train, eval");
        };
    }
}
