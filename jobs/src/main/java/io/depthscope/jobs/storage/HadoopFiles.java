package io.depthscope.jobs.storage;

import io.depthscope.jobs.spark.LocalFiles;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Writes through Hadoop's FileSystem API (file://, hdfs://, s3a://) that readers see whole or not at
 * all: the content goes to a temporary name beside its target and is moved into place.
 *
 * <p>Moving into place without replacing (a commit, where the first one wins) must be a single atomic
 * step, and file systems disagree on rename onto an existing file: HDFS refuses (rename returns false),
 * Hadoop's local file system replaces it (it is java.io.File.renameTo). So on the local file system the
 * move is a hard link, which the kernel refuses atomically when the target exists, and elsewhere a
 * rename whose refusal is told apart from a failure by whether the target exists.
 */
public final class HadoopFiles {
    private HadoopFiles() {}

    /**
     * Writes {@code bytes} to {@code target}. With {@code replace}, an existing target is replaced; without
     * it, an existing target wins (another attempt committed first) and false is returned.
     */
    public static boolean writeAtomically(Path target, byte[] bytes, boolean replace) throws IOException {
        FileSystem fs = target.getFileSystem(LocalFiles.conf());
        Path tmp = temporary(target);
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(bytes);
        }
        if (replace) {
            moveInto(fs, tmp, target);
            return true;
        }
        return publish(fs, tmp, target);
    }

    /** A temporary name beside {@code target}, unique per attempt so two attempts never write the same file. */
    static Path temporary(Path target) {
        return new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    }

    /** The names {@link #temporary} gives: a dot, the target's name, a random UUID, ".tmp". */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");

    /**
     * Deletes the temporary files that attempts killed mid-write left in {@code dir} and, for {@code depth} > 1, in its
     * subdirectories down to that depth; returns how many. Only for a directory that nothing writes to while it runs (a study
     * between its jobs, under its lock): a live attempt's temporary file would go too, and its move into place fail.
     *
     * <p>Hadoop's local file system keeps a checksum beside each file and moves it in a second rename after the file's own,
     * so an attempt killed between the two leaves the temporary's checksum ({@code ..name.uuid.tmp.crc}) with no file beside
     * it. Its listing hides checksums, so the sweep lists the raw file system beneath it and takes those orphans too.
     */
    public static int sweepTemporaries(Path dir, int depth) throws IOException {
        FileSystem fs = dir.getFileSystem(LocalFiles.conf());
        FileSystem listed = fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
        return fs.exists(dir) ? sweep(fs, listed, dir, depth) : 0;
    }

    private static int sweep(FileSystem fs, FileSystem listed, Path dir, int depth) throws IOException {
        int deleted = 0;
        for (FileStatus s : listed.listStatus(dir)) {
            if (s.isDirectory() && depth > 1) {
                deleted += sweep(fs, listed, s.getPath(), depth - 1);
            } else if (s.isFile() && TEMPORARY.matcher(s.getPath().getName()).matches()) {
                // Through the checksummed file system, so the file's checksum goes with it.
                if (fs.delete(s.getPath(), false)) {
                    deleted++;
                }
            } else if (s.isFile() && ChecksumFileSystem.isChecksumFile(s.getPath())) {
                Path owner = checksummed(s.getPath());
                if (TEMPORARY.matcher(owner.getName()).matches() && !listed.exists(owner) && listed.delete(s.getPath(), false)) {
                    deleted++;
                }
            }
        }
        return deleted;
    }

    /** The file a checksum {@code .name.crc} belongs to (the inverse of {@link ChecksumFileSystem#getChecksumFile}). */
    private static Path checksummed(Path checksum) {
        String name = checksum.getName();
        return new Path(checksum.getParent(), name.substring(1, name.length() - 4));
    }

    /**
     * Moves the file {@code tmp} to {@code target} unless {@code target} exists: true if it moved, false
     * (and {@code tmp} deleted) if the target was there first. Atomic on the local file system and HDFS.
     */
    public static boolean publish(FileSystem fs, Path tmp, Path target) throws IOException {
        if (isLocal(fs)) {
            File source = local(fs, tmp);
            try {
                Files.createLink(local(fs, target).toPath(), source.toPath());
            } catch (FileAlreadyExistsException e) {
                fs.delete(tmp, false);
                return false;
            }
            fs.delete(tmp, false);
            return true;
        }
        // A refused rename means the target was there, unless it was deleted again before we looked (a lock
        // or marker released meanwhile): then the target is free and the rename is tried again.
        for (int attempt = 0; attempt < 5; attempt++) {
            if (fs.rename(tmp, target)) {
                return true;
            }
            if (fs.exists(target)) {
                fs.delete(tmp, false);
                return false;
            }
        }
        fs.delete(tmp, false);
        throw new IOException("could not rename " + tmp + " to " + target);
    }

    private static boolean isLocal(FileSystem fs) {
        return "file".equals(fs.getUri().getScheme()) && (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem);
    }

    private static File local(FileSystem fs, Path p) {
        return fs instanceof LocalFileSystem l ? l.pathToFile(p) : ((RawLocalFileSystem) fs).pathToFile(p);
    }

    /** Replaces {@code target} (a file or a directory) with {@code source}. */
    public static void moveInto(FileSystem fs, Path source, Path target) throws IOException {
        fs.delete(target, true);
        if (!fs.rename(source, target)) {
            throw new IOException("could not rename " + source + " to " + target);
        }
    }

    /** The whole content of a file. */
    static byte[] readAll(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toByteArray();
        }
    }
}
