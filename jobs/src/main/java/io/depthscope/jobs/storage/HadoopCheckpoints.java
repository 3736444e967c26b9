package io.depthscope.jobs.storage;

import io.depthscope.nn.Network;
import io.depthscope.study.RunSpec;
import io.depthscope.train.CheckpointSink;
import io.depthscope.train.Checkpoints;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
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
    public void save(RunSpec spec, Network network, int step, INDArray theta, INDArray buffers) {
        Path dir = new Path(root, spec.runId());
        try {
            HadoopFiles.writeAtomically(new Path(dir, Checkpoints.npzName(step)), Checkpoints.npzBytes(network, theta, buffers), true);
            HadoopFiles.writeAtomically(new Path(dir, Checkpoints.jsonName(step)), Checkpoints.provenanceBytes(spec, network, step), true);
            HadoopFiles.writeAtomically(new Path(dir, Checkpoints.SPEC_NAME), Checkpoints.specBytes(network), true);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint " + dir + " step " + step, e);
        }
    }
}
