package io.depthscope.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Generated bad {@code .npy} images: corrupted bytes of valid arrays, and headers written field by field. */
class NpyPropertiesTest {

    @Property(tries = 1000, seed = Mutation.SEED)
    void corruptedBytesAreReadConsistentlyOrRejectedByName(@ForAll("arrays") INDArray array, @ForAll("mutations") Mutation[] mutations) {
        byte[] original = Npy.write(array);
        byte[] bytes = Mutation.applyAll(original, mutations);
        INDArray read = BadInput.acceptOrReject(() -> Npy.read(bytes, "vector"), "vector");
        if (read != null) {
            assertEquals(Arrays.stream(read.shape()).reduce(1, (x, y) -> x * y), read.length(), "length and shape agree");
            if (Arrays.equals(bytes, original)) {
                assertEquals(array, read);
            }
        }
    }

    /** Headers numpy could never write: huge, negative or overflowing shapes, odd dtypes, versions and lengths. */
    @Property(tries = 1500, seed = Mutation.SEED)
    void editedHeadersAreReadAsDeclaredOrRejectedByName(@ForAll("descrs") String descr, @ForAll("shapes") List<String> shape,
            @ForAll boolean fortran, @ForAll @IntRange(min = 0, max = 4) int version, @ForAll("dataLengths") int dataLength) {
        String tuple = "(" + String.join(", ", shape) + (shape.size() == 1 ? ",)" : ")");
        String header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + tuple + ", }";
        long declared = declaredBytes(descr, shape);
        int data = dataLength >= 0 ? dataLength : (int) Math.max(0, Math.min(declared, 4096));
        byte[] bytes = NpyImages.image(version, header, data);
        INDArray read = BadInput.acceptOrReject(() -> Npy.read(bytes, "weights key 'x'"), "weights key 'x'");
        if (read != null) {
            assertArrayEquals(shape.stream().filter(d -> !d.isEmpty()).mapToLong(Long::parseLong).toArray(), read.shape(), "the shape as declared");
            assertEquals(data, read.length() * read.dataType().width(), "the data as declared");
        }
    }

    @Provide
    Arbitrary<INDArray> arrays() {
        Arbitrary<long[]> shapes = Arbitraries.longs().between(0, 4).array(long[].class).ofMaxSize(3);
        Arbitrary<DataType> dtypes = Arbitraries.of(DataType.DOUBLE, DataType.FLOAT, DataType.LONG, DataType.INT);
        return Combinators.combine(shapes, dtypes, Arbitraries.longs()).as((s, t, seed) -> {
            int n = (int) Arrays.stream(s).reduce(1, (x, y) -> x * y);
            double[] v = new java.util.Random(seed).doubles(n, -1000, 1000).toArray();
            return n == 0 ? Nd4j.create(t, s) : Nd4j.createFromArray(v).reshape(s).castTo(t);
        });
    }

    @Provide
    Arbitrary<Mutation[]> mutations() {
        return Mutation.some();
    }

    @Provide
    Arbitrary<String> descrs() {
        return Arbitraries.of("<f8", "<f4", "<i8", "<i4", ">f8", "|f4", "=i8", "f8", "<f2", "<u1", "|b1", "<c16", "O", "", "<");
    }

    /** Mostly small dimensions, but also the extremes a corrupt or hostile header can declare. */
    @Provide
    Arbitrary<List<String>> shapes() {
        Arbitrary<String> dim = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(0, 5).map(String::valueOf)),
                net.jqwik.api.Tuple.of(3, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, 1L << 62, (long) Integer.MAX_VALUE,
                        -1L, -2L, 3_037_000_500L).map(String::valueOf)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("", "3L", "1e3", "99999999999999999999", "x")),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().map(String::valueOf)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, dim.list().ofMaxSize(5)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(30, 70).map(r -> java.util.Collections.nCopies(r, "1"))));
    }

    /** -1: exactly the bytes the header declares (when that is small); else an arbitrary length. */
    @Provide
    Arbitrary<Integer> dataLengths() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(-1)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 64)));
    }

    /** The data bytes the header declares, capped (and 0 when it cannot be computed: the reader must say why). */
    private static long declaredBytes(String descr, List<String> shape) {
        long count = 1;
        for (String d : shape) {
            long v;
            try {
                v = Long.parseLong(d);
            } catch (NumberFormatException e) {
                return 0;
            }
            if (v < 0 || (v > 0 && count > Long.MAX_VALUE / v)) {
                return 0;
            }
            count *= v;
        }
        int width = descr.endsWith("8") ? 8 : descr.endsWith("4") ? 4 : 1;
        return count > Long.MAX_VALUE / width ? 0 : count * width;
    }


}
