package io.depthscope.probe;

import io.depthscope.diag.GradientConfusion;
import io.depthscope.diag.JacobianSpectrum;
import io.depthscope.diag.LayerGradients;
import io.depthscope.diag.NtkGram;
import io.depthscope.diag.RepresentationRank;
import io.depthscope.io.Json;
import io.depthscope.nn.Point;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The diagnostics a probe reports beside the Hessian moments, as JSON-ready maps: always gradient
 * confusion, the NTK Gram's extreme eigenvalues and the singular values of dh_L/dx at the first
 * example; with {@code --diagnostics} also Lanczos outliers, the SLQ density, per-layer Jacobian
 * spectra, representation ranks and per-layer gradient norms.
 */
public final class ProbeDiagnostics {
    /** Above this many examples the N x N Gram matrices (per-example gradients, NTK) are not formed. */
    public static final int MAX_GRAM_EXAMPLES = 4096;
    public static final int TOP_K = 5;
    public static final int LANCZOS_STEPS = 60;
    public static final int SLQ_RUNS = 8;
    public static final int SLQ_STEPS = 40;

    private ProbeDiagnostics() {}

    /** The base keys, and with {@code full} the rest; the Jacobian spectra serve both and are computed once. */
    public static Map<String, Object> of(Point point, boolean full, long seed) {
        List<JacobianSpectrum.Layer> jacobians = JacobianSpectrum.at(point, 0);
        Map<String, Object> m = base(point, jacobians);
        if (full) {
            m.putAll(full(point, jacobians, seed));
        }
        return m;
    }

    private static Map<String, Object> base(Point point, List<JacobianSpectrum.Layer> jacobians) {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = point.batch().size();
        if (n >= 2 && n <= MAX_GRAM_EXAMPLES) {
            GradientConfusion c = GradientConfusion.withinBatch(point);
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("min_inner_product", Json.finiteOrNull(c.minInnerProduct()));
            g.put("mean_inner_product", Json.finiteOrNull(c.meanInnerProduct()));
            g.put("min_cosine", Json.finiteOrNull(c.minCosine()));
            g.put("mean_cosine", Json.finiteOrNull(c.meanCosine()));
            m.put("gradient_confusion", g);
        } else {
            m.put("gradient_confusion", null);
        }
        if (n <= MAX_GRAM_EXAMPLES) {
            NtkGram k = NtkGram.at(point);
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("lambda_min", Json.finiteOrNull(k.lambdaMin()));
            g.put("lambda_max", Json.finiteOrNull(k.lambdaMax()));
            g.put("condition_number", Json.finiteOrNull(k.conditionNumber()));
            g.put("trace", Json.finiteOrNull(k.trace()));
            m.put("ntk_gram", g);
        } else {
            m.put("ntk_gram", null);
        }
        m.put("representation_jacobian_singular_values",
                Json.finiteList(jacobians.get(jacobians.size() - 1).spectrum().singularValues()));
        return m;
    }

    private static Map<String, Object> full(Point point, List<JacobianSpectrum.Layer> jacobians, long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        long p = point.paramCount();
        SymmetricOperator h = SymmetricOperator.hessian(point);
        TopEigenvalues top = Lanczos.topEigenvalues(h, (int) Math.min(p, LANCZOS_STEPS), TOP_K, seed);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("largest", Json.finiteList(top.largest()));
        t.put("largest_residual_bounds", Json.finiteList(top.largestResidualBounds()));
        t.put("smallest", Json.finiteList(top.smallest()));
        t.put("smallest_residual_bounds", Json.finiteList(top.smallestResidualBounds()));
        t.put("negative_to_positive_ratio", Json.finiteOrNull(top.negativeToPositiveRatio()));
        t.put("lanczos_steps", top.steps());
        m.put("hessian_top_eigenvalues", t);

        SpectralDensity d = StochasticLanczosQuadrature.density(h, SLQ_RUNS, (int) Math.min(p, SLQ_STEPS), seed, DensityGrid.DEFAULT);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("runs", SLQ_RUNS);
        s.put("lanczos_steps", d.steps());
        s.put("sigma", Json.finiteOrNull(d.sigma()));
        s.put("spectrum_std", Json.finiteOrNull(d.spectrumStd()));
        s.put("moments", Json.finiteList(d.moments()));
        s.put("moment_stderrs", Json.finiteList(d.momentStderrs()));
        s.put("grid", Json.finiteList(d.grid()));
        s.put("density", Json.finiteList(d.density()));
        s.put("normalised_grid", Json.finiteList(d.normalisedGrid()));
        s.put("normalised_density", Json.finiteList(d.normalisedDensity()));
        m.put("hessian_density", s);

        List<Map<String, Object>> jac = new ArrayList<>();
        for (JacobianSpectrum.Layer l : jacobians) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("layer", l.layer());
            e.put("singular_values", Json.finiteList(l.spectrum().singularValues()));
            e.put("mean_square", Json.finiteOrNull(l.spectrum().meanSquare()));
            e.put("max_over_min", Json.finiteOrNull(l.spectrum().maxOverMin()));
            e.put("log_std", Json.finiteOrNull(l.spectrum().logStd()));
            jac.add(e);
        }
        m.put("jacobian_spectra", jac);

        List<Map<String, Object>> ranks = new ArrayList<>();
        for (RepresentationRank.Layer l : RepresentationRank.of(point)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("layer", l.layer());
            e.put("effective_rank", Json.finiteOrNull(l.effectiveRank()));
            e.put("small_singular_value_fraction", Json.finiteOrNull(l.smallSingularValueFraction()));
            e.put("dead_unit_fraction", Json.finiteOrNull(l.deadUnitFraction()));
            ranks.add(e);
        }
        m.put("representation_rank", ranks);

        List<Map<String, Object>> grads = new ArrayList<>();
        for (LayerGradients.Layer l : LayerGradients.of(point)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("map", l.map());
            e.put("weight_gradient_norm", Json.finiteOrNull(l.weightGradientNorm()));
            e.put("bias_gradient_norm", Json.finiteOrNull(l.biasGradientNorm()));
            e.put("delta_norm", Json.finiteOrNull(l.deltaNorm()));
            e.put("delta_rms_per_example", Json.finiteOrNull(l.deltaRmsPerExample()));
            grads.add(e);
        }
        m.put("layer_gradients", grads);
        return m;
    }
}
