package io.depthscope.io;

import java.util.function.Supplier;
import net.jqwik.api.statistics.Statistics;

/**
 * The invariant of every generated bad-input case: the reader either accepts the input (a mutation can be
 * harmless) or rejects it with an {@link IllegalArgumentException} whose message is one line naming the
 * input. Any other exception (ArithmeticException, NegativeArraySizeException, ND4J's, OutOfMemoryError,
 * IndexOutOfBounds...) is not caught here, so it fails the property and jqwik reports the case.
 */
public final class BadInput {
    private BadInput() {}

    /** The reader's result, or null when it rejected the input properly; counts both in jqwik's statistics. */
    public static <T> T acceptOrReject(Supplier<T> reader, String... named) {
        try {
            T result = reader.get();
            Statistics.label("outcome").collect("accepted");
            return result;
        } catch (IllegalArgumentException e) {
            requireOneLine(e.getMessage(), named);
            Statistics.label("outcome").collect("rejected");
            return null;
        }
    }

    /** As {@link #acceptOrReject(Supplier, String...)}, the message matching {@code named} (e.g. starting with a field). */
    public static <T> T acceptOrReject(Supplier<T> reader, java.util.regex.Pattern named) {
        try {
            T result = reader.get();
            Statistics.label("outcome").collect("accepted");
            return result;
        } catch (IllegalArgumentException e) {
            requireOneLine(e.getMessage());
            if (!named.matcher(e.getMessage()).matches()) {
                throw new AssertionError("the message does not name the field as " + named + " wants: " + e.getMessage());
            }
            Statistics.label("outcome").collect("rejected");
            return null;
        }
    }

    /** The input must be rejected (the generator made it bad on purpose). */
    public static void rejected(Runnable reader, String... named) {
        Object accepted = acceptOrReject(() -> {
            reader.run();
            return "accepted";
        }, named);
        if (accepted != null) {
            throw new AssertionError("bad input was accepted; expected an error naming " + String.join(", ", named));
        }
    }

    /** One non-blank line that contains every string of {@code named}. */
    public static void requireOneLine(String message, String... named) {
        if (message == null || message.isBlank()) {
            throw new AssertionError("bad input rejected without a message");
        }
        if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0) {
            throw new AssertionError("the message is not one line: " + message);
        }
        for (String n : named) {
            if (!message.contains(n)) {
                throw new AssertionError("the message does not name '" + n + "': " + message);
            }
        }
    }
}
