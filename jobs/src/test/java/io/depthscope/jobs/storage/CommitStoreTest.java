package io.depthscope.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit is never replaced: a task run again after its executor died past the commit (Spark never
 * heard of its success) must not overwrite the first attempt's outcome, e.g. with a failure of its own.
 * Hadoop's local file system renames onto existing files, so this needs a look before the rename.
 */
class CommitStoreTest {
    @TempDir
    Path dir;

    @Test
    void theFirstCommitOfAKeyStays() throws Exception {
        CommitStore<String> store = new CommitStore<>(dir.resolve("commits").toString(), ".txt", String.class);
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
