package io.depthscope.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.FileFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit is never replaced: a task run again after its executor died past the commit (Spark never
 * heard of its success) must not overwrite the first attempt's outcome, e.g. with a failure of its own.
 * Hadoop's local file system renames onto existing files, so a local commit is a hard link (docs/storage.md).
 */
class CommitStoreTest {
    /** Plain text, enough to tell two attempts' values apart. */
    static final class Utf8 implements FileFormat<String> {
        @Override
        public String name() {
            return "text";
        }

        @Override
        public byte[] write(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String read(byte[] bytes, String what) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    @TempDir
    Path dir;

    @Test
    void theFirstCommitOfAKeyStays() throws Exception {
        CommitStore<String> store = new CommitStore<>(dir.resolve("commits").toString(), ".txt", new Utf8());
        assertFalse(store.has("k"));
        assertTrue(store.save("k", "first attempt"));
        assertTrue(store.has("k"));
        assertFalse(store.save("k", "second attempt"), "a second commit of the key is refused");
        assertEquals("first attempt", store.load("k"));
        assertEquals(Set.of("k"), store.finished());
        try (Stream<Path> files = Files.list(dir.resolve("commits"))) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count(), "the refused attempt leaves no file");
        }
    }
}
