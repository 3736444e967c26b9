package io.depthscope.jobs.storage;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes through Hadoop's FileSystem API (file://, hdfs://, s3a://) that readers see whole or not at
 * all: the content goes to a temporary name beside its target and is renamed into place.
 */
public final class HadoopFiles {
    private HadoopFiles() {}

    /**
     * Writes {@code bytes} to {@code target}. With {@code replace}, an existing target is replaced; without
     * it, an existing target wins (another attempt committed first) and false is returned.
     */
    public static boolean writeAtomically(Path target, byte[] bytes, boolean replace) throws IOException {
        FileSystem fs = target.getFileSystem(new Configuration());
        // Hadoop's local file system renames onto an existing file (HDFS refuses), so look first. Only two
        // attempts alive at once (speculation) can still both pass here, and then both wrote the same work.
        if (!replace && fs.exists(target)) {
            return false;
        }
        // unique per attempt, so two attempts of one task never write the same temporary file
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + System.nanoTime() + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(bytes);
        }
        if (replace) {
            moveInto(fs, tmp, target);
            return true;
        }
        if (!fs.rename(tmp, target)) {
            fs.delete(tmp, false);
            return false;
        }
        return true;
    }

    /** Replaces {@code target} (a file or a directory) with {@code source}. */
    public static void moveInto(FileSystem fs, Path source, Path target) throws IOException {
        fs.delete(target, true);
        if (!fs.rename(source, target)) {
            throw new IOException("could not rename " + source + " to " + target);
        }
    }
}
