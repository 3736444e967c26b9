package io.depthscope.util;

import java.util.Locale;

/** The one mapping from Java component names to config keys and table columns. */
public final class Names {
    private Names() {}

    /** camelCase to snake_case: {@code nTrain} is n_train, {@code weightGradientNorm} weight_gradient_norm. */
    public static String snake(String camel) {
        // by hand, not replaceAll: it compiled a pattern per call, and the tables call this per column and row
        StringBuilder out = new StringBuilder(camel.length() + 8);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (i > 0 && c >= 'A' && c <= 'Z') {
                char before = camel.charAt(i - 1);
                if ((before >= 'a' && before <= 'z') || (before >= '0' && before <= '9')) {
                    out.append('_');
                }
            }
            out.append(c);
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /**
     * {@code s} as it may appear inside a one-line error message: control characters (a newline in a
     * corrupt header or a quoted config key) escaped as \xNN, and anything past 200 characters cut.
     */
    public static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 200; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? String.format(Locale.ROOT, "\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.length() < 200 ? out.toString() : out + "...";
    }

    /** True when {@code s} holds a control character, which no name, kind or path of ours contains. */
    public static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }
}
