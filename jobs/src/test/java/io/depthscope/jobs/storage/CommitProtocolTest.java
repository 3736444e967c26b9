package io.depthscope.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.NpyVectorFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The commit protocol on both rename behaviours: the local file system's (rename replaces the target)
 * and HDFS's (rename onto an existing file fails), the latter through {@link NoOverwriteFileSystem}.
 * First commit wins; a damaged commit is set aside and redone.
 */
class CommitProtocolTest {
    @TempDir
    Path tmp;

    private String root(String fs) {
        return fs.equals("local") ? tmp.toUri().toString() : NoOverwriteFileSystem.on(tmp);
    }

    private CommitStore<double[]> store(String fs) {
        return new CommitStore<>(root(fs) + "/_pieces", ".npy", new NpyVectorFormat());
    }

    /** The committed files and leftovers (temporary files) under the store's directory. */
    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(tmp.resolve("_pieces"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(CommitStore.SET_ASIDE)).sorted().toList();
        }
    }

    @Test
    void theTwoRenameBehavioursAreReallyDifferent() throws Exception {
        Files.writeString(tmp.resolve("a"), "a");
        Files.writeString(tmp.resolve("b"), "b");
        FileSystem local = new org.apache.hadoop.fs.Path(tmp.toUri()).getFileSystem(new Configuration());
        FileSystem hdfsLike = new org.apache.hadoop.fs.Path(NoOverwriteFileSystem.on(tmp)).getFileSystem(new Configuration());
        assertFalse(hdfsLike.rename(new org.apache.hadoop.fs.Path(NoOverwriteFileSystem.on(tmp.resolve("a"))),
                new org.apache.hadoop.fs.Path(NoOverwriteFileSystem.on(tmp.resolve("b")))));
        assertTrue(local.rename(new org.apache.hadoop.fs.Path(tmp.resolve("a").toUri()), new org.apache.hadoop.fs.Path(tmp.resolve("b").toUri())),
                "the local file system replaces on rename: a plain rename would let the last commit win");
        assertEquals("a", Files.readString(tmp.resolve("b")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "norename"})
    void theFirstCommitWinsAndNothingElseIsLeft(String fs) throws Exception {
        CommitStore<double[]> store = store(fs);
        assertTrue(store.save("k", new double[] {1, Double.NaN}));
        assertFalse(store.save("k", new double[] {2, 3}), "a second attempt of the task finds the key committed");
        assertArrayEquals(new double[] {1, Double.NaN}, store.load("k"), 0.0);
        assertEquals(List.of("k.npy"), files(), "one file, no temporary file left behind");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "norename"})
    void attemptsCommittingAtOnceLeaveExactlyOneCompleteValue(String fs) throws Exception {
        int attempts = 8;
        for (int round = 0; round < 5; round++) {
            CommitStore<double[]> store = store(fs);
            String key = "k" + round;
            CyclicBarrier start = new CyclicBarrier(attempts);
            ExecutorService pool = Executors.newFixedThreadPool(attempts);
            List<Future<Boolean>> won = new ArrayList<>();
            for (int a = 0; a < attempts; a++) {
                double[] value = new double[1000];
                java.util.Arrays.fill(value, a);
                won.add(pool.submit(() -> {
                    start.await();
                    return store.save(key, value);
                }));
            }
            int winner = -1;
            for (int a = 0; a < attempts; a++) {
                if (won.get(a).get()) {
                    assertEquals(-1, winner, "two attempts both think they committed");
                    winner = a;
                }
            }
            pool.shutdown();
            assertTrue(winner >= 0);
            double[] expected = new double[1000];
            java.util.Arrays.fill(expected, winner);
            assertArrayEquals(expected, store.load(key), 0.0, "readers see the winner's value, whole");
        }
        assertEquals(List.of("k0.npy", "k1.npy", "k2.npy", "k3.npy", "k4.npy"), files());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "norename"})
    void aCutShortCommitIsSetAsideOnRestartAndItsWorkRedone(String fs) throws Exception {
        CommitStore<double[]> store = store(fs);
        store.save("k", new double[] {1, 2, 3});
        Path file = tmp.resolve("_pieces/k.npy");
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 5));
        // a restart: the key is listed as committed, but does not read back, so it is not done
        assertTrue(store.finished().contains("k"));
        assertFalse(store.readable().contains("k"));
        assertNull(store.load("k"));
        assertFalse(store.finished().contains("k"));
        assertTrue(store.save("k", new double[] {1, 2, 3}), "the redone work commits; a damaged file would have won otherwise");
        assertArrayEquals(new double[] {1, 2, 3}, store.load("k"), 0.0);
        try (Stream<Path> s = Files.list(tmp.resolve("_pieces").resolve(CommitStore.SET_ASIDE))) {
            assertEquals(1, s.count());
        }
    }

    /**
     * What an attempt killed mid-write leaves (its temporary file, with the local file system's checksum beside it) is swept,
     * to the depth asked, and nothing else: committed files, a file merely named like one, a set-aside directory's content.
     */
    @ParameterizedTest
    @ValueSource(strings = {"local", "norename"})
    void aSweepDeletesTheTemporaryFilesOfKilledAttemptsAndNothingElse(String fs) throws Exception {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(root(fs) + "/checkpoints");
        org.apache.hadoop.fs.Path run = new org.apache.hadoop.fs.Path(root, "run1");
        FileSystem hfs = root.getFileSystem(new Configuration());
        HadoopFiles.writeAtomically(new org.apache.hadoop.fs.Path(run, "spec.json"), new byte[] {1}, true);
        for (org.apache.hadoop.fs.Path left : List.of(HadoopFiles.temporary(new org.apache.hadoop.fs.Path(run, "spec.json")),
                HadoopFiles.temporary(new org.apache.hadoop.fs.Path(run, "step-00000000.npz")),
                HadoopFiles.temporary(new org.apache.hadoop.fs.Path(root, "deeper-than-asked")))) {
            hfs.create(left).close(); // a write cut off before its move into place
        }
        hfs.create(new org.apache.hadoop.fs.Path(run, ".not-ours.tmp")).close();
        hfs.create(new org.apache.hadoop.fs.Path(run, "step-00000000.json")).close();
        Path runDir = tmp.resolve("checkpoints/run1");
        // A move into place cut off between the file's rename and its checksum's (the local file system does them in turn,
        // and a lost executor on a standalone cluster once left exactly this): the temporary's checksum, alone.
        String orphan = "." + HadoopFiles.temporary(new org.apache.hadoop.fs.Path(run, "spec.json")).getName() + ".crc";
        Files.write(runDir.resolve(orphan), new byte[] {1});
        Files.write(runDir.resolve("..not-ours-either.tmp.crc"), new byte[] {1});
        assertEquals(5, list(runDir).stream().filter(n -> !n.endsWith(".crc")).count(), "two temporaries among them: " + list(runDir));

        assertEquals(0, HadoopFiles.sweepTemporaries(new org.apache.hadoop.fs.Path(root(fs) + "/absent"), 2), "an absent directory is no error");
        assertEquals(1, HadoopFiles.sweepTemporaries(root, 1), "depth 1: the root's own files only");
        assertEquals(3, HadoopFiles.sweepTemporaries(root, 2), "two temporaries and the orphaned checksum");
        List<String> kept = list(runDir).stream().filter(n -> !n.endsWith(".crc")).toList();
        assertEquals(List.of(".not-ours.tmp", "spec.json", "step-00000000.json"), kept);
        assertEquals(fs.equals("local") ? List.of("..not-ours-either.tmp.crc", "..not-ours.tmp.crc") : List.of("..not-ours-either.tmp.crc"),
                list(runDir).stream().filter(n -> n.endsWith(".tmp.crc")).toList(), "checksums went with their files");
        assertEquals(List.of("run1"), list(tmp.resolve("checkpoints")).stream().filter(n -> !n.endsWith(".crc")).toList());
    }

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
