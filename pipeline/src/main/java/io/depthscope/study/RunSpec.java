package io.depthscope.study;

import io.depthscope.nn.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One training run, fully specified: everything that can change its numbers, and nothing else (the
 * study's name and the code version are recorded beside it, not in it). Its {@link #runId()} is a hash
 * of this normalised content, so the same run has the same id on every machine and after every restart.
 */
public record RunSpec(
        String arch,
        int depth,
        int width,
        String activation,
        boolean bias,
        double residualScale,
        String loss,
        String dataset,
        int examples,
        int inputDim,
        long dataSeed,
        String init,
        double sigma2,
        String optimizer,
        double lr,
        int steps,
        int evalEvery,
        double divergenceFactor,
        String hessianMethod,
        int hessianProbes,
        String probeDistribution,
        String dtype,
        long seed) implements java.io.Serializable {

    /** The network this run trains (sphere data: input_dim inputs, one output). */
    public NetworkSpec network() {
        return new NetworkSpec(arch, inputDim, width, depth, 1, activation, bias, residualScale, loss);
    }

    /** Field name (as in configs and Parquet columns) to normalised value, in a fixed order. */
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", arch);
        m.put("depth", depth);
        m.put("width", width);
        m.put("activation", activation);
        m.put("bias", bias);
        m.put("residual_scale", residualScale);
        m.put("loss", loss);
        m.put("dataset", dataset);
        m.put("examples", examples);
        m.put("input_dim", inputDim);
        m.put("data_seed", dataSeed);
        m.put("init", init);
        m.put("sigma2", sigma2);
        m.put("optimizer", optimizer);
        m.put("lr", lr);
        m.put("steps", steps);
        m.put("eval_every", evalEvery);
        m.put("divergence_factor", divergenceFactor);
        m.put("hessian_method", hessianMethod);
        m.put("hessian_probes", hessianProbes);
        m.put("probe_distribution", probeDistribution);
        m.put("dtype", dtype);
        m.put("seed", seed);
        return m;
    }

    /** The canonical text that {@link #runId()} hashes: {@code key=value;} in {@link #fields()} order. */
    public String canonical() {
        StringBuilder sb = new StringBuilder();
        fields().forEach((k, v) -> sb.append(k).append('=').append(v).append(';'));
        return sb.toString();
    }

    /** 16 hex digits of SHA-256 over {@link #canonical()}. */
    public String runId() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical().getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                sb.append(String.format("%02x", h[i]));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Training steps and Hessian-vector products this run will spend: the plan's estimate of work. */
    public long hessianVectorProducts() {
        return "exact".equals(hessianMethod) ? network().paramCount() : 2L * hessianProbes;
    }
}
