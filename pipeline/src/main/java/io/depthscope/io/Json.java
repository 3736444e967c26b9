package io.depthscope.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/**
 * JSON through ND4J's pre-shaded Jackson, so the pipeline never meets the Jackson that Spark brings.
 * Results are written through {@link AtomicFiles}, so a failed run leaves no half-written result behind.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The JSON document at {@code path}; {@code what} names the input in errors. */
    public static JsonNode read(Path path, String what) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(what + ": file " + path + " does not exist; allowed: a readable JSON file");
        }
        try {
            return MAPPER.readTree(path.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + ": " + path + " is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot read " + path, e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Writes {@code value} as JSON to {@code target} all at once: readers see the old file or the complete new one. */
    public static void writeAtomically(Path target, Object value) {
        AtomicFiles.writeString(target, write(value) + "\n");
    }

    /** JSON has no NaN or infinity: such values are written as null rather than as the strings "NaN"/"Infinity". */
    public static Double finiteOrNull(double x) {
        return Double.isFinite(x) ? x : null;
    }

    /** {@link #finiteOrNull} over an array, as a JSON-ready list. */
    public static java.util.List<Double> finiteList(double[] values) {
        java.util.List<Double> out = new java.util.ArrayList<>(values.length);
        for (double v : values) {
            out.add(finiteOrNull(v));
        }
        return out;
    }
}
