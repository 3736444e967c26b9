package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Npz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NpzDataTest {
    @TempDir
    Path dir;

    private static final double[][] X = {{0, .5, 1}, {2, 3, 4}, {-1, -2, -3}, {7, 8, 9}, {.25, .125, 0}};

    private Path write(String name, Map<String, INDArray> arrays) {
        Path f = dir.resolve(name);
        Npz.write(f, arrays);
        return f;
    }

    private Path labelled(String name, long... labels) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("x", Nd4j.createFromArray(X));
        m.put("labels", Nd4j.createFromArray(labels));
        return write(name, m);
    }

    private static Dataset load(DatasetSpec s) {
        return Datasets.load(s, DataType.DOUBLE);
    }

    private static String error(DatasetSpec s) {
        return assertThrows(IllegalArgumentException.class, () -> load(s)).getMessage();
    }

    @Test
    void labelsWithATestFileAndInferredClasses() {
        Path train = labelled("train.npz", 0, 2, 1, 2, 0);
        Path test = labelled("test.npz", 4, 0, 1, 1, 3);
        Dataset d = load(DatasetSpec.of("npz").withPath(train.toString()).withTestPath(test.toString()));
        assertEquals(5, d.classes(), "the largest label of either file, plus one");
        assertEquals(Nd4j.createFromArray(X), d.train().x());
        assertArrayEquals(new int[] {0, 2, 1, 2, 0}, Dataset.labels(d.train()));
        assertArrayEquals(new int[] {4, 0, 1, 1, 3}, Dataset.labels(d.test()));
        assertArrayEquals(new int[] {3}, d.inputShape());
        Dataset given = load(DatasetSpec.of("npz").withPath(train.toString()).withDims(0, 1, 7));
        assertEquals(7, given.classes());
        assertEquals(null, given.test());
    }

    @Test
    void regressionTargetsAndSubsample() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("x", Nd4j.createFromArray(X));
        double[][] y = {{1, -1}, {2, -2}, {3, -3}, {4, -4}, {5, -5}};
        m.put("y", Nd4j.createFromArray(y));
        Path f = write("reg.npz", m);
        Dataset d = load(DatasetSpec.of("npz").withPath(f.toString()));
        assertEquals(0, d.classes());
        assertEquals(Nd4j.createFromArray(y), d.train().targets());
        Dataset some = load(DatasetSpec.of("npz").withPath(f.toString()).withSizes(3, 0).withSeed(2));
        for (int i = 0; i < 3; i++) {
            int row = (int) some.train().targets().getDouble(i, 0) - 1;
            assertEquals(Nd4j.createFromArray(X).getRow(row), some.train().x().getRow(i));
        }
        assertTrue(error(DatasetSpec.of("npz").withPath(f.toString()).withLabelNoise(0.1))
                .startsWith("label_noise: value 0.1 is not allowed for " + f));
        assertEquals("n_train: value 6 is larger than the 5 training examples in " + f + "; allowed: 1..5, or 0 for all",
                error(DatasetSpec.of("npz").withPath(f.toString()).withSizes(6, 0)));
    }

    @Test
    void badFiles() throws IOException {
        String missing = error(DatasetSpec.of("npz").withPath(dir.resolve("none.npz").toString()));
        assertTrue(missing.startsWith("path: file ") && missing.contains("none.npz does not exist"), missing);

        Path junk = dir.resolve("junk.npz");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5});
        String corrupt = error(DatasetSpec.of("npz").withPath(junk.toString()));
        assertTrue(corrupt.contains("junk.npz is not an .npz archive"), corrupt);

        Path train = labelled("train.npz", 0, 2, 1, 3, 0);
        String range = error(DatasetSpec.of("npz").withPath(train.toString()).withDims(0, 1, 3));
        assertTrue(range.contains("'labels': value 3 at [3] is not allowed; allowed: 0..2"), range);

        String dim = error(DatasetSpec.of("npz").withPath(train.toString()).withDims(4, 1, 0));
        assertTrue(dim.startsWith("input_dim: value 4 does not match"), dim);

        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("x", Nd4j.createFromArray(X));
        String noTargets = error(DatasetSpec.of("npz").withPath(write("x.npz", m).toString()));
        assertTrue(noTargets.contains("has no 'y' [N, k] or 'labels' [N]"), noTargets);
    }
}
