package io.depthscope.jobs.storage;

import io.depthscope.io.NpyVectorFormat;
import io.depthscope.nn.Network;
import io.depthscope.study.RunSpec;
import io.depthscope.train.CheckpointSink;
import java.io.Serializable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The parameters a study's second phase measures the Hessian at: the flat vector of a run at a step, as
 * float64 (exact for float32 runs too), committed as a numpy {@code .npy} file under
 * {@code <out>/_parameters/<run_id>.step-<k>.npy} by the training task and read by every Hessian task of
 * that step, on whichever executor it runs.
 */
public final class ParameterStore implements CheckpointSink, Serializable {
    private static final long serialVersionUID = 1L;
    private final CommitStore<double[]> store;

    public ParameterStore(String out) {
        this.store = new CommitStore<>(out + "/_parameters", ".npy", new NpyVectorFormat());
    }

    public static String key(String runId, int step) {
        return runId + ".step-" + step;
    }

    @Override
    public void save(RunSpec spec, Network network, int step, INDArray theta) {
        store.save(key(spec.runId(), step), theta.castTo(DataType.DOUBLE).toDoubleVector());
    }

    /** Whether the parameters of a run at each of {@code steps} are committed and read back (unreadable ones are set aside). */
    public boolean readable(String runId, java.util.List<Integer> steps) {
        return steps.stream().allMatch(step -> store.load(key(runId, step)) != null);
    }

    /** The parameters of a run at a step in {@code dtype}, or an error naming what is missing. */
    public INDArray load(String runId, int step, DataType dtype) {
        double[] theta = store.load(key(runId, step));
        if (theta == null) {
            throw new IllegalStateException("parameters of run " + runId + " at step " + step + " are missing under the study's _parameters");
        }
        return Nd4j.createFromArray(theta).castTo(dtype);
    }
}
