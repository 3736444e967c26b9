package io.depthscope.train;

import io.depthscope.data.Dataset;
import io.depthscope.data.Datasets;
import io.depthscope.data.MinibatchSampler;
import io.depthscope.diag.DiagnosticsSpec;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Bindings;
import io.depthscope.nn.ChunkedLandscape;
import io.depthscope.nn.Landscape;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.PassBudget;
import io.depthscope.study.RunSpec;
import io.depthscope.util.Dtypes;
import io.depthscope.util.Seeds;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What every part of one run builds from its {@link RunSpec} before computing anything: the dtype, the
 * data, the network, and the batches fixed for the whole run. The trainer and a study's Hessian phase
 * (which runs elsewhere, later) both start here, so they see the same network and the same batches.
 *
 * @param spec    the run, validated
 * @param dtype   the precision of parameters and activations
 * @param data    the run's dataset, loaded in {@code dtype}
 * @param network the network the spec names, sized from the data
 */
public record RunContext(RunSpec spec, DataType dtype, Dataset data, Network network) {
    /**
     * The most examples a diagnostics batch may have: the fully connected presets' diagnostics hold the whole batch in
     * one pass (per-example Grams, Jacobians and ranks read every example's activations).
     */
    public static final int MAX_DIAGNOSTICS_EXAMPLES = 8192;

    /** Validates the spec and loads its data. */
    public static RunContext of(RunSpec spec) {
        spec.validate();
        DataType dtype = Dtypes.parse(spec.dtype());
        return of(spec, Datasets.load(spec.dataset(), dtype));
    }

    /** With data loaded already (an executor's cache holds one dataset for a study's many tasks). */
    public static RunContext of(RunSpec spec, Dataset data) {
        DataType dtype = Dtypes.parse(spec.dtype());
        Network network = Network.of(spec.network(data.inputShape(), data.train().targetDim()));
        RunContext context = new RunContext(spec, dtype, data, network);
        if (!spec.hessian().stepsFor(spec.steps()).isEmpty() || spec.optimizer().fromCurvature()) {
            context.checkHessianChunks();
        }
        if (spec.diagnostics().any() && network.couplesExamples(Mode.TRAIN)) {
            wholeGroups("diagnostics.examples", "diagnostics", fixedBatchSize(data.train(), spec.diagnostics().examples()),
                    spec.optimizer().batchSize(), "BatchNorm's");
        }
        return context;
    }

    /** BatchNorm's running statistics as PyTorch starts them, or null for a network without buffers. */
    public org.nd4j.linalg.api.ndarray.INDArray initialBuffers() {
        return network.bufferLayout().size() == 0 ? null : network.initialBuffers(dtype);
    }

    /** The Hessian's mode: train (normalisation groups) or eval (running statistics); it matters with BatchNorm only. */
    public Mode hessianMode() {
        return Mode.of(spec.hessian().mode());
    }

    /**
     * Examples per pass of the Hessian batch: hessian.chunk when given; otherwise, where BatchNorm couples the
     * examples, the training minibatch (the normalisation group SGD saw), and else as many as {@link PassBudget}
     * allows (the whole batch when it fits, as every fully connected run of the committed configs does).
     */
    public int hessianChunk(int batchSize) {
        if (spec.hessian().chunk() > 0) {
            return spec.hessian().chunk();
        }
        return network.couplesExamples(hessianMode()) ? spec.optimizer().batchSize() : PassBudget.examples(network, batchSize);
    }

    private void checkHessianChunks() {
        if (network.couplesExamples(hessianMode())) {
            int n = fixedBatchSize(data.train(), spec.hessian().examples());
            wholeGroups("hessian.examples", "Hessian", n, hessianChunk(n), "in train mode BatchNorm's");
        }
    }

    /** A fixed batch of {@code n} examples must split into whole normalisation groups of {@code group}. */
    private static void wholeGroups(String field, String what, int n, int group, String whose) {
        if (n % group != 0) {
            throw new IllegalArgumentException("run." + field + ": the " + what + " batch would have " + n + " examples; allowed: a multiple of "
                    + group + " (" + whose + " normalisation groups are the training minibatches of optimizer.batch_size)");
        }
    }

    /** Examples in a batch fixed for the run: all of {@code train} ({@code examples} 0) or at most {@code examples}. */
    private static int fixedBatchSize(Batch train, int examples) {
        return examples == 0 ? train.size() : Math.min(examples, train.size());
    }

    /**
     * The loss on the run's fixed Hessian batch as the curvature operator of its mode, at theta (and, with
     * BatchNorm, the running statistics in {@code buffers}, which eval mode reads and nothing writes): the trainer
     * and a study's Hessian phase both measure this.
     */
    public Landscape hessianLandscape(org.nd4j.linalg.api.ndarray.INDArray theta, org.nd4j.linalg.api.ndarray.INDArray buffers) {
        return hessianLandscape(theta, Bindings.shared(network, buffers));
    }

    /** The same operator, its chunks loaded into points borrowed from {@code bindings} (the trainer's, with its buffers). */
    public Landscape hessianLandscape(org.nd4j.linalg.api.ndarray.INDArray theta, Bindings bindings) {
        Batch batch = hessianBatch();
        return ChunkedLandscape.of(bindings, batch, theta, hessianMode(), hessianChunk(batch.size()));
    }

    /**
     * The fixed batch every Hessian-vector product of the run uses: the whole training set, or the
     * first hessian.examples rows of a permutation from the stream (seed, "hessian-batch").
     */
    public Batch hessianBatch() {
        // no cap: the operator holds one chunk's activations at a time (hessianChunk), whatever the batch
        return fixedBatch(data.train(), spec.hessian().examples(), spec.seed(), "hessian-batch", "hessian.examples", Integer.MAX_VALUE);
    }

    /** The fixed batch of the run's diagnostics (see {@link DiagnosticsRecorder}), from the stream "diagnostics-batch". */
    public Batch diagnosticsBatch() {
        DiagnosticsSpec d = spec.diagnostics();
        return fixedBatch(data.train(), d.examples(), spec.seed(), "diagnostics-batch", "diagnostics.examples",
                d.confusion() || d.ntk() ? DiagnosticsSpec.MAX_GRAM_EXAMPLES : MAX_DIAGNOSTICS_EXAMPLES);
    }

    /**
     * A batch fixed for a whole run: all of {@code train} ({@code examples} 0) or the first
     * {@code examples} rows, in their original order, of a permutation from (seed, stream).
     */
    static Batch fixedBatch(Batch train, int examples, long seed, String stream, String field, int max) {
        int k = fixedBatchSize(train, examples);
        if (k > max) {
            throw new IllegalArgumentException("run." + field + ": the batch would have " + k + " examples; allowed: <= " + max
                    + " (set run." + field + ")");
        }
        if (k == train.size()) {
            return train;
        }
        int[] order = new MinibatchSampler(train.size(), train.size(), false, Seeds.derive(seed, stream)).permutation(0);
        int[] rows = Arrays.copyOf(order, k);
        Arrays.sort(rows);
        return MinibatchSampler.gather(train, rows);
    }
}
