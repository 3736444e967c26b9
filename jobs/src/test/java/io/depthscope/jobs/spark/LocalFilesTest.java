package io.depthscope.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalFiles} sets the same permissions Hadoop's forked chmod sets, keeps Hadoop's checksum files, and is
 * what a configured Hadoop configuration resolves {@code file://} to.
 */
class LocalFilesTest {
    @TempDir
    java.nio.file.Path dir;

    /** A fresh instance (not Hadoop's per-JVM cache, which holds whichever local file system was made first). */
    private static FileSystem fresh(Configuration conf) throws Exception {
        return FileSystem.newInstance(URI.create("file:///"), conf);
    }

    @Test
    void everyModeSetIsTheModeOnDisk() throws Exception {
        FileSystem fs = fresh(LocalFiles.configure(new Configuration()));
        assertInstanceOf(LocalFiles.class, fs);
        Path file = new Path(dir.resolve("f").toUri());
        fs.create(file).close();
        for (String mode : new String[] {"000", "400", "600", "644", "640", "751", "755", "777", "123", "456"}) {
            fs.setPermission(file, new FsPermission(mode));
            String expected = new FsPermission(mode).toString();
            assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("f"))), "mode " + mode);
            assertEquals(new FsPermission(mode), fs.getFileStatus(file).getPermission(), "Hadoop reads back mode " + mode);
        }
    }

    @Test
    void filesAndDirectoriesGetTheUmasksModesAndHadoopsChecksums() throws Exception {
        Configuration conf = LocalFiles.configure(new Configuration());
        conf.set("fs.permissions.umask-mode", "027");
        FileSystem fs = fresh(conf);
        Path sub = new Path(dir.resolve("a/b").toUri());
        assertTrue(fs.mkdirs(sub));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b"))));
        Path file = new Path(sub, "data");
        byte[] bytes = "depthscope".getBytes(StandardCharsets.UTF_8);
        try (FSDataOutputStream out = fs.create(file)) {
            out.write(bytes);
        }
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b/data"))));
        assertTrue(Files.isRegularFile(dir.resolve("a/b/.data.crc")), "the checksum file LocalFileSystem writes");
        try (FSDataInputStream in = fs.open(file)) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
    }

    @Test
    void aMissingFileIsReportedAsHadoopReportsIt() throws Exception {
        FileSystem fs = fresh(LocalFiles.configure(new Configuration()));
        Path missing = new Path(dir.resolve("missing").toUri());
        assertThrows(FileNotFoundException.class, () -> fs.setPermission(missing, new FsPermission("644")));
    }

    @Test
    void configuringKeepsAnotherChoiceAndTheSharedConfigurationAndSparkUseThisOne() throws Exception {
        Configuration other = new Configuration(false);
        other.set(LocalFiles.IMPL, LocalFileSystem.class.getName());
        assertEquals(LocalFileSystem.class.getName(), LocalFiles.configure(other).get(LocalFiles.IMPL));
        assertInstanceOf(LocalFiles.class, fresh(LocalFiles.conf()));
        assertEquals(LocalFiles.class, FileSystem.getFileSystemClass("file", LocalFiles.conf()));
    }
}
