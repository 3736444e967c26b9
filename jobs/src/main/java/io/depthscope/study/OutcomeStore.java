package io.depthscope.study;

import io.depthscope.train.RunOutcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Finished runs, one file each ({@code <out>/_outcomes/<run_id>.outcome}), written by the task that ran
 * it under a temporary name and renamed into place: the rename is the run's commit. A study that is
 * killed and started again skips every run with a file here, and its tables are rebuilt from these
 * files, one per run id, so no row is ever written twice.
 */
public final class OutcomeStore implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String SUFFIX = ".outcome";
    private final String dir;

    public OutcomeStore(String out) {
        this.dir = out + "/_outcomes";
    }

    private FileSystem fs(Path p) throws IOException {
        return p.getFileSystem(new Configuration());
    }

    public void save(RunOutcome outcome) {
        Path target = new Path(dir, outcome.run().runId() + SUFFIX);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
                o.writeObject(outcome);
            }
            // if another attempt of the same run committed first, its outcome is as good as ours
            HadoopFiles.writeAtomically(target, bytes.toByteArray(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("saving the outcome of run " + outcome.run().runId(), e);
        }
    }

    /** Run ids with a committed outcome (temporary files of killed attempts are ignored). */
    public Set<String> finished() {
        Set<String> ids = new HashSet<>();
        Path p = new Path(dir);
        try {
            FileSystem fs = fs(p);
            if (!fs.exists(p)) {
                return ids;
            }
            for (FileStatus s : fs.listStatus(p)) {
                String name = s.getPath().getName();
                if (name.endsWith(SUFFIX) && !name.startsWith(".")) {
                    ids.add(name.substring(0, name.length() - SUFFIX.length()));
                }
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir, e);
        }
    }

    /**
     * The committed outcome of a run, or null when there is none or it cannot be read back (written by
     * another version of the code): such a run is simply run again.
     */
    public RunOutcome load(String runId) {
        Path p = new Path(dir, runId + SUFFIX);
        try {
            FileSystem fs = fs(p);
            if (!fs.exists(p)) {
                return null;
            }
            try (InputStream in = fs.open(p); ObjectInputStream o = new ObjectInputStream(in)) {
                return (RunOutcome) o.readObject();
            }
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            return null;
        }
    }
}
