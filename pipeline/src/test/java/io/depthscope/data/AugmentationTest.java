package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.util.Seeds;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The crop-and-flip augmentation against its definition, and per-channel standardisation against its closed form. */
class AugmentationTest {
    /** The image He et al.'s augmentation makes of {@code img} for an offset (dy, dx) in -4..4 and a flip, by definition. */
    private static double[] transform(double[] img, int c, int h, int w, int dy, int dx, boolean flip) {
        int p = Augmentation.PADDING;
        double[][][] padded = new double[c][h + 2 * p][w + 2 * p];
        for (int ch = 0; ch < c; ch++) {
            for (int r = 0; r < h; r++) {
                for (int col = 0; col < w; col++) {
                    padded[ch][r + p][col + p] = img[ch * h * w + r * w + col];
                }
            }
        }
        double[] out = new double[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int r = 0; r < h; r++) {
                for (int col = 0; col < w; col++) {
                    double[] cropRow = padded[ch][r + p + dy];
                    int cropCol = flip ? w - 1 - col : col;
                    out[ch * h * w + r * w + col] = cropRow[cropCol + p + dx];
                }
            }
        }
        return out;
    }

    @Test
    void everyImageIsAPaddedCropOfItselfPossiblyFlippedAndTheDrawsCoverEveryOffset() {
        int n = 400;
        int c = 2;
        int h = 5;
        int w = 6;
        SplittableRandom data = new SplittableRandom(1);
        double[] x = new double[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1 + data.nextDouble(); // no zeros, so a pixel from the padding is told apart
        }
        Batch batch = new Batch(Nd4j.createFromArray(x).reshape(n, c * h * w), Nd4j.zeros(DataType.DOUBLE, n, 1));
        Batch out = Augmentation.cropAndFlip(batch, new int[] {c, h, w}, Seeds.stream(7, "augment", 3));
        Batch again = Augmentation.cropAndFlip(batch, new int[] {c, h, w}, Seeds.stream(7, "augment", 3));
        assertEquals(out.x(), again.x(), "the same stream gives the same augmentation");
        Set<String> seen = new HashSet<>();
        int flips = 0;
        for (int i = 0; i < n; i++) {
            double[] img = java.util.Arrays.copyOfRange(x, i * c * h * w, (i + 1) * c * h * w);
            double[] got = out.x().getRow(i).toDoubleVector();
            String match = null;
            for (int dy = -4; dy <= 4 && match == null; dy++) {
                for (int dx = -4; dx <= 4 && match == null; dx++) {
                    for (boolean flip : new boolean[] {false, true}) {
                        if (java.util.Arrays.equals(got, transform(img, c, h, w, dy, dx, flip))) {
                            match = dy + "," + dx + "," + flip;
                            flips += flip ? 1 : 0;
                            break;
                        }
                    }
                }
            }
            assertTrue(match != null, "image " + i + " is no padded crop of itself");
            seen.add(match.substring(0, match.lastIndexOf(',')));
        }
        assertEquals(81, seen.size(), "every offset in -4..4 x -4..4 occurs in 400 draws");
        assertTrue(flips > 150 && flips < 250, "about half are flipped: " + flips);
    }

    @TempDir
    Path dir;

    @Test
    void channelStandardisationGivesEveryTrainingChannelMeanZeroAndStdOne() throws Exception {
        IdxFiles.fashion(dir, 40, 10, 6, 5, false);
        Dataset d = Datasets.load(DatasetSpec.of("fashion_mnist").withPath(dir.toString()).withLayout("image").withChannelStandardize(true),
                DataType.DOUBLE);
        INDArray x = d.train().x();
        assertEquals(0.0, x.meanNumber().doubleValue(), 1e-12);
        assertEquals(1.0, x.stdNumber().doubleValue() * Math.sqrt((x.length() - 1.0) / x.length()), 1e-12, "population std");
        assertTrue(d.description().contains("standardised per channel"), d.description());
    }
}
