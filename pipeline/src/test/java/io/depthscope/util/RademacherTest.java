package io.depthscope.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The bulk Rademacher draw against SplittableRandom itself, entry for entry, from any point of a stream. */
class RademacherTest {
    private static final long[] SEEDS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x9e3779b97f4a7c15L,
        Seeds.derive(0, "hutchinson", 0), Seeds.derive(42, "slq", 7)};

    /** Draws first .. first+n-1 of new SplittableRandom(seed), the way RandomArrays.rademacher draws them. */
    private static double[] reference(long seed, int first, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < first; i++) {
            rng.nextBoolean();
        }
        return RandomArrays.rademacher(rng, n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"FLOAT", "DOUBLE"})
    void fillEqualsSplittableRandomEntryForEntry(String dtypeName) {
        DataType dtype = DataType.valueOf(dtypeName);
        int[] lengths = {1, 2, 31, 1000, 65_537};
        int[] offsets = {0, 1, 63, 100_003};
        for (long seed : SEEDS) {
            for (int n : lengths) {
                for (int first : offsets) {
                    double[] expected = reference(seed, first, n);
                    INDArray out = Nd4j.create(dtype, n);
                    Rademacher.fill(seed, first, out);
                    assertArrayEquals(expected, out.toDoubleVector(), 0.0, () -> "seed " + seed + ", n " + n + ", first " + first);
                }
            }
        }
    }

    /** Both signs come up about equally often: a formula that lost the sign bit would give one sign only. */
    @Test
    void signsAreBalanced() {
        INDArray out = Nd4j.create(DataType.DOUBLE, 100_000);
        Rademacher.fill(Seeds.derive(3, "hutchinson", 1), 0, out);
        // the sum of 1e5 fair signs has SD 316; 2000 is 6.3 SD
        assertEquals(0, out.sumNumber().doubleValue(), 2000);
        assertEquals(100_000, out.norm1Number().doubleValue(), 0.0);
    }

    @Test
    void rejectsViewsAndOtherDtypes() {
        INDArray matrix = Nd4j.create(DataType.DOUBLE, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> Rademacher.fill(0, 0, matrix.getRow(1)));
        assertThrows(IllegalArgumentException.class, () -> Rademacher.fill(0, 0, matrix));
        assertThrows(IllegalArgumentException.class, () -> Rademacher.fill(0, 0, Nd4j.create(DataType.INT, 5)));
    }
}
