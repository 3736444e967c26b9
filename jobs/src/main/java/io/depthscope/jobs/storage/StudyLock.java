package io.depthscope.jobs.storage;

import io.depthscope.io.JsonFormat;
import io.depthscope.io.UnreadableFileException;
import io.depthscope.jobs.spark.LocalFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;

/**
 * One study (or {@code train}) per output directory: the file {@code <out>/_study.lock} names its holder
 * (study, host, pid, start time) and is published without replacing anything ({@link HadoopFiles#publish},
 * atomic on HDFS and on the local file system, where Hadoop's {@code create(path, false)} is a check
 * followed by a create and two drivers could both pass it). The holder touches the file's modification
 * time every {@code timeout / 12} (its heartbeat); a lock whose heartbeat is older than the timeout
 * belongs to a driver that was killed and is taken over with a warning line.
 *
 * <p>Taking over is race-free: a newcomer first publishes a marker named after the stale holder's token
 * ({@code _study.lock.takeover-<token>}); only the one whose marker went in may delete that stale lock,
 * and then it still has to publish its own lock like anyone else, so two newcomers never both win. A
 * newcomer killed between its marker and the delete leaves the marker, which the refusal names.
 * Staleness compares modification times with this host's clock: drivers' clocks must agree to well
 * within the timeout.
 */
public final class StudyLock implements AutoCloseable {
    public static final String NAME = "_study.lock";
    /** The timeout in seconds when the system property {@value #TIMEOUT_PROPERTY} is not set. */
    public static final double DEFAULT_TIMEOUT_SECONDS = 60;
    public static final String TIMEOUT_PROPERTY = "depthscope.lock.timeout.seconds";

    /** Who holds the lock; {@code token} tells one acquisition from every other. */
    public record Holder(String study, String host, long pid, String started, String token) {}

    static final JsonFormat<Holder> FORMAT = new JsonFormat<>("depthscope-study-lock", 1, Holder.class);

    private final FileSystem fs;
    private final Path path;
    private final Holder me;
    private final ScheduledExecutorService heartbeat;
    private final Runnable releaseOnExit = this::release;
    private volatile boolean lost;
    private boolean released;

    private StudyLock(FileSystem fs, Path path, Holder me, Duration timeout) {
        this.fs = fs;
        this.path = path;
        this.me = me;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "depthscope-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(20, timeout.toMillis() / 12);
        heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
        // before Hadoop closes its file systems at exit (priority 10), so the lock can still be deleted
        ShutdownHookManager.get().addShutdownHook(releaseOnExit, FileSystem.SHUTDOWN_HOOK_PRIORITY + 10);
    }

