package io.depthscope.study;

import io.depthscope.nn.Network;
import io.depthscope.train.CheckpointSink;
import io.depthscope.train.Checkpoints;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checkpoints through Hadoop's FileSystem API, so file://, hdfs:// and s3a:// outputs all work:
 * {@code <root>/<run_id>/step-<k>.npz} and {@code .json}, each written under a temporary name and
 * renamed into place, so a reader never sees half a checkpoint.
 */
public final class HadoopCheckpoints implements CheckpointSink, Serializable {
    private static final long serialVersionUID = 1L;
    private final String root;

    public HadoopCheckpoints(String root) {
        this.root = root;
    }

    @Override
    public void save(io.depthscope.study.RunSpec spec, Network network, int step, INDArray theta) {
        Path dir = new Path(root, spec.runId());
        try {
            FileSystem fs = dir.getFileSystem(new Configuration());
            write(fs, new Path(dir, Checkpoints.npzName(step)), Checkpoints.npzBytes(network, theta));
            write(fs, new Path(dir, Checkpoints.jsonName(step)), Checkpoints.provenanceBytes(spec, network, step));
            write(fs, new Path(dir, Checkpoints.SPEC_NAME), Checkpoints.specBytes(network));
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint " + dir + " step " + step, e);
        }
    }

    private static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(bytes);
        }
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            throw new IOException("could not rename " + tmp + " to " + target);
        }
    }
}
