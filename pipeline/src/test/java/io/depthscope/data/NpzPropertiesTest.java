package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.io.ArrayEdit;
import io.depthscope.io.BadInput;
import io.depthscope.io.Mutation;
import io.depthscope.io.Npz;
import io.depthscope.nn.Batch;
import io.depthscope.nn.NetworkSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generated bad {@code .npz} batches and datasets: archives of valid batches with corrupted bytes, and
 * archives whose arrays were edited (NaN, dtype, shape, keys, labels), read as the probe's {@code --data}
 * (BatchNpz) and as a study's {@code dataset.path} (NpzData through Datasets).
 */
class NpzPropertiesTest {
    private static final int D = 3;
    private static final int K = 2;
    private static Path dir;

    @BeforeContainer
    static void tempDir() throws IOException {
        dir = Files.createTempDirectory("npz-properties");
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 500, seed = Mutation.SEED)
    void corruptedArchivesAreReadUnchangedOrRejectedByName(@ForAll boolean classification, @ForAll boolean asDataset,
            @ForAll boolean compressed, @ForAll("mutations") Mutation[] mutations) throws IOException {
        Path file = dir.resolve("data.npz");
        Map<String, INDArray> valid = batch(classification, 5);
        Files.write(file, Mutation.applyAll(compressed ? compressed(valid) : bytes(valid), mutations));
        Object result = read(file, classification, asDataset);
        if (result instanceof Batch b) { // the CRCs leave a corruption two outcomes: detected, or somewhere no number is read from
            assertEquals(valid.get("x"), b.x(), "the numbers as written");
        }
    }

    @Property(tries = 500, seed = Mutation.SEED)
    void editedArraysAreRejectedByNameUnlessHarmless(@ForAll boolean classification, @ForAll boolean asDataset,
            @ForAll("edits") ArrayEdit edit) throws IOException {
        Map<String, INDArray> valid = batch(classification, 5);
        Path file = dir.resolve("data.npz");
        Files.write(file, bytes(edit.apply(valid)));
        if (edit.certainlyBad(valid)) {
            BadInput.rejected(() -> reader(file, classification, asDataset), asDataset ? "path" : "data");
        } else {
            read(file, classification, asDataset);
        }
    }

    private static Object read(Path file, boolean classification, boolean asDataset) {
        Object result = BadInput.acceptOrReject(() -> reader(file, classification, asDataset), asDataset ? "path" : "data");
        if (result instanceof Batch b) {
            assertEquals(D, b.x().columns(), "input width as the spec says");
            assertEquals(b.size(), b.targets().rows(), "one target per example");
        } else if (result instanceof Dataset d) {
            assertEquals(d.train().size(), d.train().targets().rows(), "one target per example");
        }
        return result;
    }

    private static Object reader(Path file, boolean classification, boolean asDataset) {
        if (asDataset) {
            return Datasets.load(DatasetSpec.of("npz").withPath(file.toString()), DataType.DOUBLE);
        }
        NetworkSpec spec = new NetworkSpec("mlp", D, 4, 1, K, "tanh", true, 1.0, classification ? "cross_entropy" : "mse");
        return BatchNpz.read(file, spec);
    }

    /** x [n, D] float64 and labels [n] int64 in 0..K-1 or y [n, K] float64. */
    static Map<String, INDArray> batch(boolean classification, int n) {
        Random r = new Random(n);
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("x", Nd4j.createFromArray(r.doubles(n * D, -1, 1).toArray()).reshape(n, D));
        if (classification) {
            m.put("labels", Nd4j.createFromArray(r.longs(n, 0, K).toArray()));
        } else {
            m.put("y", Nd4j.createFromArray(r.doubles(n * K, -1, 1).toArray()).reshape(n, K));
        }
        return m;
    }

    static byte[] bytes(Map<String, INDArray> arrays) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npz.write(out, arrays);
        return out.toByteArray();
    }

    /** As numpy.savez_compressed writes them: deflated entries, sizes and CRCs in data descriptors. */
    static byte[] compressed(Map<String, INDArray> arrays) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
            for (Map.Entry<String, INDArray> a : arrays.entrySet()) {
                zip.putNextEntry(new java.util.zip.ZipEntry(a.getKey() + ".npy"));
                zip.write(io.depthscope.io.Npy.write(a.getValue()));
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Provide
    Arbitrary<Mutation[]> mutations() {
        return Mutation.some();
    }

    @Provide
    Arbitrary<ArrayEdit> edits() {
        return ArrayEdit.any();
    }
}
