package io.depthscope.probe;

import io.depthscope.diag.GradientConfusion;
import io.depthscope.diag.JacobianSpectrum;
import io.depthscope.diag.LayerGradients;
import io.depthscope.diag.NtkGram;
import io.depthscope.diag.RepresentationRank;
import io.depthscope.diag.SvdLimit;
import io.depthscope.io.Json;
import io.depthscope.nn.ChunkedLandscape;
import io.depthscope.nn.Conv2d;
import io.depthscope.nn.Landscape;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.PassBudget;
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
 *
 * <p>Not every diagnostic is defined for every network. The per-example Grams (gradient confusion, the NTK)
 * are formed from each linear map's inputs and output gradients, which needs every parameter in a linear map
 * applied once per example ({@link Network#perExampleGramsExact()}): a convolution applies its weight at
 * every position, BatchNorm has parameters outside the maps, and in train mode couples the examples of a group.
 * The per-map gradients (dL/dW, dL/db, dL/dh of each linear map) are written for the fully connected presets (mlp,
 * resmlp). The Jacobian spectra and representation ranks are there for every network, over its hidden representations
 * ({@link Network#hiddenLayers()}), with BatchNorm in eval mode whatever the probe's mode (one example has no batch
 * statistics), unless their SVD would exceed {@link SvdLimit}. A key that is not available is null, and
 * {@code not_available} maps it to the reason; nothing is computed wrongly. The Hessian's top eigenvalues and density
 * need only Hessian-vector products and are there for every network.
 */
public final class ProbeDiagnostics {
    /** Above this many examples the N x N Gram matrices (per-example gradients, NTK) are not formed. */
    public static final int MAX_GRAM_EXAMPLES = 4096;
    public static final int TOP_K = 5;
    public static final int LANCZOS_STEPS = 60;
    public static final int SLQ_RUNS = 8;
    public static final int SLQ_STEPS = 40;

    private ProbeDiagnostics() {}

    /** Whether the network is one of the fully connected presets (mlp, resmlp), whose per-layer diagnostics exist. */
    public static boolean fullyConnected(Network network) {
        return network.spec() != null && NetworkSpec.FULLY_CONNECTED.contains(network.spec().arch());
    }

    /**
     * The base keys, and with {@code full} the rest, for the request's batch and parameters on its landscape; the Jacobian
     * spectra serve both and are computed once. The request's mode (null without BatchNorm) is named in the reasons
     * given when a key is not available.
     */
    public static Map<String, Object> of(ProbeRequest request, Landscape land, boolean full, long seed) {
        Network network = land.network();
        Map<String, String> notAvailable = new LinkedHashMap<>();
        String jacobianLimit = beyondLimit("dh_l/dx", largestHidden(network), request.batch().inputDim());
        List<JacobianSpectrum.Layer> jacobians = jacobianLimit != null ? null
                : JacobianSpectrum.at(network, request.theta(), request.buffers(), request.batch(), 0);
        Map<String, Object> m = base(land, jacobians, request.mode(), notAvailable);
        if (jacobians == null) {
            notAvailable.put("representation_jacobian_singular_values", jacobianLimit);
        }
        if (full) {
            m.putAll(full(request, land, jacobians, jacobianLimit, seed, notAvailable));
        }
        if (!notAvailable.isEmpty()) {
            m.put("not_available", notAvailable);
        }
        return m;
    }

    private static Map<String, Object> base(Landscape land, List<JacobianSpectrum.Layer> jacobians, Mode mode,
                                            Map<String, String> notAvailable) {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = land.batchSize();
        Point point = land.network().perExampleGramsExact() && land instanceof Point p ? p : null;
        if (point == null) {
            String reason = land.network().perExampleGramsExact() ? chunkedReason(land, "the per-example Grams")
                    : perExampleReason(land.network(), mode);
            m.put("gradient_confusion", null);
            notAvailable.put("gradient_confusion", reason);
            m.put("ntk_gram", null);
            notAvailable.put("ntk_gram", reason);
        } else {
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
        }
        if (jacobians == null) {
            m.put("representation_jacobian_singular_values", null);
        } else {
            m.put("representation_jacobian_singular_values",
                    Json.finiteList(jacobians.get(jacobians.size() - 1).spectrum().singularValues()));
        }
        return m;
    }

    /** Why the per-example Grams are not formed for {@code network}. */
    static String perExampleReason(Network network, Mode mode) {
        List<String> why = new ArrayList<>();
        if (network.weightLayers().stream().anyMatch(Conv2d.class::isInstance)) {
            why.add("a convolution applies its weight at every position, so an example's gradient is a sum over positions that "
                    + "the Gram of a linear map's inputs and output gradients does not give");
        }
        if (network.bufferLayout().size() > 0) {
            why.add(mode == Mode.TRAIN
                    ? "train-mode BatchNorm couples the examples of a normalisation group, so an example has no gradient of its own"
                    : "BatchNorm's weight and bias are parameters outside the linear maps, which the per-example Gram does not cover");
        }
        if (why.isEmpty()) {
            why.add("some parameters are not in a linear map applied once per example");
        }
        return "per-example gradients are formed only when every parameter is in a linear map applied once per example "
                + "(mlp, resmlp): " + String.join("; ", why);
    }

    /** Why a diagnostic of a fully connected network is missing when its batch is evaluated in chunks. */
    private static String chunkedReason(Landscape land, String what) {
        int chunk = land instanceof ChunkedLandscape c ? c.chunkSize() : land.batchSize();
        return what + ": computed from one pass over the whole batch, and the batch of " + land.batchSize() + " examples is evaluated "
                + "in chunks of " + chunk + " (at most " + PassBudget.VALUES + " activation values per pass); allowed: a batch of at most "
                + chunk + " examples";
    }

    private static String hiddenLayerReason(Network network, String what) {
        String arch = network.spec() == null ? "this network" : "arch " + network.spec().arch();
        return what + " for the fully connected presets mlp and resmlp only, over their hidden layers h_l = f(W h_(l-1) + b); "
                + arch + " is not one";
    }

    /** The most values of one example's hidden representation. */
    private static long largestHidden(Network network) {
        long largest = 1;
        for (int l : network.hiddenLayers()) {
            largest = Math.max(largest, io.depthscope.nn.Module.size(network.layers().get(l).outputShape()));
        }
        return largest;
    }

    /** Why the SVD of a [rows, cols] {@code what} is not taken, or null when it is within {@link SvdLimit}. */
    private static String beyondLimit(String what, long rows, long cols) {
        return SvdLimit.fits(rows, cols) ? null : what + " would be a [" + rows + ", " + cols + "] matrix, beyond the limit of its SVD: "
                + SvdLimit.limits();
    }

    private static Map<String, Object> full(ProbeRequest request, Landscape land, List<JacobianSpectrum.Layer> jacobians,
                                            String jacobianLimit, long seed, Map<String, String> notAvailable) {
        Map<String, Object> m = new LinkedHashMap<>();
        long p = land.paramCount();
        SymmetricOperator h = SymmetricOperator.hessian(land);
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

        Network network = land.network();
        if (jacobians == null) {
            m.put("jacobian_spectra", null);
            notAvailable.put("jacobian_spectra", jacobianLimit);
        } else {
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
        }

        String rankLimit = beyondLimit("the representation", land.batchSize(), largestHidden(network));
        if (rankLimit != null) {
            m.put("representation_rank", null);
            notAvailable.put("representation_rank", rankLimit);
        } else {
            // each example's own representation: BatchNorm in eval mode, over the groups the landscape uses
            List<RepresentationRank.Layer> layers = land instanceof Point whole && !network.couplesExamples(whole.mode())
                    ? RepresentationRank.of(whole)
                    : RepresentationRank.of(network, request.theta(), request.buffers(), request.batch(), request.groupSize());
            List<Map<String, Object>> ranks = new ArrayList<>();
            for (RepresentationRank.Layer l : layers) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("layer", l.layer());
                e.put("effective_rank", Json.finiteOrNull(l.effectiveRank()));
                e.put("small_singular_value_fraction", Json.finiteOrNull(l.smallSingularValueFraction()));
                e.put("dead_unit_fraction", Json.finiteOrNull(l.deadUnitFraction()));
                ranks.add(e);
            }
            m.put("representation_rank", ranks);
        }

        if (!fullyConnected(network) || !(land instanceof Point point)) {
            boolean chunked = fullyConnected(network);
            m.put("layer_gradients", null);
            notAvailable.put("layer_gradients", (chunked ? chunkedReason(land, "the per-map gradients")
                    : hiddenLayerReason(network, "each linear map's dL/dW, dL/db and dL/dh are reported"))
                    + "; the weight gradient norm of every convolution and linear map is in layer_gradient_norms");
            return m;
        }
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
