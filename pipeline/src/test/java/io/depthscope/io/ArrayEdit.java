package io.depthscope.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One edit of an archive's arrays, below the bytes: a value made NaN, infinite or out of range, a dtype
 * changed, a shape bent, a key dropped, renamed or added. {@code key} and {@code at} are fractions, so one
 * generated edit applies to any archive.
 */
public record ArrayEdit(String kind, double key, double at, double value) {

    public static Arbitrary<ArrayEdit> any() {
        return Combinators.combine(
                Arbitraries.of("value", "nan", "inf", "-inf", "float32", "int64", "int32", "transpose", "flatten", "add-axis",
                        "drop-row", "empty", "drop", "rename", "extra"),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.of(-1.0, 0.0, 1.0, 2.0, 9.0, 10.0, 1e9, -1e300, 1e300, 0.5)).as(ArrayEdit::new);
    }

    /** The name of the key this edit touches in {@code arrays}. */
    public String target(Map<String, INDArray> arrays) {
        List<String> keys = new ArrayList<>(arrays.keySet());
        return keys.get(Math.min(keys.size() - 1, (int) (key * keys.size())));
    }

    /**
     * True when the edit certainly makes the archive bad whatever its reader expects: a missing or unknown
     * key, or a non-finite value in a floating array. Other edits may be harmless (a float32 copy, a value
     * in range), so those are only held to the general invariant.
     */
    public boolean certainlyBad(Map<String, INDArray> arrays) {
        INDArray a = arrays.get(target(arrays));
        boolean floating = a.dataType() == DataType.DOUBLE || a.dataType() == DataType.FLOAT;
        return switch (kind) {
            case "drop", "rename", "extra" -> true;
            case "nan", "inf", "-inf" -> floating && a.length() > 0;
            default -> false;
        };
    }

    public Map<String, INDArray> apply(Map<String, INDArray> arrays) {
        String name = target(arrays);
        INDArray a = arrays.get(name);
        Map<String, INDArray> out = new LinkedHashMap<>(arrays);
        switch (kind) {
            case "drop" -> out.remove(name);
            case "rename" -> {
                out.remove(name);
                out.put(name + "_", a);
            }
            case "extra" -> out.put("extra", Nd4j.zeros(DataType.DOUBLE, 2));
            default -> out.put(name, edited(a));
        }
        return out;
    }

    private INDArray edited(INDArray a) {
        INDArray b = a.dup('c');
        long n = b.length();
        long i = Math.min(n - 1, (long) (at * n));
        return switch (kind) {
            case "value" -> n == 0 ? b : set(b, i, value);
            case "nan" -> n == 0 ? b : set(b, i, Double.NaN);
            case "inf" -> n == 0 ? b : set(b, i, Double.POSITIVE_INFINITY);
            case "-inf" -> n == 0 ? b : set(b, i, Double.NEGATIVE_INFINITY);
            case "float32" -> b.castTo(DataType.FLOAT);
            case "int64" -> b.castTo(DataType.LONG);
            case "int32" -> b.castTo(DataType.INT);
            case "transpose" -> b.rank() == 2 ? b.transpose().dup('c') : b;
            case "flatten" -> b.reshape(n);
            case "add-axis" -> b.reshape(prepend(b.shape()));
            case "drop-row" -> b.rank() == 0 || b.size(0) == 0 ? b : b.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, b.size(0))).dup('c');
            case "empty" -> Nd4j.create(b.dataType(), zeroRows(b.shape()));
            default -> throw new IllegalStateException(kind);
        };
    }

    /** Sets flat element i; a non-finite value in an integer array becomes whatever the cast gives (still an integer). */
    private static INDArray set(INDArray b, long i, double v) {
        INDArray flat = b.reshape(b.length());
        flat.putScalar(i, v);
        return flat.reshape(b.shape());
    }

    private static long[] prepend(long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = 1;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private static long[] zeroRows(long[] shape) {
        long[] s = shape.length == 0 ? new long[] {0} : shape.clone();
        s[0] = 0;
        return s;
    }
}
