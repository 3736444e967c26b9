package io.depthscope.jobs.orchestration;

import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The console's view of a running phase: pieces done/total, elapsed time and ETA, from a count the phase supplies
 * (committed files, or an accumulator its tasks add to), so it works the same on local[*] and on a cluster (where the
 * Spark UI shows tasks). The count is read every 2 s, so it must be cheap: not a listing of a directory that grows
 * with the study.
 */
final class ProgressLine implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    ProgressLine(String what, IntSupplier finished, int total, int alreadyDone) {
        long start = System.nanoTime();
        thread = new Thread(() -> {
            int last = -1;
            while (running) {
                int done = finished.getAsInt();
                if (done != last) {
                    last = done;
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    int now = done - alreadyDone;
                    String eta = now > 0 ? String.format(Locale.ROOT, "%.0f s", elapsed / now * (total - done)) : "-";
                    System.out.printf(Locale.ROOT, "%s %d/%d, %.0f s elapsed, ETA %s%n", what, done, total, elapsed, eta);
                }
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "depthscope-progress");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
