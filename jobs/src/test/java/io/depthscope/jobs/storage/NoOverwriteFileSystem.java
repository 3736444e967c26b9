package io.depthscope.jobs.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system with HDFS's rename: onto an existing file it fails (returns false) instead of
 * replacing it. Registered for the scheme {@code norename://} (META-INF/services), so a store whose
 * directory is {@code norename:///tmp/x} runs the commit protocol as it would on HDFS.
 */
public class NoOverwriteFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "norename";

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    /** One name node: a rename's check and move are one step, and no delete falls between them, as on HDFS. */
    private static final Object NAME_NODE = new Object();

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        synchronized (NAME_NODE) {
            return renameWithoutOverwrite(src, dst);
        }
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        synchronized (NAME_NODE) {
            return super.delete(p, recursive);
        }
    }

    private boolean renameWithoutOverwrite(Path src, Path dst) throws IOException {
        try {
            if (getFileStatus(dst).isFile()) {
                return false;
            }
        } catch (FileNotFoundException e) {
            // free: move into place
        }
        return super.rename(src, dst);
    }

    /** {@code dir} (a local path) on this file system. */
    public static String on(java.nio.file.Path dir) {
        return SCHEME + "://" + dir.toAbsolutePath();
    }
}
