package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.io.BadInput;
import io.depthscope.io.Mutation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/** Generated bad CIFAR-10 directories: one of the six binary batches with corrupted bytes. */
class Cifar10PropertiesTest {
    private Path dir;

    @BeforeTry
    void validDirectory() throws IOException {
        dir = Files.createTempDirectory("cifar-properties");
        for (int i = 0; i < 6; i++) {
            Files.write(dir.resolve(name(i)), batch(2, i));
        }
    }

    @AfterTry
    void cleanUp() throws IOException {
        try (var files = Files.list(dir)) {
            files.forEach(p -> p.toFile().delete());
        }
        Files.delete(dir);
    }

    @Property(tries = 250, seed = Mutation.SEED)
    void corruptedBatchesAreReadConsistentlyOrRejectedByName(@ForAll @IntRange(min = 0, max = 5) int file,
            @ForAll("mutations") Mutation[] mutations) throws IOException {
        Path target = dir.resolve(name(file));
        byte[] bytes = Mutation.applyAll(Files.readAllBytes(target), mutations);
        Files.write(target, bytes);
        Cifar10.Splits d = BadInput.acceptOrReject(() -> Cifar10.read(dir), dir.toString());
        if (d != null) {
            assertEquals(10 + (file < 5 ? bytes.length / Cifar10.RECORD - 2 : 0), d.train().size(), "every record of the five train batches");
            assertEquals((long) d.train().size() * Cifar10.PIXELS, d.train().bytes().length, "the pixels of every record");
        }
    }

    private static String name(int i) {
        return i < 5 ? "data_batch_" + (i + 1) + ".bin" : "test_batch.bin";
    }

    /** {@code records} records of label (r + seed) mod 10 and pixels from {@link IdxFiles#pixels}. */
    static byte[] batch(int records, int seed) {
        byte[] pixels = IdxFiles.pixels(records * Cifar10.PIXELS, seed);
        byte[] out = new byte[records * Cifar10.RECORD];
        for (int r = 0; r < records; r++) {
            out[r * Cifar10.RECORD] = (byte) ((r + seed) % 10);
            System.arraycopy(pixels, r * Cifar10.PIXELS, out, r * Cifar10.RECORD + 1, Cifar10.PIXELS);
        }
        return out;
    }

    @Provide
    Arbitrary<Mutation[]> mutations() {
        return Mutation.some();
    }
}
