package io.depthscope.study;

import java.util.Locale;

/**
 * The console's view of a running study: runs done/total, elapsed time and ETA, from the committed
 * outcome files, so it works the same on local[*] and on a cluster (where the Spark UI shows tasks).
 */
final class ProgressLine implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    ProgressLine(OutcomeStore store, int total, int alreadyDone) {
        long start = System.nanoTime();
        thread = new Thread(() -> {
            int last = -1;
            while (running) {
                int done = store.finished().size();
                if (done != last) {
                    last = done;
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    int now = done - alreadyDone;
                    String eta = now > 0 ? String.format(Locale.ROOT, "%.0f s", elapsed / now * (total - done)) : "-";
                    System.out.printf(Locale.ROOT, "runs %d/%d, %.0f s elapsed, ETA %s%n", done, total, elapsed, eta);
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
