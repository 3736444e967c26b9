package io.depthscope.train;

import io.depthscope.diag.DiagnosticsSpec;
import io.depthscope.diag.GradientConfusion;
import io.depthscope.diag.GradientConfusionAt;
import io.depthscope.diag.JacobianSpectrum;
import io.depthscope.diag.JacobianSpectrumAt;
import io.depthscope.diag.LayerGradients;
import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.LayerWeightChangeAt;
import io.depthscope.diag.MinibatchConfusion;
import io.depthscope.diag.Ntk;
import io.depthscope.diag.NtkAt;
import io.depthscope.diag.NtkGram;
import io.depthscope.diag.RepresentationRank;
import io.depthscope.diag.RepresentationRankAt;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.study.RunSpec;
import io.depthscope.util.Seeds;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Takes a run's configured diagnostics at its diagnostics steps, all on one fixed batch (the first
 * diagnostics.examples of the permutation (seed, "diagnostics-batch")), and keeps the rows. It holds
 * the NTK Gram matrix of the first step it saw, for the kernel's drift along training.
 */
public final class DiagnosticsRecorder {
    private final RunSpec spec;
    private final Network network;
    private final Batch train;
    private final Batch batch;
    private Point point;
    private io.depthscope.nn.Landscape landscape;
    private INDArray firstKernel;
    private int firstKernelStep = -1;
    private final List<LayerGradientsAt> layerGradients = new ArrayList<>();
    private final List<GradientConfusionAt> confusion = new ArrayList<>();
    private final List<NtkAt> ntk = new ArrayList<>();
    private final List<JacobianSpectrumAt> jacobians = new ArrayList<>();
    private final List<RepresentationRankAt> ranks = new ArrayList<>();
    private final List<LayerWeightChangeAt> weightChanges = new ArrayList<>();
    /** The initial parameters, for each layer's change from them; null when layer gradients are not taken. */
    private final INDArray initial;

    /** The recorder of a run whose parameters start at {@code initial} (copied: the optimiser updates theta in place). */
    public DiagnosticsRecorder(RunContext context, INDArray initial) {
        this.spec = context.spec();
        this.network = context.network();
        this.train = context.data().train();
        this.batch = spec.diagnostics().any() ? context.diagnosticsBatch() : null;
        this.initial = batch != null && spec.diagnostics().layerGradients() ? initial.dup() : null;
    }

    /** Whether the run takes diagnostics at this step. */
    public boolean at(int step) {
        return batch != null && spec.diagnostics().steps().contains(step);
    }

    /**
     * Takes every configured diagnostic at parameters {@code theta} of step {@code step}; the convolutional presets'
     * chunks are loaded into points borrowed from {@code bindings} (the trainer's, with BatchNorm's running statistics,
     * whose minibatch points have the chunks' size and mode).
     */
    public void take(int step, INDArray theta, io.depthscope.nn.Bindings bindings) {
        // BatchNorm's running statistics of this step, which the Jacobians and ranks use in eval mode
        INDArray buffers = bindings.buffers();
        DiagnosticsSpec d = spec.diagnostics();
        String id = spec.runId();
        int n = batch.size();
        if (initial != null) {
            // weights only: no batch, so the same for every preset
            weightChanges.addAll(LayerWeightChangeAt.of(id, step, network, initial, theta));
        }
        if (!io.depthscope.nn.NetworkSpec.FULLY_CONNECTED.contains(spec.arch())) {
            // the convolutional and BatchNorm presets: no per-example Grams (RunSpec refuses them). Layer gradients of the
            // loss SGD sees: with BatchNorm, the mean over normalisation groups of the training minibatch size
            int chunk = network.couplesExamples(Mode.TRAIN) ? spec.optimizer().batchSize() : io.depthscope.nn.PassBudget.examples(network, n);
            landscape = landscape == null
                    ? io.depthscope.nn.ChunkedLandscape.of(bindings, batch, theta, Mode.TRAIN, chunk)
                    : landscape.moveTo(theta);
            if (d.layerGradients()) {
                LayerGradients.ofWeightLayers(landscape).forEach(l -> layerGradients.add(LayerGradientsAt.of(id, step, n, l)));
            }
            jacobians(step, theta, buffers);
            if (d.representation()) {
                // each example's own representation: BatchNorm in eval mode, over the same chunks as the gradients
                List<RepresentationRank.Layer> layers = landscape instanceof Point p && !network.couplesExamples(p.mode())
                        ? RepresentationRank.of(p)
                        : RepresentationRank.of(network, theta, buffers, batch, chunk);
                layers.forEach(l -> ranks.add(RepresentationRankAt.of(id, step, n, l)));
            }
            return;
        }
        point = point == null ? network.at(batch, theta) : point.moveTo(theta);
        if (d.layerGradients()) {
            LayerGradients.of(point).forEach(l -> layerGradients.add(LayerGradientsAt.of(id, step, n, l)));
        }
        if (d.confusion() && n >= 2) {
            confusion.add(GradientConfusionAt.of(id, step, "per_example", 1, GradientConfusion.withinBatch(point)));
        }
        if (d.minibatches() > 0) {
            GradientConfusion c = MinibatchConfusion.of(network, train, theta, Math.min(d.minibatchSize(), train.size()), d.minibatches(),
                    Seeds.derive(spec.seed(), "diagnostics", step));
            confusion.add(GradientConfusionAt.of(id, step, "minibatch", Math.min(d.minibatchSize(), train.size()), c));
        }
        if (d.ntk()) {
            INDArray k = Ntk.gram(point);
            NtkGram g = NtkGram.of(k, (int) point.outputs().columns());
            if (firstKernel == null) {
                firstKernel = k;
                firstKernelStep = step;
            }
            ntk.add(new NtkAt(id, step, n, g.outputs(), g.lambdaMin(), g.lambdaMax(), g.conditionNumber(), g.trace(), g.frobenius(),
                    firstKernelStep, Ntk.drift(firstKernel, k), Ntk.alignment(firstKernel, k)));
        }
        jacobians(step, theta, buffers);
        if (d.jacobianInputs() > 0 && "linear".equals(spec.activation())) {
            jacobians.add(JacobianSpectrumAt.of(id, step, JacobianSpectrumAt.END_TO_END, -1, spec.depth() + 1,
                    JacobianSpectrum.endToEnd(network, theta)));
        }
        if (d.representation()) {
            RepresentationRank.of(point).forEach(l -> ranks.add(RepresentationRankAt.of(id, step, n, l)));
        }
    }

    /** The input-to-hidden spectra at the first diagnostics.jacobian_inputs examples (BatchNorm in eval mode, one example each). */
    private void jacobians(int step, INDArray theta, INDArray buffers) {
        for (int row = 0; row < Math.min(spec.diagnostics().jacobianInputs(), batch.size()); row++) {
            for (JacobianSpectrum.Layer l : JacobianSpectrum.at(network, theta, buffers, batch, row)) {
                jacobians.add(JacobianSpectrumAt.of(spec.runId(), step, JacobianSpectrumAt.INPUT_TO_HIDDEN, row, l.layer(), l.spectrum()));
            }
        }
    }

    public RunDiagnostics rows() {
        return new RunDiagnostics(layerGradients, confusion, ntk, jacobians, ranks, weightChanges);
    }
}
