package io.depthscope.probe;

import io.depthscope.io.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a probe measured at one point. {@code hvp} is null when no direction was given; {@code seed} is
 * null for exact moments. {@code mode} is null for a network without BatchNorm (both modes are the same
 * function there), {@code bnBatch} null outside train mode, and {@code layerNames} null for mlp and resmlp,
 * whose layer i is always {@code layers.i}; a null field is left out of the JSON, so the report of a network
 * without BatchNorm and convolutions reads as it always has.
 *
 * @param layerGradientNorms ||dLoss/dW|| of every weight layer (linear map or convolution), in flat-vector order
 * @param layerNames         the weight each entry of layerGradientNorms belongs to, e.g. {@code layer1.0.conv1.weight}
 */
public record ProbeReport(
        long paramCount, String dtype, int examples, String mode, Integer bnBatch, double loss, double gradientNorm,
        double[] layerGradientNorms, List<String> layerNames, double[] hvp, HessianMoments moments, Long seed, String distribution,
        Map<String, Object> diagnostics) {

    /** The result document: field names are the command-line contract, non-finite numbers become null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("param_count", paramCount);
        m.put("dtype", dtype);
        m.put("examples", examples);
        if (mode != null) {
            m.put("mode", mode);
        }
        if (bnBatch != null) {
            m.put("bn_batch", bnBatch);
        }
        m.put("loss", Json.finiteOrNull(loss));
        m.put("gradient_norm", Json.finiteOrNull(gradientNorm));
        m.put("layer_gradient_norms", Json.finiteList(layerGradientNorms));
        if (layerNames != null) {
            m.put("layer_gradient_names", layerNames);
        }
        if (hvp != null) {
            m.put("hvp", Json.finiteList(hvp));
        }
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("m1", Json.finiteOrNull(moments.m1()));
        h.put("m2", Json.finiteOrNull(moments.m2()));
        h.put("m3", Json.finiteOrNull(moments.m3()));
        h.put("m4", Json.finiteOrNull(moments.m4()));
        h.put("skewness", Json.finiteOrNull(moments.skewness()));
        h.put("kurtosis", Json.finiteOrNull(moments.kurtosis()));
        h.put("method", moments.method());
        h.put("probes", moments.probes());
        if (seed != null) {
            h.put("seed", seed);
            h.put("distribution", distribution);
        }
        Map<String, Object> se = new LinkedHashMap<>();
        se.put("m1", Json.finiteOrNull(moments.m1Stderr()));
        se.put("m2", Json.finiteOrNull(moments.m2Stderr()));
        se.put("m3", Json.finiteOrNull(moments.m3Stderr()));
        se.put("m4", Json.finiteOrNull(moments.m4Stderr()));
        h.put("stderr", se);
        h.put("skewness_stderr", Json.finiteOrNull(moments.skewnessStderr()));
        h.put("kurtosis_stderr", Json.finiteOrNull(moments.kurtosisStderr()));
        m.put("hessian_moments", h);
        m.putAll(diagnostics);
        return m;
    }

}
