package io.depthscope.train;

import io.depthscope.nn.Network;
import io.depthscope.study.RunSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a run's checkpoints go (in jobs/, a Hadoop filesystem: local paths, HDFS or S3 alike).
 * A checkpoint is the parameters in the npz layout that {@code probe} reads ({@code layers.i.weight},
 * {@code layers.i.bias}, as {@code numpy.savez(**state_dict)} writes them) and, beside it, the run's
 * provenance as JSON (config, seed, step, code version, backend, dtype).
 */
public interface CheckpointSink {
    /** Saves theta and, for a network with BatchNorm, its buffers (null otherwise). */
    void save(RunSpec spec, Network network, int step, INDArray theta, INDArray buffers);

    CheckpointSink NONE = (spec, network, step, theta, buffers) -> { };
}
