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

    /** A run's parameters at a step and, for a network with BatchNorm, its running statistics (null otherwise). */
    public record State(INDArray theta, INDArray buffers) {}

    /** Theta, then the buffers of a network with BatchNorm, as one vector: the Hessian's eval mode reads them. */
    @Override
    public void save(RunSpec spec, Network network, int step, INDArray theta, INDArray buffers) {
        double[] t = theta.castTo(DataType.DOUBLE).toDoubleVector();
        if (buffers != null && buffers.length() > 0) {
            double[] b = buffers.castTo(DataType.DOUBLE).toDoubleVector();
            double[] all = java.util.Arrays.copyOf(t, t.length + b.length);
            System.arraycopy(b, 0, all, t.length, b.length);
            t = all;
        }
        store.save(key(spec.runId(), step), t);
    }

    /** The state of a run at a step for {@code network}, in {@code dtype}. */
    public State load(String runId, int step, Network network, DataType dtype) {
        double[] all = store.load(key(runId, step));
        if (all == null) {
            throw new IllegalStateException("parameters of run " + runId + " at step " + step + " are missing under the study's _parameters");
        }
        int p = Math.toIntExact(network.paramCount());
        int b = Math.toIntExact(network.bufferLayout().size());
        if (all.length != p + b) {
            throw new IllegalStateException("parameters of run " + runId + " at step " + step + ": " + all.length + " values; expected "
                    + p + " parameters" + (b > 0 ? " and " + b + " buffer values" : ""));
        }
        INDArray theta = Nd4j.createFromArray(java.util.Arrays.copyOf(all, p)).castTo(dtype);
        INDArray buffers = b == 0 ? null : Nd4j.createFromArray(java.util.Arrays.copyOfRange(all, p, p + b)).castTo(dtype);
        return new State(theta, buffers);
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
