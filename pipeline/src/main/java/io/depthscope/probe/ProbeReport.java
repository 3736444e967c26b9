package io.depthscope.probe;

import io.depthscope.io.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a probe measured at one point. {@code hvp} is null when no direction was given; {@code seed} is
 * null for exact moments.
 */
public record ProbeReport(
        long paramCount, String dtype, int examples, double loss, double gradientNorm,
        double[] layerGradientNorms, double[] hvp, HessianMoments moments, Long seed, String distribution,
        Map<String, Object> diagnostics) {

    /** The result document: field names are the command-line contract, non-finite numbers become null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("param_count", paramCount);
        m.put("dtype", dtype);
        m.put("examples", examples);
        m.put("loss", Json.finiteOrNull(loss));
        m.put("gradient_norm", Json.finiteOrNull(gradientNorm));
        m.put("layer_gradient_norms", Json.finiteList(layerGradientNorms));
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
