package io.depthscope.jobs.orchestration;

import io.depthscope.jobs.spark.LocalFiles;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.Path;

/**
 * Deliberate task failures, so the retry and failure paths are tested rather than assumed: the run at
 * plan index {@code failOnce} throws on its first attempt only (a marker file remembers the failure,
 * across executors and restarts), the run at {@code failAlways} throws on every attempt. The run at
 * {@code pauseOnce} waits on its first attempt, for up to {@link #PAUSE_SECONDS}, after leaving the marker
 * {@code paused-once-<index>}: a test that kills the executor then knows a task is cut off mid-run, where a
 * kill timed by the clock could fall between tasks. -1 disables.
 */
public record FaultInjection(int failOnce, int failAlways, int pauseOnce, String markerDir) implements Serializable {
    /** Long enough for a test to see the marker and kill the executor; a pause nobody ends only delays the run. */
    public static final long PAUSE_SECONDS = 120;

    public FaultInjection(int failOnce, int failAlways, String markerDir) {
        this(failOnce, failAlways, -1, markerDir);
    }

    public static FaultInjection none() {
        return new FaultInjection(-1, -1, -1, null);
    }

    public boolean active() {
        return failOnce >= 0 || failAlways >= 0 || pauseOnce >= 0;
    }

    /** This plan, with its markers under {@code dir}. */
    public FaultInjection withMarkers(String dir) {
        return new FaultInjection(failOnce, failAlways, pauseOnce, dir);
    }

    /** Throws, or pauses, for the configured plan indices. */
    public void before(int planIndex) {
        if (planIndex == pauseOnce && firstTime("paused-once-" + planIndex)) {
            try {
                Thread.sleep(PAUSE_SECONDS * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in an injected pause of run " + planIndex, e);
            }
        }
        if (planIndex == failAlways) {
            throw new IllegalStateException("injected fault: run " + planIndex + " fails on every attempt");
        }
        if (planIndex == failOnce && firstTime("failed-once-" + planIndex)) {
            throw new IllegalStateException("injected fault: run " + planIndex + " fails on its first attempt");
        }
    }

    /** Creates the marker {@code name}: true the first time, on any executor. */
    private boolean firstTime(String name) {
        Path marker = new Path(markerDir, name);
        try {
            return marker.getFileSystem(LocalFiles.conf()).createNewFile(marker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
