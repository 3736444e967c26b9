package io.depthscope.jobs.orchestration;

import io.depthscope.jobs.spark.LocalFiles;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Deliberate task failures, so the retry and failure paths are tested rather than assumed: the run at
 * plan index {@code failOnce} throws on its first attempt only (a marker file remembers the failure,
 * across executors and restarts), the run at {@code failAlways} throws on every attempt. -1 disables.
 */
public record FaultInjection(int failOnce, int failAlways, String markerDir) implements Serializable {
    public static FaultInjection none() {
        return new FaultInjection(-1, -1, null);
    }

    public boolean active() {
        return failOnce >= 0 || failAlways >= 0;
    }

    /** Throws for the configured plan indices. */
    public void before(int planIndex) {
        if (planIndex == failAlways) {
            throw new IllegalStateException("injected fault: run " + planIndex + " fails on every attempt");
        }
        if (planIndex == failOnce) {
            Path marker = new Path(markerDir, "failed-once-" + planIndex);
            try {
                FileSystem fs = marker.getFileSystem(LocalFiles.conf());
                if (fs.createNewFile(marker)) {
                    throw new IllegalStateException("injected fault: run " + planIndex + " fails on its first attempt");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