    /** The timeout from the system property {@value #TIMEOUT_PROPERTY}, or 60 s. */
    public static Duration configuredTimeout() {
        double seconds = Double.parseDouble(System.getProperty(TIMEOUT_PROPERTY, Double.toString(DEFAULT_TIMEOUT_SECONDS)));
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /**
     * Takes the lock of {@code out} for {@code study}, taking over a stale one, or throws {@link HeldException}
     * naming the holder. Release it with {@link #close} (also done at JVM exit).
     */
    public static StudyLock acquire(String out, String study, Duration timeout) {
        Path path = new Path(out, NAME);
        try {
            FileSystem fs = path.getFileSystem(LocalFiles.conf());
            fs.mkdirs(path.getParent());
            Holder me = new Holder(study, host(), ProcessHandle.current().pid(), Instant.now().toString(), UUID.randomUUID().toString());
            for (int attempt = 0; attempt < 3; attempt++) {
                if (publish(fs, path, me)) {
                    fs.setTimes(path, System.currentTimeMillis(), -1); // the heartbeat's clock from the start
                    return new StudyLock(fs, path, me, timeout);
                }
                // The holder first, then the file's time: a newcomer that takes a stale lock over may delete it and
                // publish its own in between, and then the time read is the newer one's, so a live lock is never
                // judged by a stale time. Gone in between (released, or taken over): try again.
                FileStatus status;
                Holder holder;
                try {
                    holder = read(fs, path);
                    status = fs.getFileStatus(path);
                } catch (FileNotFoundException e) {
                    continue;
                }
                long age = System.currentTimeMillis() - status.getModificationTime();
                if (age <= timeout.toMillis()) {
                    throw new HeldException(out, describe(holder) + ", heartbeat " + seconds(age) + " ago");
                }
                takeOver(fs, path, out, holder, status, age, timeout, me);
            }
            throw new HeldException(out, "other studies starting at the same time");
        } catch (IOException e) {
            throw new UncheckedIOException("locking " + path, e);
        }
    }

    /** Deletes the stale lock {@code holder} held, if this newcomer is the one allowed to; the caller then competes for the lock. */
    private static void takeOver(FileSystem fs, Path path, String out, Holder holder, FileStatus status, long age, Duration timeout,
            Holder me) throws IOException {
        String staleId = holder != null ? holder.token() : "unreadable-" + status.getModificationTime();
        Path marker = new Path(path.getParent(), NAME + ".takeover-" + staleId);
        if (!publish(fs, marker, me)) {
            throw new HeldException(out, describe(holder) + ", whose stale lock another study is taking over (if no study is running, "
                    + "delete " + marker + ")");
        }
        try {
            FileStatus now = fs.getFileStatus(path);
            Holder again = read(fs, path);
            String nowId = again != null ? again.token() : "unreadable-" + now.getModificationTime();
            if (nowId.equals(staleId)) {
                fs.delete(path, false);
                System.err.printf(Locale.ROOT, "warning: taking over the lock of %s: its heartbeat stopped %s ago (timeout %s)%n",
                        describe(holder), seconds(age), seconds(timeout.toMillis()));
            }
        } catch (FileNotFoundException e) {
            // someone else took it over and released it already
        } finally {
            fs.delete(marker, false);
        }
    }

    private static boolean publish(FileSystem fs, Path target, Holder holder) throws IOException {
        Path tmp = HadoopFiles.temporary(target);
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(FORMAT.write(holder));
        }
        return HadoopFiles.publish(fs, tmp, target);
    }

    /** The holder in a lock file, or null if it does not read back. */
    private static Holder read(FileSystem fs, Path path) throws IOException {
        try {
            return FORMAT.read(HadoopFiles.readAll(fs, path), path.getName());
        } catch (UnreadableFileException | io.depthscope.io.ForeignFormatException e) {
            return null;
        }
    }

    private static String describe(Holder h) {
        return h == null ? "an unknown study (unreadable lock file)"
                : "study '" + h.study() + "' (host " + h.host() + ", pid " + h.pid() + ", started " + h.started() + ")";
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Whether another study took this lock over (this driver's heartbeat stalled past the timeout). */
    public boolean lost() {
        return lost;
    }

    private void beat() {
        try {
            Holder holder = read(fs, path);
            if (holder == null || !holder.token().equals(me.token())) {
                lost = true;
                System.err.println("warning: the lock " + path + " was taken over by " + describe(holder)
                        + " after this driver's heartbeat stalled; two studies may now write this directory");
                heartbeat.shutdown();
                return;
            }
            fs.setTimes(path, System.currentTimeMillis(), -1);
        } catch (IOException e) {
            // a missed beat; the next one tries again, and only a timeout's worth of misses loses the lock
        }
    }

    /** Releases the lock: stops the heartbeat and deletes the file if it is still this driver's. */
    @Override
    public void close() {
        try {
            ShutdownHookManager.get().removeShutdownHook(releaseOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or has run
        }
        release();
    }

    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        heartbeat.shutdownNow();
        try {
            Holder holder = read(fs, path);
            if (holder != null && holder.token().equals(me.token())) {
                fs.delete(path, false);
            }
        } catch (FileNotFoundException e) {
            // nothing to release
        } catch (IOException e) {
            System.err.println("warning: could not release the lock " + path + ": " + e.getMessage() + "; the next study takes it over"
                    + " after the timeout");
        }
    }

    /** The output directory is another study's: one line naming it. */
    public static final class HeldException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HeldException(String out, String holder) {
            super("output directory " + out + " is in use by " + holder + "; allowed: one study per output directory: wait for it to"
                    + " end, or choose another --out");
        }
    }
}
