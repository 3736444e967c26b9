package io.depthscope.util;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/** The two precisions a run, a probe or a benchmark can use, by their numpy names. */
public final class Dtypes {
    private Dtypes() {}

    /** float64 or float32 (any case); anything else is an error naming the value and the choices. */
    public static DataType parse(String name) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "float64" -> DataType.DOUBLE;
            case "float32" -> DataType.FLOAT;
            default -> throw new IllegalArgumentException("dtype: unknown value '" + name + "'; allowed: float64, float32");
        };
    }

    /** The numpy name of a supported dtype. */
    public static String name(DataType dtype) {
        return switch (dtype) {
            case DOUBLE -> "float64";
            case FLOAT -> "float32";
            default -> throw new IllegalArgumentException("dtype: " + dtype + " is not supported; allowed: float64, float32");
        };
    }
}
