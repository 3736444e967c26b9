package io.depthscope.util;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (a data set's files, a program): without it the test is skipped on a
 * developer's machine but fails under CI (env {@code CI}, set by .ci/run), which installs it, so a broken
 * install step cannot pass as a green run that quietly tested less.
 */
public final class Required {
    private Required() {}

    /** Skips (or under CI fails) unless {@code file} exists; {@code install} says how to get it. */
    public static void file(Path file, String what, String install) {
        present(Files.exists(file), what + " is missing (" + file + "); install it: " + install);
    }

    /** Skips (or under CI fails) unless {@code present}; {@code reason} says what is missing and how to install it. */
    public static void present(boolean present, String reason) {
        if (present) {
            return;
        }
        if (System.getenv("CI") != null) {
            fail("under CI: " + reason);
        }
        Assumptions.abort(reason + " (the test is skipped here; under CI it fails)");
    }
}
