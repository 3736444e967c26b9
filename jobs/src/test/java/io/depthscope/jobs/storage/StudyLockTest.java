package io.depthscope.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One study per output directory, on the local file system and on one whose rename refuses overwrite (as HDFS's). */
class StudyLockTest {
    private static final Duration SHORT = Duration.ofMillis(600);

    @TempDir
    Path tmp;

    private String out(String fs) {
        return fs.equals("local") ? tmp.toUri().toString() : NoOverwriteFileSystem.on(tmp);
    }

    private Path lockFile() {
        return tmp.resolve(StudyLock.NAME);
    }

    /** A lock file as a driver killed {@code secondsAgo} seconds ago left it. */
    private void deadDriversLock(long secondsAgo) throws Exception {
        Files.write(lockFile(), StudyLock.FORMAT.write(new StudyLock.Holder("dead", "node7", 4242, "2026-01-01T00:00:00Z", "t-dead")));
        Files.setLastModifiedTime(lockFile(), FileTime.fromMillis(System.currentTimeMillis() - secondsAgo * 1000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "norename"})
    void aSecondStudyIsRefusedWithOneLineNamingTheFirst(String fs) {
        try (StudyLock first = StudyLock.acquire(out(fs), "first", SHORT)) {
            StudyLock.HeldException e = assertThrows(StudyLock.HeldException.class, () -> StudyLock.acquire(out(fs), "second", SHORT));
            String pid = Long.toString(ProcessHandle.current().pid());
            assertTrue(e.getMessage().contains("is in use by study 'first' (host ") && e.getMessage().contains(", pid " + pid + ", started 20"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "norename"})
    void aLiveHeartbeatKeepsTheLockLongAfterTheTimeout(String fs) throws Exception {
        try (StudyLock first = StudyLock.acquire(out(fs), "first", SHORT)) {
            Thread.sleep(4 * SHORT.toMillis());
            assertThrows(StudyLock.HeldException.class, () -> StudyLock.acquire(out(fs), "second", SHORT));
            assertFalse(first.lost());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "norename"})
    void aStaleLockIsTakenOverWithAWarning(String fs) throws Exception {
        deadDriversLock(5);
        String err = stderrOf(() -> StudyLock.acquire(out(fs), "next", SHORT).close());
        assertTrue(err.startsWith("warning: taking over the lock of study 'dead' (host node7, pid 4242, started 2026-01-01T00:00:00Z):"), err);
        assertFalse(Files.exists(lockFile()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "norename"})
    void aFreshLockOfAnotherDriverIsNotTakenOver(String fs) throws Exception {
        deadDriversLock(0);
        StudyLock.HeldException e = assertThrows(StudyLock.HeldException.class, () -> StudyLock.acquire(out(fs), "next", Duration.ofSeconds(60)));
        assertTrue(e.getMessage().contains("study 'dead' (host node7, pid 4242"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "norename"})
    void newcomersRacingForAStaleLockHaveExactlyOneWinner(String fs) throws Exception {
        for (int round = 0; round < 5; round++) {
            deadDriversLock(5);
            int newcomers = 6;
            CyclicBarrier start = new CyclicBarrier(newcomers);
            ExecutorService pool = Executors.newFixedThreadPool(newcomers);
            List<Future<StudyLock>> tries = new ArrayList<>();
            for (int i = 0; i < newcomers; i++) {
                String name = "newcomer-" + i;
                tries.add(pool.submit(() -> {
                    start.await();
                    try {
                        return StudyLock.acquire(out(fs), name, Duration.ofSeconds(2));
                    } catch (StudyLock.HeldException e) {
                        return null;
                    }
                }));
            }
            List<StudyLock> won = new ArrayList<>();
            for (Future<StudyLock> f : tries) {
                if (f.get() != null) {
                    won.add(f.get());
                }
            }
            pool.shutdown();
            assertEquals(1, won.size(), "round " + round);
            won.get(0).close();
            try (Stream<Path> s = Files.list(tmp)) {
                assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).toList(),
                        "no lock, marker or temporary file left");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "norename"})
    void theLockIsReleasedAfterANormalEndAndAfterAFailure(String fs) {
        try (StudyLock lock = StudyLock.acquire(out(fs), "first", SHORT)) {
            assertTrue(Files.exists(lockFile()));
        }
        assertFalse(Files.exists(lockFile()));
        assertThrows(IllegalStateException.class, () -> {
            try (StudyLock lock = StudyLock.acquire(out(fs), "second", SHORT)) {
                throw new IllegalStateException("the study failed");
            }
        });
        assertFalse(Files.exists(lockFile()));
        StudyLock.acquire(out(fs), "third", SHORT).close();
    }

    private static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
