package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class Cifar10Test {
    @TempDir
    Path dir;

    /** Record r of file f: label (f + r) mod 10, pixel j = (j + 13 f + 5 r) mod 256. */
    private static byte[] file(int f, int records) {
        byte[] out = new byte[records * Cifar10.RECORD];
        for (int r = 0; r < records; r++) {
            out[r * Cifar10.RECORD] = (byte) ((f + r) % 10);
            for (int j = 0; j < Cifar10.PIXELS; j++) {
                out[r * Cifar10.RECORD + 1 + j] = (byte) ((j + 13 * f + 5 * r) & 0xFF);
            }
        }
        return out;
    }

    /** Five training files of 2 records each (file index 1..5) and a test file of 3 (file index 0). */
    private static void writeAll(Path into) throws IOException {
        Files.createDirectories(into);
        for (int f = 1; f <= 5; f++) {
            Files.write(into.resolve("data_batch_" + f + ".bin"), file(f, 2));
        }
        Files.write(into.resolve("test_batch.bin"), file(0, 3));
    }

    private Dataset load(DatasetSpec spec) {
        return Datasets.load(spec.withPath(dir.toString()), DataType.DOUBLE);
    }

    @Test
    void readsRecordsInFileOrderWithChannelFirstPixels() throws IOException {
        writeAll(dir);
        Dataset d = load(DatasetSpec.of("cifar10"));
        assertEquals(10, d.classes());
        assertArrayEquals(new long[] {10, 3072}, d.train().x().shape());
        assertArrayEquals(new long[] {3, 3072}, d.test().x().shape());
        assertArrayEquals(new int[] {1, 2, 2, 3, 3, 4, 4, 5, 5, 6}, Dataset.labels(d.train()));
        assertArrayEquals(new int[] {0, 1, 2}, Dataset.labels(d.test()));
        for (int row = 0; row < 10; row++) {
            int f = row / 2 + 1;
            int r = row % 2;
            // red (0), green (1024) and blue (2048) planes, and the last pixel
            for (int j : new int[] {0, 1, 1023, 1024, 2048, 3071}) {
                assertEquals(((j + 13 * f + 5 * r) & 0xFF) / 255.0, d.train().x().getDouble(row, j), "row " + row + " pixel " + j);
            }
        }
        assertEquals(((2 + 5 * 2) & 0xFF) / 255.0, d.test().x().getDouble(2, 2));
    }

    @Test
    void imageLayoutIsThreeByThirtyTwoByThirtyTwo() throws IOException {
        writeAll(dir);
        assertArrayEquals(new int[] {3, 32, 32}, load(DatasetSpec.of("cifar10").withLayout("image")).inputShape());
        assertArrayEquals(new int[] {3072}, load(DatasetSpec.of("cifar10")).inputShape());
    }

    @Test
    void findsTheTarballsSubdirectory() throws IOException {
        writeAll(dir.resolve(Cifar10.SUBDIR));
        Dataset d = load(DatasetSpec.of("cifar10"));
        assertEquals(10, d.train().size());
        assertTrue(d.description().contains(Cifar10.SUBDIR), d.description());
    }

    @Test
    void lengthMustBeAMultipleOfTheRecord() throws IOException {
        writeAll(dir);
        Path f = dir.resolve("data_batch_3.bin");
        Files.write(f, Arrays.copyOf(file(3, 2), 2 * Cifar10.RECORD - 1));
        String e = assertThrows(IllegalArgumentException.class, () -> load(DatasetSpec.of("cifar10"))).getMessage();
        assertTrue(e.contains("data_batch_3.bin: length 6145 bytes is not allowed; allowed: a positive multiple of 3073"), e);
        Files.write(f, new byte[0]);
        String empty = assertThrows(IllegalArgumentException.class, () -> load(DatasetSpec.of("cifar10"))).getMessage();
        assertTrue(empty.contains("length 0 bytes"), empty);
    }

    @Test
    void labelByteOutOfRange() throws IOException {
        writeAll(dir);
        byte[] t = file(0, 3);
        t[2 * Cifar10.RECORD] = 10;
        Files.write(dir.resolve("test_batch.bin"), t);
        String e = assertThrows(IllegalArgumentException.class, () -> load(DatasetSpec.of("cifar10"))).getMessage();
        assertTrue(e.contains("test_batch.bin: label 10 in record 2 is out of range; allowed: 0..9"), e);
    }

    @Test
    void missingFileAndMissingPath() throws IOException {
        writeAll(dir);
        Files.delete(dir.resolve("data_batch_5.bin"));
        String e = assertThrows(IllegalArgumentException.class, () -> load(DatasetSpec.of("cifar10"))).getMessage();
        assertTrue(e.contains("data_batch_5.bin does not exist"), e);
        String noPath = assertThrows(IllegalArgumentException.class,
                () -> Datasets.load(DatasetSpec.of("cifar10"), DataType.DOUBLE)).getMessage();
        assertTrue(noPath.startsWith("path: missing for kind cifar10"), noPath);
    }

    @Test
    void subsampleKeepsWhatItTakesIntact() throws IOException {
        writeAll(dir);
        Dataset all = load(DatasetSpec.of("cifar10"));
        Dataset some = load(DatasetSpec.of("cifar10").withSizes(4, 2).withSeed(9));
        int[] rows = Subsample.indices(10, 4, io.depthscope.util.Seeds.stream(9, "subsample"));
        for (int i = 0; i < 4; i++) {
            assertEquals(all.train().x().getRow(rows[i]), some.train().x().getRow(i));
            assertEquals(Dataset.labels(all.train())[rows[i]], Dataset.labels(some.train())[i]);
        }
        assertEquals(2, some.test().size());
    }
}
