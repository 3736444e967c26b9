package io.depthscope.util;

import java.util.Locale;

/** The one mapping from Java component names to config keys and table columns. */
public final class Names {
    private Names() {}

    /** camelCase to snake_case: {@code nTrain} is n_train, {@code weightGradientNorm} weight_gradient_norm. */
    public static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
