package io.depthscope.data;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Fashion-MNIST (Xiao et al. 2017) from its four IDX files, gzipped as Debian's package
 * dataset-fashion-mnist installs them or plain: 60,000 train and 10,000 test images of 28x28, 10 classes.
 */
final class FashionMnist {
    static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final int CLASSES = 10;

    private FashionMnist() {}

    record Splits(Pixels train, Pixels test, int rows, int cols) {}

    /**
     * The files last read, by their paths and contents (CRC32C of the bytes on disk, a few milliseconds: modification
     * times repeat within a clock tick, when a test rewrites a file): every run and Hessian task of a study loads its
     * data, and decompressing the 47 MB of images took 0.3-0.7 s each time. Held softly, so memory pressure empties
     * it; the arrays are only ever read ({@link Pixels#select} copies).
     */
    private static final Map<List<Object>, SoftReference<Splits>> CACHE = new HashMap<>();

    static Splits read(Path dir) {
        Path[] files = files(dir, "path");
        List<Object> key = new ArrayList<>();
        for (Path f : files) {
            key.addAll(List.of(f.toAbsolutePath().toString(), checksum(f)));
        }
        synchronized (CACHE) {
            SoftReference<Splits> cached = CACHE.get(key);
            Splits splits = cached == null ? null : cached.get();
            if (splits == null) {
                splits = readFiles(dir, files);
                CACHE.clear();
                CACHE.put(key, new SoftReference<>(splits));
            }
            return splits;
        }
    }

    private static long checksum(Path f) {
        CRC32C crc = new CRC32C();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + f, e);
        }
        return crc.getValue();
    }

    private static Splits readFiles(Path dir, Path[] files) {
        Idx.Images trainImages = Idx.readImages(files[0]);
        Idx.Images testImages = Idx.readImages(files[2]);
        if (trainImages.rows() != testImages.rows() || trainImages.cols() != testImages.cols()) {
            throw new IllegalArgumentException("path: " + dir + " holds train images of " + trainImages.rows() + "x" + trainImages.cols()
                    + " but test images of " + testImages.rows() + "x" + testImages.cols() + "; allowed: one image size");
        }
        Pixels train = pair(trainImages, files[1]);
        Pixels test = pair(testImages, files[3]);
        return new Splits(train, test, trainImages.rows(), trainImages.cols());
    }

    private static Pixels pair(Idx.Images images, Path labelFile) {
        int[] labels = Idx.readLabels(labelFile, CLASSES);
        if (labels.length != images.count()) {
            throw new IllegalArgumentException("file " + labelFile + ": " + labels.length + " labels for " + images.count()
                    + " images; allowed: one label per image (the same count)");
        }
        return new Pixels(images.pixels(), images.count(), images.rows() * images.cols(), labels, CLASSES);
    }

    /**
     * The four files (train images, train labels, test images, test labels) as {@link #read} will open them;
     * {@code field} names the config field in errors. Also the check a study makes before anything runs.
     */
    static Path[] files(Path dir, String field) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(field + ": directory " + dir + " does not exist; allowed: a directory holding the "
                    + "Fashion-MNIST IDX files (Debian's package dataset-fashion-mnist installs them in " + DEBIAN_DIR + ")");
        }
        return new Path[] {find(dir, "train-images-idx3-ubyte", field), find(dir, "train-labels-idx1-ubyte", field),
            find(dir, "t10k-images-idx3-ubyte", field), find(dir, "t10k-labels-idx1-ubyte", field)};
    }

    /** {@code name}.gz, else the plain {@code name}. */
    private static Path find(Path dir, String name, String field) {
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new IllegalArgumentException(field + ": " + dir + " has no file " + name + ".gz or " + name
                + "; allowed: a directory holding the four Fashion-MNIST IDX files, gzipped or plain");
    }
}
