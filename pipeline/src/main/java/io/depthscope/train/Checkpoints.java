package io.depthscope.train;

import io.depthscope.io.Json;
import io.depthscope.io.Npz;
import io.depthscope.nn.Network;
import io.depthscope.nn.SpecJson;
import io.depthscope.nn.StateDict;
import io.depthscope.study.RunSpec;
import io.depthscope.util.Provenance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The content of checkpoint files, wherever a {@link CheckpointSink} puts them: {@code <run_id>/step-<k>.npz}
 * (the state dict), {@code <run_id>/step-<k>.json} (provenance: run id, step, seed, dtype, code version, backend, the network and the whole config) and
 * {@code <run_id>/spec.json} (the network spec in the form {@code probe --spec} reads).
 */
public final class Checkpoints {
    private Checkpoints() {}

    public static String npzName(int step) {
        return String.format("step-%08d.npz", step);
    }

    public static String jsonName(int step) {
        return String.format("step-%08d.json", step);
    }

    /** The network spec alone, beside the checkpoints: {@code probe --spec <run_id>/spec.json} reads it as is. */
    public static final String SPEC_NAME = "spec.json";

    public static byte[] specBytes(Network network) {
        return Json.write(SpecJson.toJson(network.spec())).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] npzBytes(Network network, INDArray theta, INDArray buffers) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Npz.write(out, StateDict.fromState(network, theta, buffers));
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] provenanceBytes(RunSpec spec, Network network, int step) {
        Provenance p = Provenance.current();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", spec.runId());
        m.put("step", step);
        m.put("seed", spec.seed());
        m.put("dtype", spec.dtype());
        m.put("code_version", p.codeVersion());
        m.put("backend", p.backend());
        m.put("java_version", p.javaVersion());
        m.put("network", SpecJson.toJson(network.spec()));
        // JSON has no NaN: a "not given" NaN (e.g. init.sigma2) is written as the string "NaN", so the
        // config reads back as it was written rather than as a missing value.
        Map<String, Object> config = new LinkedHashMap<>();
        spec.fields().forEach((k, v) -> config.put(k, v instanceof Double d && !Double.isFinite(d) ? d.toString() : v));
        m.put("config", config);
        return Json.write(m).getBytes(StandardCharsets.UTF_8);
    }
}
