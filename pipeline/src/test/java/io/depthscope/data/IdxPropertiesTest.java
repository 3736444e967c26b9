package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.io.BadInput;
import io.depthscope.io.Mutation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Generated bad Fashion-MNIST directories: one of the four IDX files (plain or gzipped) with corrupted bytes,
 * or with a header whose magic number or dimensions were replaced (zero, negative, huge, overflowing).
 */
class IdxPropertiesTest {
    private static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte");
    private Path dir;

    @BeforeTry
    void validDirectory() throws IOException {
        dir = Files.createTempDirectory("idx-properties");
    }

    @AfterTry
    void cleanUp() throws IOException {
        try (var files = Files.list(dir)) {
            files.forEach(p -> p.toFile().delete());
        }
        Files.delete(dir);
    }

    @Property(tries = 300, seed = Mutation.SEED)
    void corruptedFilesAreReadConsistentlyOrRejectedByName(@ForAll boolean gzip, @ForAll boolean corruptCompressed,
            @ForAll @IntRange(min = 0, max = 3) int file, @ForAll("mutations") Mutation[] mutations) throws IOException {
        IdxFiles.fashion(dir, 3, 2, 4, 5, gzip);
        Path target = dir.resolve(FILES.get(file) + (gzip ? ".gz" : ""));
        if (gzip && !corruptCompressed) {
            byte[] plain = new java.util.zip.GZIPInputStream(Files.newInputStream(target)).readAllBytes();
            IdxFiles.write(dir, FILES.get(file), Mutation.applyAll(plain, mutations), true);
        } else {
            Files.write(target, Mutation.applyAll(Files.readAllBytes(target), mutations));
        }
        load();
    }

    /** Image headers with any magic number and dimensions, the body as long as declared when that is small. */
    @Property(tries = 300, seed = Mutation.SEED)
    void editedImageHeadersAreReadAsDeclaredOrRejectedByName(@ForAll boolean train, @ForAll("magics") int magic,
            @ForAll("dimensions") int count, @ForAll("dimensions") int rows, @ForAll("dimensions") int cols) throws IOException {
        IdxFiles.fashion(dir, 3, 2, 4, 5, false);
        long declared = (long) count * rows * cols; // may overflow: the reader must not be fooled by that
        int body = count > 0 && rows > 0 && cols > 0 && declared > 0 && declared <= 4096 && declared / count / rows == cols ? (int) declared : 60;
        IdxFiles.write(dir, train ? FILES.get(0) : FILES.get(2), IdxFiles.images(magic, count, rows, cols, IdxFiles.pixels(body, 3)), false);
        if (rows > 0 && cols > 0 && (long) rows * cols <= 4096) { // the other split of the same size, so a header can pass
            int other = train ? 2 : 3;
            IdxFiles.write(dir, train ? FILES.get(2) : FILES.get(0), IdxFiles.images(Idx.IMAGES, other, rows, cols,
                    IdxFiles.pixels(other * rows * cols, 4)), false);
        }
        FashionMnist.Splits d = load();
        if (d != null) {
            assertEquals(rows * cols, d.train().d(), "the image size as declared");
        }
    }

    @Property(tries = 150, seed = Mutation.SEED)
    void editedLabelHeadersAreRejectedByNameUnlessHarmless(@ForAll boolean train, @ForAll("magics") int magic,
            @ForAll("dimensions") int count, @ForAll @IntRange(min = 0, max = 255) int label) throws IOException {
        IdxFiles.fashion(dir, 3, 2, 4, 5, false);
        byte[] labels = new byte[Math.max(0, Math.min(count, 3))];
        java.util.Arrays.fill(labels, (byte) label);
        byte[] content = IdxFiles.labels(magic, labels);
        java.nio.ByteBuffer.wrap(content).putInt(4, count); // the declared count, whatever the body holds
        IdxFiles.write(dir, train ? FILES.get(1) : FILES.get(3), content, false);
        load();
    }

    private FashionMnist.Splits load() {
        FashionMnist.Splits d = BadInput.acceptOrReject(() -> FashionMnist.read(dir), dir.toString());
        if (d != null) {
            assertEquals(d.train().size(), d.train().labels().length, "one label per image");
            assertEquals((long) d.train().size() * d.train().d(), d.train().bytes().length, "the pixels of every image");
            assertEquals(d.test().size(), d.test().labels().length, "one label per image");
        }
        return d;
    }

    @Provide
    Arbitrary<Mutation[]> mutations() {
        return Mutation.some();
    }

    @Provide
    Arbitrary<Integer> magics() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Idx.IMAGES)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Idx.LABELS, 0x00000802, 0x00000D03, 0, -1, 0x08030000)));
    }

    /** Small and plausible, or the extremes and powers of two whose products overflow. */
    @Provide
    Arbitrary<Integer> dimensions() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(1, 6)),
                net.jqwik.api.Tuple.of(3, Arbitraries.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 16, 1 << 21, 1 << 22, 1 << 30,
                        46341, 65536)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers()));
    }
}
