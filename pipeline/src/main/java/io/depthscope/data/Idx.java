package io.depthscope.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * LeCun's IDX format of (Fashion-)MNIST, plain or gzipped (told apart by the gzip magic bytes, not the
 * file name): a big-endian header of magic number and dimensions, then unsigned bytes. Only the two
 * layouts those datasets use are accepted.
 */
final class Idx {
    /** Unsigned bytes (0x08), 3 dimensions: count, rows, columns. */
    static final int IMAGES = 0x00000803;
    /** Unsigned bytes (0x08), 1 dimension: count. */
    static final int LABELS = 0x00000801;
    /** The most one Java array holds. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private Idx() {}

    record Images(byte[] pixels, int count, int rows, int cols) {}

    static Images readImages(Path file) {
        try (DataInputStream in = open(file)) {
            magic(in, file, IMAGES, "IDX unsigned-byte images, 3 dimensions");
            int count = dimension(in, file, "image count");
            int rows = dimension(in, file, "rows");
            int cols = dimension(in, file, "columns");
            // each factor is below 2^31, so a product of two fits a long but count * rows * cols can overflow (it once
            // came out negative and reached readNBytes): multiply the third only when the first two are in range
            long perImage = (long) rows * cols;
            long bytes = perImage > MAX_BYTES ? Long.MAX_VALUE : count * perImage;
            if (bytes > MAX_BYTES) {
                throw new IllegalArgumentException("file " + file + ": header declares " + count + " images of " + rows + "x" + cols
                        + " (" + (bytes == Long.MAX_VALUE ? "more than " + MAX_BYTES : String.valueOf(bytes)) + " bytes); allowed: at most " + MAX_BYTES + " bytes");
            }
            byte[] pixels = body(in, file, (int) bytes, count + " images of " + rows + "x" + cols);
            return new Images(pixels, count, rows, cols);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** {rows, columns} of an image file from its header alone (the check a study makes before anything runs). */
    static int[] imageSize(Path file) {
        try (DataInputStream in = open(file)) {
            magic(in, file, IMAGES, "IDX unsigned-byte images, 3 dimensions");
            dimension(in, file, "image count");
            return new int[] {dimension(in, file, "rows"), dimension(in, file, "columns")};
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Labels as ints, each checked to lie in 0..classes-1. */
    static int[] readLabels(Path file, int classes) {
        try (DataInputStream in = open(file)) {
            magic(in, file, LABELS, "IDX unsigned-byte labels, 1 dimension");
            int count = dimension(in, file, "label count");
            byte[] raw = body(in, file, count, count + " labels");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xFF;
                if (labels[i] >= classes) {
                    throw new IllegalArgumentException("file " + file + ": label " + labels[i] + " at index " + i
                            + " is out of range; allowed: 0.." + (classes - 1));
                }
            }
            return labels;
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("file " + file + " does not exist; allowed: a readable IDX file, plain or .gz");
        }
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
        return new DataInputStream(new BufferedInputStream(in, 1 << 16));
    }

    private static void magic(DataInputStream in, Path file, int expected, String what) throws IOException {
        int magic = in.readInt();
        if (magic != expected) {
            throw new IllegalArgumentException("file " + file + ": magic number " + hex(magic) + " is not allowed; allowed: "
                    + hex(expected) + " (" + what + ")");
        }
    }

    private static int dimension(DataInputStream in, Path file, String name) throws IOException {
        int v = in.readInt();
        if (v < 1) {
            throw new IllegalArgumentException("file " + file + ": " + name + " " + v + " in the header is not allowed; allowed: >= 1");
        }
        return v;
    }

    /** Exactly {@code length} bytes and then the end of the data: a short or overlong body is a broken file. */
    private static byte[] body(DataInputStream in, Path file, int length, String declared) throws IOException {
        byte[] out = in.readNBytes(length);
        if (out.length < length) {
            throw new IllegalArgumentException("file " + file + " is truncated: the header declares " + declared + " (" + length
                    + " bytes) but only " + out.length + " follow; allowed: a complete IDX file");
        }
        if (in.read() != -1) {
            throw new IllegalArgumentException("file " + file + " has data after the " + declared
                    + " its header declares; allowed: a complete IDX file with nothing after it");
        }
        return out;
    }

    private static IllegalArgumentException unreadable(Path file, IOException e) {
        if (e instanceof EOFException || e instanceof ZipException) {
            String why = e.getMessage() == null ? "ends early" : e.getMessage();
            return new IllegalArgumentException("file " + file + " is corrupt or truncated (" + why
                    + "); allowed: a complete IDX file, plain or gzipped", e);
        }
        throw new UncheckedIOException("cannot read " + file, e);
    }

    static String hex(int v) {
        return String.format("0x%08X", v);
    }
}
