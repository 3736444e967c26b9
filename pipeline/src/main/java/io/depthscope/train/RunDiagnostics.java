package io.depthscope.train;

import io.depthscope.diag.GradientConfusionAt;
import io.depthscope.diag.JacobianSpectrumAt;
import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.NtkAt;
import io.depthscope.diag.RepresentationRankAt;
import java.util.List;

/** Every first-order and representation diagnostic row of a run, at all its diagnostics steps. */
public record RunDiagnostics(List<LayerGradientsAt> layerGradients, List<GradientConfusionAt> confusion, List<NtkAt> ntk,
        List<JacobianSpectrumAt> jacobians, List<RepresentationRankAt> ranks) implements java.io.Serializable {

    public RunDiagnostics {
        layerGradients = List.copyOf(layerGradients);
        confusion = List.copyOf(confusion);
        ntk = List.copyOf(ntk);
        jacobians = List.copyOf(jacobians);
        ranks = List.copyOf(ranks);
    }

    public static RunDiagnostics empty() {
        return new RunDiagnostics(List.of(), List.of(), List.of(), List.of(), List.of());
    }
}
