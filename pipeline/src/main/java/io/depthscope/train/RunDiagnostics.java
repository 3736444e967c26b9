package io.depthscope.train;

import io.depthscope.diag.GradientConfusionAt;
import io.depthscope.diag.JacobianSpectrumAt;
import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.LayerWeightChangeAt;
import io.depthscope.diag.NtkAt;
import io.depthscope.diag.RepresentationRankAt;
import java.util.List;

/**
 * Every first-order and representation diagnostic row of a run, at all its diagnostics steps; {@code weightChanges} (each weight
 * layer's distance from its initialisation) is taken with the layer gradients.
 */
public record RunDiagnostics(List<LayerGradientsAt> layerGradients, List<GradientConfusionAt> confusion, List<NtkAt> ntk,
        List<JacobianSpectrumAt> jacobians, List<RepresentationRankAt> ranks, List<LayerWeightChangeAt> weightChanges)
        implements java.io.Serializable {

    public RunDiagnostics {
        layerGradients = List.copyOf(layerGradients);
        confusion = List.copyOf(confusion);
        ntk = List.copyOf(ntk);
        jacobians = List.copyOf(jacobians);
        ranks = List.copyOf(ranks);
        weightChanges = List.copyOf(weightChanges);
    }

    /** The diagnostics without weight changes (those of runs recorded before they were taken). */
    public RunDiagnostics(List<LayerGradientsAt> layerGradients, List<GradientConfusionAt> confusion, List<NtkAt> ntk,
                          List<JacobianSpectrumAt> jacobians, List<RepresentationRankAt> ranks) {
        this(layerGradients, confusion, ntk, jacobians, ranks, List.of());
    }

    public static RunDiagnostics empty() {
        return new RunDiagnostics(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }
}
