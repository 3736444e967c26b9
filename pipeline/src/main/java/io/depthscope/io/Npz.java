package io.depthscope.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * numpy's {@code .npz} archives (a zip of {@code key.npy} entries, stored or deflated) and single {@code .npy}
 * files. Arrays come back in C order, keys in archive order. Errors name the file and the key.
 */
public final class Npz {
    private Npz() {}

    /** Every array of the archive at {@code path}; {@code what} names the input in errors (e.g. "weights"). */
    public static Map<String, INDArray> read(Path path, String what) {
        requireFile(path, what);
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(path.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    throw new IllegalArgumentException(what + ": " + path + " holds '" + name
                            + "', which is not an array; allowed: .npy entries as numpy.savez writes them");
                }
                String key = name.substring(0, name.length() - 4);
                arrays.put(key, Npy.read(entry(zip, e, path, what), what + " key '" + key + "'"));
            }
        } catch (ZipException e) {
            throw new IllegalArgumentException(what + ": " + path + " is not an .npz archive (" + e.getMessage()
                    + "); allowed: files written by numpy.savez or numpy.savez_compressed");
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot read " + path, e);
        }
        return arrays;
    }

    /**
     * The bytes of one entry. A deflated entry cut short or garbled ends in EOFException or ZipException while
     * it is inflated: that is a broken file, not a failing disk, so it is bad input naming the entry.
     */
    private static byte[] entry(ZipFile zip, ZipEntry e, Path path, String what) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            byte[] bytes = in.readAllBytes();
            // ZipFile does not check a stored entry's CRC: without this, a flipped byte in the data is a different number
            CRC32 crc = new CRC32();
            crc.update(bytes);
            if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
                throw new IllegalArgumentException(what + ": entry '" + e.getName() + "' of " + path + " fails its CRC check (the archive is "
                        + "corrupt); allowed: files written by numpy.savez or numpy.savez_compressed, unaltered");
            }
            return bytes;
        } catch (EOFException | ZipException broken) {
            throw new IllegalArgumentException(what + ": entry '" + e.getName() + "' of " + path + " is corrupt or truncated ("
                    + broken.getMessage() + "); allowed: files written by numpy.savez or numpy.savez_compressed");
        }
    }

    /** The array in the {@code .npy} file at {@code path}. */
    public static INDArray readNpy(Path path, String what) {
        requireFile(path, what);
        try {
            return Npy.read(Files.readAllBytes(path), what + " (" + path + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot read " + path, e);
        }
    }

    /** Writes {@code arrays} as an uncompressed archive, as numpy.savez does, replacing any file at {@code path}. */
    public static void write(Path path, Map<String, INDArray> arrays) {
        try (OutputStream file = Files.newOutputStream(path)) {
            write(file, arrays);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    public static void write(OutputStream out, Map<String, INDArray> arrays) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Map.Entry<String, INDArray> a : arrays.entrySet()) {
            byte[] npy = Npy.write(a.getValue());
            // stored entries need size and CRC up front; numpy.savez stores too, so readers that mmap work
            ZipEntry e = new ZipEntry(a.getKey() + ".npy");
            e.setMethod(ZipEntry.STORED);
            e.setSize(npy.length);
            e.setCompressedSize(npy.length);
            CRC32 crc = new CRC32();
            crc.update(npy);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(npy);
            zip.closeEntry();
        }
        zip.finish();
    }

    /** Writes one array as a {@code .npy} file. */
    public static void writeNpy(Path path, INDArray array) {
        try {
            Files.write(path, Npy.write(array));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    private static void requireFile(Path path, String what) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(what + ": file " + path + " does not exist; allowed: a readable file",
                    new NoSuchFileException(path.toString()));
        }
    }
}
