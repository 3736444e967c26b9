package io.depthscope.jobs.orchestration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The injected pause: a marker first, then a wait that only the first attempt makes; other runs pass straight through. */
class FaultInjectionTest {
    @TempDir
    Path dir;

    @Test
    void theFirstAttemptLeavesItsMarkerAndWaitsTheSecondGoesOn() throws Exception {
        FaultInjection faults = new FaultInjection(-1, -1, 3, dir.toString());
        faults.before(2); // another run: no marker, no wait
        assertEquals(0, Files.list(dir).count());
        Thread[] first = new Thread[1];
        CompletableFuture<Void> attempt = CompletableFuture.runAsync(() -> {
            first[0] = Thread.currentThread();
            faults.before(3);
        });
        Path marker = dir.resolve("paused-once-3");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(marker)) {
            assertTrue(System.nanoTime() < deadline, "no marker within 30 s");
            Thread.sleep(10);
        }
        Thread.sleep(200);
        assertFalse(attempt.isDone(), "the first attempt waits");
        first[0].interrupt(); // what a killed executor does to it, more gently
        ExecutionException e = assertThrows(ExecutionException.class, () -> attempt.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        long start = System.nanoTime();
        faults.before(3); // the attempt after the kill finds the marker
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(FaultInjection.PAUSE_SECONDS / 2), "the second attempt does not wait");
    }
}
