package io.depthscope.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small files in the real IDX layout (big-endian header, unsigned bytes), plain or gzipped. */
public final class IdxFiles {
    private IdxFiles() {}

    static byte[] images(int magic, int count, int rows, int cols, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        out.write(pixels);
        return bytes.toByteArray();
    }

    static byte[] labels(int magic, byte[] labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(labels.length);
        out.write(labels);
        return bytes.toByteArray();
    }

    /** Writes {@code content} to dir/name, or gzipped to dir/name.gz; returns the file. */
    static Path write(Path dir, String name, byte[] content, boolean gzip) throws IOException {
        Path file = dir.resolve(gzip ? name + ".gz" : name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }

    /** Pixel i of a set is (31 * i + 7 * seed) mod 256: every byte value occurs, and sets differ. */
    static byte[] pixels(int length, int seed) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) {
            p[i] = (byte) ((31 * i + 7 * seed) & 0xFF);
        }
        return p;
    }

    /**
     * A complete small Fashion-MNIST directory: {@code train} and {@code test} images of rows x cols with
     * labels i mod 10.
     */
    public static void fashion(Path dir, int train, int test, int rows, int cols, boolean gzip) throws IOException {
        write(dir, "train-images-idx3-ubyte", images(Idx.IMAGES, train, rows, cols, pixels(train * rows * cols, 1)), gzip);
        write(dir, "train-labels-idx1-ubyte", labels(Idx.LABELS, cycle(train)), gzip);
        write(dir, "t10k-images-idx3-ubyte", images(Idx.IMAGES, test, rows, cols, pixels(test * rows * cols, 2)), gzip);
        write(dir, "t10k-labels-idx1-ubyte", labels(Idx.LABELS, cycle(test)), gzip);
    }

    static byte[] cycle(int n) {
        byte[] l = new byte[n];
        for (int i = 0; i < n; i++) {
            l[i] = (byte) (i % 10);
        }
        return l;
    }
}
