package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.util.Seeds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PreprocessTest {
    @TempDir
    Path dir;

    private Dataset fashion(DatasetSpec spec) {
        return Datasets.load(spec.withPath(dir.toString()), DataType.DOUBLE);
    }

    @Test
    void subsampleIndicesAreDistinctSortedAndSeeded() {
        int[] a = Subsample.indices(1000, 300, Seeds.stream(7, "subsample"));
        assertArrayEquals(a, Subsample.indices(1000, 300, Seeds.stream(7, "subsample")));
        assertNotEquals(Arrays.toString(a), Arrays.toString(Subsample.indices(1000, 300, Seeds.stream(8, "subsample"))));
        assertEquals(300, Arrays.stream(a).distinct().count());
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i - 1] < a[i]);
        }
        assertTrue(a[0] >= 0 && a[a.length - 1] < 1000);
        int[] all = Subsample.indices(5, 5, Seeds.stream(7, "subsample"));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, all);
    }

    @Test
    void subsampleGivesEveryIndexTheSameChance() {
        // 3 of 10, 3,000 times: each index is drawn 900 times on average (sd about 25)
        int[] hits = new int[10];
        var rng = Seeds.stream(1, "subsample-uniformity");
        for (int t = 0; t < 3000; t++) {
            for (int i : Subsample.indices(10, 3, rng)) {
                hits[i]++;
            }
        }
        for (int h : hits) {
            assertTrue(Math.abs(h - 900) < 110, Arrays.toString(hits));
        }
    }

    @Test
    void subsampledDatasetIsDeterministicAndWithoutReplacement() throws IOException {
        IdxFiles.fashion(dir, 50, 20, 2, 2, true);
        Dataset all = fashion(DatasetSpec.of("fashion_mnist"));
        DatasetSpec spec = DatasetSpec.of("fashion_mnist").withSizes(20, 5).withSeed(3);
        Dataset a = fashion(spec);
        Dataset b = fashion(spec);
        assertEquals(a.train().x(), b.train().x());
        assertEquals(a.test().x(), b.test().x());
        assertNotEquals(a.train().x(), fashion(spec.withSeed(4)).train().x());
        // every kept row is a distinct row of the full set (the 50 rows of this file all differ)
        Set<Integer> rows = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            INDArray row = a.train().x().getRow(i);
            int found = -1;
            for (int j = 0; j < 50; j++) {
                if (all.train().x().getRow(j).equals(row)) {
                    found = j;
                }
            }
            assertTrue(found >= 0 && rows.add(found), "row " + i + " -> " + found);
            assertEquals(Dataset.labels(all.train())[found], Dataset.labels(a.train())[i]);
        }
        // changing n_test does not move the training sample
        assertEquals(a.train().x(), fashion(spec.withSizes(20, 9)).train().x());
    }

    @Test
    void standardisationUsesTrainingStatisticsForBothSplits() {
        DatasetSpec raw = DatasetSpec.of("linear_teacher").withSizes(500, 100).withDims(6, 2, 0);
        Dataset r = Datasets.load(raw, DataType.DOUBLE);
        Dataset s = Datasets.load(raw.withStandardize(true), DataType.DOUBLE);
        INDArray mean = r.train().x().mean(0);
        INDArray std = r.train().x().std(false, 0); // population std
        assertEquals(0.0, s.train().x().mean(0).amaxNumber().doubleValue(), 1e-12);
        assertEquals(0.0, s.train().x().std(false, 0).subi(1.0).amaxNumber().doubleValue(), 1e-12);
        INDArray expectedTest = r.test().x().subRowVector(mean).divRowVector(std);
        assertEquals(0.0, expectedTest.sub(s.test().x()).amaxNumber().doubleValue(), 1e-12);
        assertTrue(s.test().x().mean(0).amaxNumber().doubleValue() > 1e-3, "test statistics are not re-fitted");
        assertEquals(r.train().targets(), s.train().targets(), "targets are not standardised");
    }

    @Test
    void constantFeaturesAreCentredNotDivided() throws IOException {
        // 2x2 images whose first pixel is always 200 and second always 0; the other two vary
        int n = 12;
        byte[] train = new byte[n * 4];
        for (int i = 0; i < n; i++) {
            train[4 * i] = (byte) 200;
            train[4 * i + 2] = (byte) (i * 17);
            train[4 * i + 3] = (byte) (255 - i * 5);
        }
        byte[] test = {(byte) 100, 3, 50, 60};
        IdxFiles.write(dir, "train-images-idx3-ubyte", IdxFiles.images(Idx.IMAGES, n, 2, 2, train), true);
        IdxFiles.write(dir, "train-labels-idx1-ubyte", IdxFiles.labels(Idx.LABELS, IdxFiles.cycle(n)), true);
        IdxFiles.write(dir, "t10k-images-idx3-ubyte", IdxFiles.images(Idx.IMAGES, 1, 2, 2, test), true);
        IdxFiles.write(dir, "t10k-labels-idx1-ubyte", IdxFiles.labels(Idx.LABELS, new byte[] {4}), true);
        Dataset s = fashion(DatasetSpec.of("fashion_mnist").withStandardize(true));
        for (int i = 0; i < n; i++) {
            assertEquals(0.0, s.train().x().getDouble(i, 0));
            assertEquals(0.0, s.train().x().getDouble(i, 1));
        }
        assertEquals(100 / 255.0 - 200 / 255.0, s.test().x().getDouble(0, 0), 1e-15);
        assertEquals(3 / 255.0, s.test().x().getDouble(0, 1), 1e-15);
        assertEquals(1.0, s.train().x().getColumn(2).std(false, 0).getDouble(0), 1e-12);
        assertTrue(s.description().contains("2 constant features centred only"), s.description());
    }

    @Test
    void labelNoiseRedrawsAnExactCountAndNothingElse() throws IOException {
        IdxFiles.fashion(dir, 200, 30, 2, 2, false);
        Dataset clean = fashion(DatasetSpec.of("fashion_mnist"));
        Dataset noisy = fashion(DatasetSpec.of("fashion_mnist").withLabelNoise(0.25).withSeed(6));
        int[] before = Dataset.labels(clean.train());
        int[] after = Dataset.labels(noisy.train());
        int[] corrupted = noisy.labelNoise().corrupted();
        assertEquals(50, corrupted.length, "round(0.25 * 200)");
        assertEquals(50, Arrays.stream(corrupted).distinct().count());
        Set<Integer> chosen = new HashSet<>();
        Arrays.stream(corrupted).forEach(chosen::add);
        int changed = 0;
        for (int i = 0; i < 200; i++) {
            if (!chosen.contains(i)) {
                assertEquals(before[i], after[i], "label " + i + " was not chosen");
            }
            changed += before[i] != after[i] ? 1 : 0;
        }
        assertEquals(changed, noisy.labelNoise().changed());
        assertTrue(changed >= 35, "a redrawn label keeps its class with probability 1/10: " + changed + " of 50 changed");
        assertArrayEquals(Dataset.labels(clean.test()), Dataset.labels(noisy.test()), "test labels stay clean");
        assertEquals(clean.train().x(), noisy.train().x());
        assertTrue(noisy.description().contains("50 training labels redrawn, " + changed + " changed"), noisy.description());
        assertArrayEquals(corrupted, fashion(DatasetSpec.of("fashion_mnist").withLabelNoise(0.25).withSeed(6)).labelNoise().corrupted());
        assertEquals(0, clean.labelNoise().corrupted().length);
    }

    @Test
    void fullLabelNoiseKeepsAboutOneInKLabels() {
        int[] labels = new int[4000];
        Arrays.fill(labels, 1);
        LabelNoise.Applied all = LabelNoise.apply(labels, 4, 1.0, Seeds.stream(2, "label-noise"));
        assertEquals(4000, all.noise().corrupted().length);
        // each keeps class 1 with probability 1/4: 1,000 expected, sd about 27
        int kept = 4000 - all.noise().changed();
        assertTrue(Math.abs(kept - 1000) < 120, "kept " + kept);
        assertEquals(1, labels[0], "the input labels are not modified");
        assertEquals(3, LabelNoise.apply(new int[10], 4, 0.333, Seeds.stream(2, "x")).noise().corrupted().length);
    }

    @Test
    void labelNoiseOutsideTheUnitIntervalOrOnRegression() {
        for (double bad : new double[] {-0.1, 1.5, Double.NaN}) {
            String e = assertThrows(IllegalArgumentException.class,
                    () -> Datasets.load(DatasetSpec.of("sphere_labels").withLabelNoise(bad), DataType.DOUBLE)).getMessage();
            assertEquals("label_noise: value " + bad + " is not allowed; allowed: a fraction in [0, 1]", e);
        }
        String e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.load(DatasetSpec.of("teacher").withLabelNoise(0.5), DataType.DOUBLE)).getMessage();
        assertTrue(e.startsWith("label_noise: value 0.5 is not allowed for kind teacher (regression targets)"), e);
    }

    @Test
    void randomLabelsOnSphereLabels() {
        Dataset d = Datasets.load(DatasetSpec.of("sphere_labels").withSizes(100, 10).withLabelNoise(1.0), DataType.DOUBLE);
        assertEquals(100, d.labelNoise().corrupted().length);
        assertEquals(100.0, d.train().targets().sumNumber().doubleValue(), "still one-hot");
    }
}
