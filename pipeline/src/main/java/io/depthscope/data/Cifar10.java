package io.depthscope.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CIFAR-10 (Krizhevsky 2009) in its binary distribution: data_batch_1..5.bin and test_batch.bin, each a
 * run of records of 1 label byte and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each 32x32
 * row-major), so a record's pixels already are a [3, 32, 32] channel-first image.
 */
final class Cifar10 {
    static final int CLASSES = 10;
    static final int CHANNELS = 3;
    static final int ROWS = 32;
    static final int COLS = 32;
    static final int PIXELS = CHANNELS * ROWS * COLS;
    static final int RECORD = 1 + PIXELS;
    static final String SUBDIR = "cifar-10-batches-bin";

    private Cifar10() {}

    record Splits(Pixels train, Pixels test, Path dir) {}

    /** From {@code path} or, as the tarball unpacks, its subdirectory cifar-10-batches-bin. */
    static Splits read(Path path) {
        Path[] files = files(path, "path");
        Path dir = files[0].getParent();
        return new Splits(readFiles(java.util.Arrays.copyOf(files, 5)), readFiles(files[5]), dir);
    }

    /**
     * The six files (five train batches, then the test batch) as {@link #read} will open them, each checked
     * to exist; {@code field} names the config field in errors. Also the check a study makes before anything runs.
     */
    static Path[] files(Path path, String field) {
        Path dir = Files.isDirectory(path.resolve(SUBDIR)) ? path.resolve(SUBDIR) : path;
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(field + ": directory " + path + " does not exist; allowed: a directory holding "
                    + "CIFAR-10's binary files data_batch_1.bin .. data_batch_5.bin and test_batch.bin");
        }
        Path[] files = new Path[6];
        for (int i = 0; i < 6; i++) {
            files[i] = dir.resolve(i < 5 ? "data_batch_" + (i + 1) + ".bin" : "test_batch.bin");
            if (!Files.isRegularFile(files[i])) {
                throw new IllegalArgumentException(field + ": file " + files[i] + " does not exist; allowed: a directory "
                        + "holding CIFAR-10's binary files data_batch_1.bin .. data_batch_5.bin and test_batch.bin");
            }
        }
        return files;
    }

    private static Pixels readFiles(Path... files) {
        long[] records = new long[files.length];
        long total = 0;
        for (int i = 0; i < files.length; i++) {
            records[i] = records(files[i]);
            total += records[i];
        }
        // n * PIXELS must fit one Java array (about 699,000 records); more would overflow the int below
        if (total > (Integer.MAX_VALUE - 8) / PIXELS) {
            throw new IllegalArgumentException("path: " + files[0].getParent() + " holds " + total + " records in " + files.length
                    + " files; allowed: at most " + (Integer.MAX_VALUE - 8) / PIXELS + " records (one array of pixels)");
        }
        int n = (int) total;
        byte[] pixels = new byte[n * PIXELS];
        int[] labels = new int[n];
        int row = 0;
        for (int i = 0; i < files.length; i++) {
            Path f = files[i];
            byte[] c = bytes(f); // one file at a time: peak memory is the pixels plus one 30 MB file
            if (c.length != records[i] * RECORD) {
                throw new IllegalArgumentException("file " + f + " changed while it was read; allowed: a file that stays put");
            }
            for (int r = 0; r < c.length / RECORD; r++, row++) {
                int label = c[r * RECORD] & 0xFF;
                if (label >= CLASSES) {
                    throw new IllegalArgumentException("file " + f + ": label " + label + " in record " + r
                            + " is out of range; allowed: 0.." + (CLASSES - 1));
                }
                labels[row] = label;
                System.arraycopy(c, r * RECORD + 1, pixels, row * PIXELS, PIXELS);
            }
        }
        return new Pixels(pixels, n, PIXELS, labels, CLASSES);
    }

    /** The number of records, from the file's length, checked before anything is read. */
    private static long records(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("file " + file + " does not exist; allowed: CIFAR-10's binary files "
                    + "data_batch_1.bin .. data_batch_5.bin and test_batch.bin in one directory");
        }
        try {
            long length = Files.size(file);
            if (length == 0 || length % RECORD != 0) {
                throw new IllegalArgumentException("file " + file + ": length " + length + " bytes is not allowed; allowed: a "
                        + "positive multiple of " + RECORD + " (1 label byte + " + PIXELS + " pixel bytes per record)");
            }
            return length / RECORD;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
