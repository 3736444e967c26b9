package io.depthscope.jobs.storage;

import io.depthscope.io.FileFormat;
import io.depthscope.jobs.spark.LocalFiles;
import io.depthscope.io.UnreadableFileException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Finished pieces of work, one file each ({@code <dir>/<key><suffix>}, in {@code format}; see
 * docs/storage.md), written by the task that made it under a temporary name and moved into place without
 * replacing anything: the move is the piece's commit, and the first commit of a key wins (two attempts of
 * one task leave one file, and a reader sees one complete value). A study killed and started again skips
 * every key with a readable file here and rebuilds its tables from these files. A file that cannot be
 * read back (cut short, corrupted) is set aside under {@code <dir>/.unreadable/} and its work done again;
 * a file of another format or a newer version stops the study (redoing it would hide the conflict).
 */
public final class CommitStore<T> implements Serializable {
    private static final long serialVersionUID = 1L;
    static final String SET_ASIDE = ".unreadable";
    private final String dir;
    private final String suffix;
    private final FileFormat<T> format;

    public CommitStore(String dir, String suffix, FileFormat<T> format) {
        this.dir = dir;
        this.suffix = suffix;
        this.format = format;
    }

    /** Commits {@code value} under {@code key}: true, or false if another attempt committed the key first (its value stays). */
    public boolean save(String key, T value) {
        try {
            return HadoopFiles.writeAtomically(path(key), format.write(value), false);
        } catch (IOException e) {
            throw new UncheckedIOException("saving " + key + suffix + " under " + dir, e);
        }
    }

    /** Keys with a committed file, readable or not (temporary files of killed attempts are ignored). */
    public Set<String> finished() {
        Set<String> keys = new HashSet<>();
        Path p = new Path(dir);
        try {
            FileSystem fs = p.getFileSystem(LocalFiles.conf());
            if (!fs.exists(p)) {
                return keys;
            }
            for (FileStatus s : fs.listStatus(p)) {
                String name = s.getPath().getName();
                if (s.isFile() && name.endsWith(suffix) && !name.startsWith(".")) {
                    keys.add(name.substring(0, name.length() - suffix.length()));
                }
            }
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir, e);
        }
    }

    /** Keys whose committed file reads back; unreadable ones are set aside (see {@link #load}), so their work is redone. */
    public Set<String> readable() {
        Set<String> keys = new HashSet<>();
        for (String key : finished()) {
            if (load(key) != null) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** Whether {@code key} has a committed file (readable or not): a task run again after its executor was lost finds it and does nothing. */
    public boolean has(String key) {
        Path p = path(key);
        try {
            return p.getFileSystem(LocalFiles.conf()).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("looking for " + key + suffix + " under " + dir, e);
        }
    }

    /**
     * Withdraws the commit of {@code key}, so the work is done again: for retrying a failure. A study
     * killed between this and the new commit simply finds the key unfinished.
     */
    public void delete(String key) {
        Path p = path(key);
        try {
            FileSystem fs = p.getFileSystem(LocalFiles.conf());
            if (fs.exists(p) && !fs.delete(p, false)) {
                throw new IOException("could not delete " + p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + key + suffix + " under " + dir, e);
        }
    }

    /**
     * The committed value of a key, or null when there is none, or when its file cannot be read back:
     * then the file is set aside with a warning line, so the work is done again and the commit can
     * succeed. A file of another format or a newer version throws {@link io.depthscope.io.ForeignFormatException}.
     */
    public T load(String key) {
        Path p = path(key);
        try {
            FileSystem fs = p.getFileSystem(LocalFiles.conf());
            if (!fs.exists(p)) {
                return null;
            }
            try {
                return format.read(HadoopFiles.readAll(fs, p), name(key));
            } catch (UnreadableFileException e) {
                setAside(fs, p, e.getMessage());
                return null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + name(key), e);
        }
    }

    private void setAside(FileSystem fs, Path p, String why) throws IOException {
        Path aside = new Path(new Path(dir, SET_ASIDE), p.getName() + "." + System.currentTimeMillis() + "-" + java.util.UUID.randomUUID());
        fs.mkdirs(aside.getParent());
        if (!fs.rename(p, aside)) {
            fs.delete(p, false);
            System.err.println("warning: " + why + "; deleted it, its work is done again");
        } else {
            System.err.println("warning: " + why + "; set aside as " + aside + ", its work is done again");
        }
    }

    private Path path(String key) {
        return new Path(dir, key + suffix);
    }

    /** The file's name as errors give it: its directory's last part and its name ({@code _outcomes/x.outcome}). */
    private String name(String key) {
        return new Path(dir).getName() + "/" + key + suffix;
    }
}
