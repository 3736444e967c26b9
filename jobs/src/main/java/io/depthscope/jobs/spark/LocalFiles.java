package io.depthscope.jobs.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file://}), with permissions set through java.nio instead of a forked
 * {@code chmod}. Without Hadoop's native library (which Spark's distribution does not ship), every file and
 * checksum file Hadoop creates on the local disk costs a {@code chmod} process: about 190 per small study, 8-11 ms
 * each on this 2-core machine, and more under load, where they held up training tasks and table writes. Everything
 * else, including the checksum files and rename semantics, is Hadoop's own.
 *
 * <p>Used wherever depthscope configures Hadoop: {@link #configure} sets {@code fs.file.impl} (which Hadoop consults
 * before its service registry), {@link SparkSessions} sets it for the driver and the executors, and {@link #conf}
 * is the one configuration depthscope's own file operations use.
 */
public class LocalFiles extends LocalFileSystem {
    static final String IMPL = "fs.file.impl";
    /** Parsing Hadoop's default resources takes tens of milliseconds; commit stores did it per call, in every task. */
    private static final Configuration SHARED = configure(new Configuration());

    public LocalFiles() {
        super(new NioPermissions());
    }

    /** {@code conf}, with this file system for {@code file://} unless one is configured already. */
    public static Configuration configure(Configuration conf) {
        conf.setIfUnset(IMPL, LocalFiles.class.getName());
        return conf;
    }

    /**
     * The JVM's configuration for depthscope's own files (commit stores, locks, checkpoints). Shared and never
     * changed after it is made, so many tasks may read it at once.
     */
    public static Configuration conf() {
        return SHARED;
    }

    /** The raw local file system, whose {@link #setPermission} no longer forks. */
    static final class NioPermissions extends RawLocalFileSystem {
        @Override
        public void setPermission(Path p, FsPermission permission) throws IOException {
            if (permission.getStickyBit()) {
                super.setPermission(p, permission); // no POSIX attribute for it in java.nio: Hadoop's way
                return;
            }
            try {
                Files.setPosixFilePermissions(pathToFile(p).toPath(), PosixFilePermissions.fromString(permission.toString()));
            } catch (NoSuchFileException e) {
                throw new FileNotFoundException("File " + p + " does not exist");
            } catch (UnsupportedOperationException e) {
                super.setPermission(p, permission); // not a POSIX file system
            }
        }
    }
}
