package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.util.Required;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** dataset.downsample: f x f block means per channel, before subsampling and standardisation; its errors. */
class DownsampleTest {
    @TempDir
    Path dir;

    /** Two images of 2 channels x 4x4; each output pixel worked out by hand. */
    @Test
    void eachOutputPixelIsTheMeanOfItsBlockInItsChannel() {
        double[] x = {
            // image 0, channel 0: pixel (r, q) = 4 r + q
            0, 1, 2, 3,
            4, 5, 6, 7,
            8, 9, 10, 11,
            12, 13, 14, 15,
            // image 0, channel 1: blocks of one value each, 1 | 2 over 3 | 4, but one corner is 9
            1, 1, 2, 2,
            1, 1, 2, 2,
            3, 3, 4, 4,
            3, 3, 4, 9,
            // image 1, channel 0: a single 8 in each block, elsewhere 0
            8, 0, 0, 8,
            0, 0, 0, 0,
            0, 0, 0, 0,
            8, 0, 0, 8,
            // image 1, channel 1: -1 everywhere
            -1, -1, -1, -1,
            -1, -1, -1, -1,
            -1, -1, -1, -1,
            -1, -1, -1, -1,
        };
        double[] y = Downsample.blockMeans(x, 2, 2, 4, 4, 2);
        assertArrayEquals(new double[] {
            // (0+1+4+5)/4, (2+3+6+7)/4, (8+9+12+13)/4, (10+11+14+15)/4
            2.5, 4.5, 10.5, 12.5,
            // 1, 2, 3, (4+4+4+9)/4
            1, 2, 3, 5.25,
            2, 2, 2, 2,
            -1, -1, -1, -1,
        }, y, 0.0);
        // f = 4: one pixel per channel, the channel's mean; f = 1: the images unchanged
        assertArrayEquals(new double[] {7.5, 2.8125, 2, -1}, Downsample.blockMeans(x, 2, 2, 4, 4, 4), 0.0);
        assertArrayEquals(x, Downsample.blockMeans(x, 2, 2, 4, 4, 1), 0.0);
    }

    /** Images of 1x4x6: pixel (r, q) of image i is 10 i + 6 r + q (the IDX files hold it / 255). */
    private void writeFashion(int train, int test) throws IOException {
        IdxFiles.write(dir, "train-images-idx3-ubyte", IdxFiles.images(Idx.IMAGES, train, 4, 6, ramp(train)), false);
        IdxFiles.write(dir, "train-labels-idx1-ubyte", IdxFiles.labels(Idx.LABELS, IdxFiles.cycle(train)), false);
        IdxFiles.write(dir, "t10k-images-idx3-ubyte", IdxFiles.images(Idx.IMAGES, test, 4, 6, ramp(test)), false);
        IdxFiles.write(dir, "t10k-labels-idx1-ubyte", IdxFiles.labels(Idx.LABELS, IdxFiles.cycle(test)), false);
    }

