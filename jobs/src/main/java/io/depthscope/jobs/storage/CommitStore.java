package io.depthscope.jobs.storage;

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
 * Finished pieces of work, one serialised file each ({@code <dir>/<key><suffix>}), written by the task
 * that made it under a temporary name and renamed into place: the rename is the piece's commit. A study
 * killed and started again skips every key with a file here and rebuilds its tables from these files,
 * one per key, so no row is ever written twice. Keys are file names: run ids, or run id and task name.
 */
public final class CommitStore<T extends Serializable> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String dir;
    private final String suffix;
    private final Class<T> type;

    public CommitStore(String dir, String suffix, Class<T> type) {
        this.dir = dir;
        this.suffix = suffix;
        this.type = type;
    }

    /**
     * Commits {@code value} under {@code key}, unless another attempt committed the key first: its value
     * stays (a task rerun after its executor was lost past the commit). Returns whether it committed.
     */
    public boolean save(String key, T value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
                o.writeObject(value);
            }
            return HadoopFiles.writeAtomically(new Path(dir, key + suffix), bytes.toByteArray(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("saving " + key + suffix + " under " + dir, e);
        }
    }

    /** Keys with a committed file (temporary files of killed attempts are ignored). */
    public Set<String> finished() {
        Set<String> keys = new HashSet<>();
        Path p = new Path(dir);
        try {
            FileSystem fs = p.getFileSystem(new Configuration());
            if (!fs.exists(p)) {
                return keys;
            }
            for (FileStatus s : fs.listStatus(p)) {
                String name = s.getPath().getName();
                if (name.endsWith(suffix) && !name.startsWith(".")) {
                    keys.add(name.substring(0, name.length() - suffix.length()));
                }
            }
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir, e);
        }
    }

    /** Whether {@code key} has a committed file. */
    public boolean has(String key) {
        Path p = new Path(dir, key + suffix);
        try {
            return p.getFileSystem(new Configuration()).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("looking for " + key + suffix + " under " + dir, e);
        }
    }

    /**
     * Withdraws the commit of {@code key}, so the work is done again: for retrying a failure. A study
     * killed between this and the new commit simply finds the key unfinished.
     */
    public void delete(String key) {
        Path p = new Path(dir, key + suffix);
        try {
            FileSystem fs = p.getFileSystem(new Configuration());
            if (fs.exists(p) && !fs.delete(p, false)) {
                throw new IOException("could not delete " + p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + key + suffix + " under " + dir, e);
        }
    }

    /**
     * The committed value of a key, or null when there is none or it cannot be read back (written by
     * another version of the code): such work is simply done again.
     */
    public T load(String key) {
        Path p = new Path(dir, key + suffix);
        try {
            FileSystem fs = p.getFileSystem(new Configuration());
            if (!fs.exists(p)) {
                return null;
            }
            try (InputStream in = fs.open(p); ObjectInputStream o = new ObjectInputStream(in)) {
                return type.cast(o.readObject());
            }
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            return null;
        }
    }
}
