package io.depthscope.train;

import io.depthscope.data.Dataset;
import io.depthscope.data.Datasets;
import io.depthscope.data.MinibatchSampler;
import io.depthscope.diag.DiagnosticsSpec;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Network;
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
    /** The most examples a Hessian batch may have (its point holds every activation at once). */
    public static final int MAX_HESSIAN_EXAMPLES = 8192;

    /** Validates the spec and loads its data. */
    public static RunContext of(RunSpec spec) {
        spec.validate();
        DataType dtype = Dtypes.parse(spec.dtype());
        return of(spec, Datasets.load(spec.dataset(), dtype));
    }

    /** With data loaded already (an executor's cache holds one dataset for a study's many tasks). */
    public static RunContext of(RunSpec spec, Dataset data) {
        DataType dtype = Dtypes.parse(spec.dtype());
        Network network = Network.of(spec.network(data.inputDim(), data.train().targetDim()));
        return new RunContext(spec, dtype, data, network);
    }

    /**
     * The fixed batch every Hessian-vector product of the run uses: the whole training set, or the
     * first hessian.examples rows of a permutation from the stream (seed, "hessian-batch").
     */
    public Batch hessianBatch() {
        return fixedBatch(data.train(), spec.hessian().examples(), spec.seed(), "hessian-batch", "hessian.examples",
                MAX_HESSIAN_EXAMPLES);
    }

    /** The fixed batch of the run's diagnostics (see {@link DiagnosticsRecorder}), from the stream "diagnostics-batch". */
    public Batch diagnosticsBatch() {
        DiagnosticsSpec d = spec.diagnostics();
        return fixedBatch(data.train(), d.examples(), spec.seed(), "diagnostics-batch", "diagnostics.examples",
                d.confusion() || d.ntk() ? DiagnosticsSpec.MAX_GRAM_EXAMPLES : MAX_HESSIAN_EXAMPLES);
    }

    /**
     * A batch fixed for a whole run: all of {@code train} ({@code examples} 0) or the first
     * {@code examples} rows, in their original order, of a permutation from (seed, stream).
     */
    static Batch fixedBatch(Batch train, int examples, long seed, String stream, String field, int max) {
        int k = examples == 0 ? train.size() : Math.min(examples, train.size());
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
