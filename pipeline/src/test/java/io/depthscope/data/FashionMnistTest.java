package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.util.Required;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FashionMnistTest {
    @TempDir
    Path dir;

    private Dataset load(DatasetSpec spec) {
        return Datasets.load(spec.withPath(dir.toString()), DataType.DOUBLE);
    }

    private String error(DatasetSpec spec) {
        return assertThrows(IllegalArgumentException.class, () -> load(spec)).getMessage();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void readsIdxFilesBackExactly(boolean gzip) throws IOException {
        // 3x2 images: not square, so a transposed reader would fail
        IdxFiles.fashion(dir, 5, 3, 3, 2, gzip);
        Dataset d = load(DatasetSpec.of("fashion_mnist"));
        assertEquals(10, d.classes());
        assertArrayEquals(new int[] {6}, d.inputShape());
        assertArrayEquals(new long[] {5, 6}, d.train().x().shape());
        assertArrayEquals(new long[] {3, 6}, d.test().x().shape());
        assertArrayEquals(new long[] {5, 10}, d.train().targets().shape());
        byte[] train = IdxFiles.pixels(30, 1);
        byte[] test = IdxFiles.pixels(18, 2);
        for (int i = 0; i < 30; i++) {
            assertEquals((train[i] & 0xFF) / 255.0, d.train().x().getDouble(i / 6, i % 6), "train pixel " + i);
        }
        for (int i = 0; i < 18; i++) {
            assertEquals((test[i] & 0xFF) / 255.0, d.test().x().getDouble(i / 6, i % 6), "test pixel " + i);
        }
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, Dataset.labels(d.train()));
        assertArrayEquals(new int[] {0, 1, 2}, Dataset.labels(d.test()));
        assertEquals(5.0, d.train().targets().sumNumber().doubleValue(), "one-hot rows");
    }

    @Test
    void theFilesAreReadOncePerContentAndAgainWhenTheyChange() throws IOException {
        IdxFiles.fashion(dir, 4, 2, 3, 2, true);
        FashionMnist.Splits first = FashionMnist.read(dir);
        assertSame(first, FashionMnist.read(dir), "the same files: the cached arrays");
        // rewritten at once with other pixels of the same size (the modification time may not change within a tick)
        IdxFiles.fashion(dir, 4, 2, 3, 2, false);
        Files.delete(dir.resolve("train-images-idx3-ubyte.gz"));
        FashionMnist.Splits plain = FashionMnist.read(dir);
        assertNotSame(first, plain);
        byte[] bytes = Files.readAllBytes(dir.resolve("train-images-idx3-ubyte"));
        bytes[bytes.length - 1] ^= 0x5A;
        Files.write(dir.resolve("train-images-idx3-ubyte"), bytes);
        FashionMnist.Splits changed = FashionMnist.read(dir);
        assertNotSame(plain, changed);
        int last = bytes.length - 1 - 16;
        assertEquals(bytes[bytes.length - 1], changed.train().bytes()[last], "the changed pixel is read");
    }

    @Test
    void imageLayoutKeepsTheShapeAndTheFlatVectors() throws IOException {
        IdxFiles.fashion(dir, 4, 2, 3, 2, true);
        Dataset flat = load(DatasetSpec.of("fashion_mnist"));
        Dataset image = load(DatasetSpec.of("fashion_mnist").withLayout("image"));
        assertArrayEquals(new int[] {1, 3, 2}, image.inputShape());
        assertEquals(6, image.inputDim());
        assertEquals(flat.train().x(), image.train().x());
    }

    @Test
    void float32HoldsTheSamePixels() throws IOException {
        IdxFiles.fashion(dir, 4, 2, 2, 2, false);
        Dataset d = Datasets.load(DatasetSpec.of("fashion_mnist").withPath(dir.toString()), DataType.FLOAT);
        assertEquals(DataType.FLOAT, d.train().x().dataType());
        byte[] p = IdxFiles.pixels(16, 1);
        assertEquals((float) ((p[5] & 0xFF) / 255.0), d.train().x().getFloat(1, 1));
    }

    @Test
    void missingDirectoryAndMissingFile() throws IOException {
        String noDir = assertThrows(IllegalArgumentException.class,
                () -> Datasets.load(DatasetSpec.of("fashion_mnist").withPath(dir.resolve("nope").toString()), DataType.DOUBLE)).getMessage();
        assertTrue(noDir.startsWith("path: directory") && noDir.contains("nope") && noDir.contains("does not exist"), noDir);
        IdxFiles.fashion(dir, 2, 2, 2, 2, true);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        String e = error(DatasetSpec.of("fashion_mnist"));
        assertTrue(e.contains("t10k-labels-idx1-ubyte.gz or t10k-labels-idx1-ubyte"), e);
    }

    @Test
    void wrongMagicNumbers() throws IOException {
        IdxFiles.fashion(dir, 2, 2, 2, 2, false);
        IdxFiles.write(dir, "train-images-idx3-ubyte", IdxFiles.images(Idx.LABELS, 2, 2, 2, new byte[8]), false);
        String images = error(DatasetSpec.of("fashion_mnist"));
        assertTrue(images.contains("train-images-idx3-ubyte: magic number 0x00000801 is not allowed; allowed: 0x00000803"), images);

        IdxFiles.fashion(dir, 2, 2, 2, 2, false);
        IdxFiles.write(dir, "t10k-labels-idx1-ubyte", IdxFiles.labels(0x00000803, new byte[2]), false);
        String labels = error(DatasetSpec.of("fashion_mnist"));
        assertTrue(labels.contains("t10k-labels-idx1-ubyte: magic number 0x00000803 is not allowed; allowed: 0x00000801"), labels);
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        IdxFiles.fashion(dir, 4, 2, 2, 2, true);
        IdxFiles.write(dir, "train-labels-idx1-ubyte", IdxFiles.labels(Idx.LABELS, IdxFiles.cycle(3)), true);
        String e = error(DatasetSpec.of("fashion_mnist"));
        assertTrue(e.contains("train-labels-idx1-ubyte.gz: 3 labels for 4 images"), e);
    }

    @Test
    void labelOutOfRange() throws IOException {
        IdxFiles.fashion(dir, 3, 2, 2, 2, false);
        IdxFiles.write(dir, "train-labels-idx1-ubyte", IdxFiles.labels(Idx.LABELS, new byte[] {1, 10, 2}), false);
        String e = error(DatasetSpec.of("fashion_mnist"));
        assertTrue(e.contains("label 10 at index 1 is out of range; allowed: 0..9"), e);
    }

    @Test
    void truncatedPlainFile() throws IOException {
        IdxFiles.fashion(dir, 3, 2, 2, 2, false);
        Path f = dir.resolve("train-images-idx3-ubyte");
        byte[] full = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(full, full.length - 5));
        String e = error(DatasetSpec.of("fashion_mnist"));
        assertTrue(e.contains("is truncated: the header declares 3 images of 2x2 (12 bytes) but only 7 follow"), e);

        Files.write(f, Arrays.copyOf(full, 6)); // inside the header
        String header = error(DatasetSpec.of("fashion_mnist"));
        assertTrue(header.contains("train-images-idx3-ubyte is corrupt or truncated"), header);
    }

    @Test
    void truncatedAndCorruptGzip() throws IOException {
        IdxFiles.fashion(dir, 3, 2, 2, 2, true);
        Path f = dir.resolve("t10k-images-idx3-ubyte.gz");
        byte[] full = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(full, full.length - 12));
        String cut = error(DatasetSpec.of("fashion_mnist"));
        assertTrue(cut.contains("t10k-images-idx3-ubyte.gz is corrupt or truncated"), cut);

        byte[] bad = full.clone();
        bad[bad.length - 6] ^= 0x55; // the stored CRC-32 no longer matches
        Files.write(f, bad);
        String crc = error(DatasetSpec.of("fashion_mnist"));
        assertTrue(crc.contains("t10k-images-idx3-ubyte.gz is corrupt or truncated"), crc);
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        IdxFiles.fashion(dir, 2, 2, 2, 2, false);
        byte[] longer = IdxFiles.labels(Idx.LABELS, new byte[] {1, 2, 3});
        longer[7] = 2; // header says 2 labels, 3 follow
        IdxFiles.write(dir, "train-labels-idx1-ubyte", longer, false);
        String e = error(DatasetSpec.of("fashion_mnist"));
        assertTrue(e.contains("has data after the 2 labels"), e);
    }

    @Test
    void nTrainLargerThanAvailable() throws IOException {
        IdxFiles.fashion(dir, 4, 2, 2, 2, true);
        String e = error(DatasetSpec.of("fashion_mnist").withSizes(5, 0));
        assertTrue(e.startsWith("n_train: value 5 is larger than the 4 training examples"), e);
        assertTrue(e.contains("allowed: 1..4, or 0 for all"), e);
    }

    /** The Debian package dataset-fashion-mnist: skipped on a machine without it, failed under CI (.ci/run installs it). */
    @Test
    @Tag("slow") // decodes all 70,000 images (about 20 s on a loaded machine): left out of the fast path, whose other tests read small IDX files
    void realFilesFromDebianPackage() {
        Required.file(FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz"), "Fashion-MNIST",
                "apt-get install dataset-fashion-mnist");
        Nd4j.zeros(DataType.FLOAT, 1); // the backend's one-time start is not the loader's cost
        long start = System.nanoTime();
        Dataset d = Datasets.load(DatasetSpec.of("fashion_mnist"), DataType.FLOAT);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("Fashion-MNIST loaded in %.2f s: %s%n", seconds, d.description());
        assertEquals(60_000, d.train().size());
        assertEquals(10_000, d.test().size());
        assertEquals(10, d.classes());
        assertEquals(784, d.train().inputDim());
        assertArrayEquals(new int[] {784}, d.inputShape());
        assertArrayEquals(counts(Dataset.labels(d.train())), filled(6_000));
        assertArrayEquals(counts(Dataset.labels(d.test())), filled(1_000));
        INDArray x = d.train().x();
        assertEquals(0.0, x.minNumber().doubleValue());
        assertEquals(1.0, x.maxNumber().doubleValue());
        assertFalse(d.description().isEmpty());
    }

    private static int[] counts(int[] labels) {
        int[] c = new int[10];
        for (int l : labels) {
            c[l]++;
        }
        return c;
    }

    private static int[] filled(int v) {
        int[] a = new int[10];
        Arrays.fill(a, v);
        return a;
    }
}