    private static byte[] ramp(int n) {
        byte[] p = new byte[n * 24];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 24; j++) {
                p[i * 24 + j] = (byte) (10 * i + j);
            }
        }
        return p;
    }

    private DatasetSpec fashion(int f) {
        return DatasetSpec.of("fashion_mnist").withPath(dir.toString()).withLayout("image").withDownsample(f);
    }

    @Test
    void loadingGivesTheSmallerShapeAndItsValuesAndSaysSo() throws IOException {
        writeFashion(5, 3);
        Dataset d = Datasets.load(fashion(2), DataType.DOUBLE);
        assertArrayEquals(new int[] {1, 2, 3}, d.inputShape());
        assertArrayEquals(new long[] {5, 6}, d.train().x().shape());
        assertArrayEquals(new long[] {3, 6}, d.test().x().shape());
        // image i's block (r, q) holds 10 i + 6 (2r) + 2q + {0, 1, 6, 7}: mean 10 i + 12 r + 2 q + 3.5
        for (int i = 0; i < 5; i++) {
            for (int r = 0; r < 2; r++) {
                for (int q = 0; q < 3; q++) {
                    assertEquals((10 * i + 12 * r + 2 * q + 3.5) / 255, d.train().x().getDouble(i, 3 * r + q), 1e-15, i + " " + r + " " + q);
                }
            }
        }
        assertTrue(d.description().contains("input [1, 2, 3] (2x2 block means of [1, 4, 6])"), d.description());
    }

    /** Downsampling each image before or after the subsample picks it gives the same images. */
    @Test
    void aSubsampleHoldsTheBlockMeansOfTheSameImages() throws IOException {
        writeFashion(9, 4);
        Dataset full = Datasets.load(fashion(1).withSizes(4, 2).withSeed(3), DataType.DOUBLE);
        Dataset half = Datasets.load(fashion(2).withSizes(4, 2).withSeed(3), DataType.DOUBLE);
        assertArrayEquals(Downsample.blockMeans(full.train().x().data().asDouble(), 4, 1, 4, 6, 2), half.train().x().data().asDouble(), 0.0);
        assertArrayEquals(Downsample.blockMeans(full.test().x().data().asDouble(), 2, 1, 4, 6, 2), half.test().x().data().asDouble(), 0.0);
        assertArrayEquals(Dataset.labels(full.train()), Dataset.labels(half.train()));
    }

    /** The statistics are of the downsampled images: per channel mean 0 and population std 1 after block means (whose std is smaller). */
    @Test
    void standardisationIsOfTheDownsampledImages() throws IOException {
        writeFashion(8, 2);
        for (DatasetSpec s : new DatasetSpec[] {fashion(2).withChannelStandardize(true), fashion(2).withStandardize(true)}) {
            INDArray x = Datasets.load(s, DataType.DOUBLE).train().x();
            assertArrayEquals(new long[] {8, 6}, x.shape());
            assertEquals(0.0, x.meanNumber().doubleValue(), 1e-12, s.toString());
            assertEquals(1.0, x.stdNumber().doubleValue() * Math.sqrt((x.length() - 1.0) / x.length()), 1e-12, s.toString());
        }
    }

    /** CIFAR-10's three channels: f = 32 leaves one pixel per channel, its mean. */
    @Test
    void cifarChannelsAreAveragedEachOnItsOwn() throws IOException {
        byte[] record = new byte[Cifar10.RECORD];
        record[0] = 7;
        for (int j = 0; j < Cifar10.PIXELS; j++) {
            int channel = j / 1024;
            record[1 + j] = (byte) (channel == 0 ? 255 : channel == 1 ? (j % 2 == 0 ? 0 : 100) : j % 32); // 255; 50; 15.5 on average
        }
        for (String name : new String[] {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
            "test_batch.bin"}) {
            Files.write(dir.resolve(name), record);
        }
        Dataset d = Datasets.load(DatasetSpec.of("cifar10").withPath(dir.toString()).withLayout("image").withDownsample(32), DataType.DOUBLE);
        assertArrayEquals(new int[] {3, 1, 1}, d.inputShape());
        assertArrayEquals(new double[] {1.0, 50 / 255.0, 15.5 / 255.0}, d.test().x().data().asDouble(), 1e-14, "sums of 1024 pixels");
        assertArrayEquals(new int[] {3, 8, 8}, Datasets.load(DatasetSpec.of("cifar10").withPath(dir.toString()).withLayout("image")
                .withDownsample(4), DataType.DOUBLE).inputShape());
    }

    private static String error(DatasetSpec s) {
        return assertThrows(IllegalArgumentException.class, () -> Datasets.load(s, DataType.DOUBLE)).getMessage();
    }

    @Test
    void errorsNameTheFieldTheValueAndWhatIsAllowed() throws IOException {
        writeFashion(4, 2);
        assertEquals("downsample: value 0 is not allowed; allowed: an integer >= 1 (1: the images as they are)", error(fashion(0)));
        assertEquals("downsample: value 2 is not allowed with layout flat; allowed: 1 (block means are for images: layout = image)",
                error(fashion(2).withLayout("flat")));
        assertEquals("downsample: value 2 is not allowed with layout flat; allowed: 1 (block means are for images: layout = image)",
                error(DatasetSpec.of("sphere").withDownsample(2)));
        // CIFAR-10's size is fixed: refused by validation, before any file is looked at
        assertEquals("downsample: value 3 does not divide the 32x32 images of cifar10; allowed: 1, 2, 4, 8, 16, 32 (a divisor of both)",
                assertThrows(IllegalArgumentException.class, () -> DatasetSpec.of("cifar10").withPath("/nonexistent").withLayout("image")
                        .withDownsample(3).validate()).getMessage());
        // Fashion-MNIST's is the files': refused once they are read
        fashion(4).validate();
        assertEquals("downsample: value 4 does not divide the 4x6 images in " + dir + "; allowed: 1, 2 (a divisor of both)", error(fashion(4)));
        // input_dim, if given, is the downsampled size
        assertEquals("input_dim: value 24 does not match " + dir + ", whose inputs have 6 features after downsample = 2; allowed: 6, or 0 to"
                + " take it from the data", error(fashion(2).withDims(24, 1, 0)));
        assertEquals(6, Datasets.load(fashion(2).withDims(6, 1, 0), DataType.DOUBLE).train().inputDim());
    }

    /** The Debian package's files: Fashion-MNIST's 1x28x28 images become 1x14x14, each the block means of the full-size image. */
    @Test
    @Tag("slow") // decodes all 70,000 images twice
    void realFashionMnistBecomesFourteenByFourteen() {
        Required.file(FashionMnist.DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz"), "Fashion-MNIST", "apt-get install dataset-fashion-mnist");
        DatasetSpec spec = DatasetSpec.of("fashion_mnist").withLayout("image").withSizes(200, 100).withSeed(5);
        Dataset full = Datasets.load(spec, DataType.DOUBLE);
        Dataset half = Datasets.load(spec.withDownsample(2), DataType.DOUBLE);
        assertArrayEquals(new int[] {1, 14, 14}, half.inputShape());
        assertArrayEquals(new long[] {200, 196}, half.train().x().shape());
        assertArrayEquals(Downsample.blockMeans(full.train().x().data().asDouble(), 200, 1, 28, 28, 2), half.train().x().data().asDouble(), 0.0);
        assertArrayEquals(Downsample.blockMeans(full.test().x().data().asDouble(), 100, 1, 28, 28, 2), half.test().x().data().asDouble(), 0.0);
        assertEquals(full.train().x().meanNumber().doubleValue(), half.train().x().meanNumber().doubleValue(), 1e-12, "block means keep the mean");
        assertTrue(half.description().contains("input [1, 14, 14] (2x2 block means of [1, 28, 28])"), half.description());
    }
}
