package io.depthscope.jobs.cli;

import io.depthscope.bench.Peer;
import io.depthscope.io.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/**
 * PyTorch as {@code bench}'s peer: {@code tools/torch_cnn_bench.py --serve} in a process of its own, set up with the
 * same networks and timed in turns with ours ({@link Peer}). It runs as PyTorch runs best here: as many threads as
 * the JVM's ND4J, {@code OMP_WAIT_POLICY=PASSIVE}, and the OpenBLAS this JVM has loaded preloaded (Debian's torch
 * links the reference BLAS otherwise; its convolutions run in its own oneDNN either way), with the machine's
 * {@code OPENBLAS_*} settings as ND4J has them. Without {@code OPENBLAS_CORETYPE} this OpenBLAS (0.3.19) does not
 * know the project machine's AMD CPU and falls back to its Barcelona kernels: PyTorch's mlp gradient and Hv then
 * took 1.7 to 2.1 times as long (four alternating runs of tools/torch_cnn_bench.py, median of 20 calls each).
 * Between commands it waits on its input and takes no CPU.
 */
final class TorchPeer implements AutoCloseable {
    static final String SCRIPT = "tools/torch_cnn_bench.py";

    /** One case's times, seconds per call, in call order. */
    static final class Times {
        final List<Double> gradient = new ArrayList<>();
        final List<Double> hvCached = new ArrayList<>();
        final List<Double> hvFull = new ArrayList<>();
    }

    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;
    private final Path stderr;
    private String description = "";

    private TorchPeer(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts the script with {@code python}; throws with the reason when it cannot (no script, no torch). */
    static TorchPeer start(String python, int threads) throws IOException {
        Path script = findScript();
        Path stderr = Files.createTempFile("depthscope-torch-peer", ".log");
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--serve", "--threads", Integer.toString(threads));
        Map<String, String> env = pb.environment();
        env.put("OMP_WAIT_POLICY", "PASSIVE");
        // libgomp lets GOMP_SPINCOUNT (a user may set it for ND4J: README, Speed) override PASSIVE, and PyTorch, whose
        // products run on OpenBLAS's threads, took 1.2-1.7 times as long per Hv with it
        env.remove("GOMP_SPINCOUNT");
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        Path openblas = loadedOpenBlas();
        if (openblas != null) {
            String dir = openblas.getParent().toString();
            String old = env.get("LD_LIBRARY_PATH");
            env.put("LD_LIBRARY_PATH", old == null || old.isEmpty() ? dir : dir + ":" + old);
            env.put("LD_PRELOAD", openblas.toString());
        }
        pb.redirectError(stderr.toFile());
        return new TorchPeer(pb.start(), stderr);
    }

    /** framework, threads and BLAS as the peer reported them at its first setup. */
    String description() {
        return description;
    }

    /** A case built in the peer: its key for {@link #peer} and its parameter count. */
    record Setup(String key, long paramCount, double loss) {}

    /** Builds a case in the peer. */
    Setup setup(Map<String, Object> spec) throws IOException {
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("cmd", "setup");
        msg.putAll(spec);
        JsonNode reply = call(msg);
        if (description.isEmpty()) {
            description = reply.path("framework").asText() + ", " + reply.path("threads").asInt() + " threads, BLAS "
                    + reply.path("blas").asText() + (reply.path("mkldnn").asBoolean() ? ", oneDNN convolutions" : "");
        }
        return new Setup(reply.get("key").asText(), reply.path("param_count").asLong(), reply.path("loss").asDouble(Double.NaN));
    }

    /** The peer for {@link Peer#interleave}: each round times {@code calls} of the case, kept in {@code into}. */
    Peer peer(String key, Times into) {
        return (calls, warmup) -> {
            Map<String, Object> msg = new LinkedHashMap<>();
            msg.put("cmd", "time");
            msg.put("key", key);
            msg.put("repetitions", calls);
            JsonNode reply;
            try {
                reply = call(msg);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (!warmup) {
                reply.get("gradient").forEach(t -> into.gradient.add(t.asDouble()));
                reply.get("hv_cached").forEach(t -> into.hvCached.add(t.asDouble()));
                reply.get("hv_full").forEach(t -> into.hvFull.add(t.asDouble()));
            }
        };
    }

    /**
     * {@code repetitions} calls of one of the peer's whole estimators (tools/torch_estimators.py) on the case
     * {@code key}; {@code sizes} holds its probes, steps and runs; with {@code shipped} it starts from the vectors
     * shipped at setup. The reply holds "seconds" (one per call) and the last call's "values".
     */
    JsonNode estimate(String key, String estimator, Map<String, Object> sizes, boolean shipped, int repetitions) throws IOException {
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("cmd", "estimate");
        msg.put("key", key);
        msg.put("estimator", estimator);
        msg.putAll(sizes);
        msg.put("shipped", shipped);
        msg.put("repetitions", repetitions);
        return call(msg);
    }

    private JsonNode call(Map<String, Object> msg) throws IOException {
        try {
            // one line per message: the shared mapper indents
            in.write(Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(msg));
            in.newLine();
            in.flush();
        } catch (IOException e) {
            throw new IOException("the PyTorch peer stopped: " + lastLines(), e);
        }
        String line = out.readLine();
        if (line == null) {
            throw new IOException("the PyTorch peer stopped: " + lastLines());
        }
        JsonNode reply = Json.mapper().readTree(line);
        if (!reply.path("ok").asBoolean()) {
            throw new IOException("the PyTorch peer failed: " + reply.path("error").asText());
        }
        return reply;
    }

    private String lastLines() {
        try {
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            List<String> lines = Files.readAllLines(stderr);
            return lines.isEmpty() ? "(nothing on stderr)" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "(its stderr is unreadable)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    @Override
    public void close() {
        try {
            in.write("{\"cmd\": \"quit\"}");
            in.newLine();
            in.flush();
            in.close();
        } catch (IOException e) {
            // it has gone already
        }
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException e) {
            // a temporary file
        }
    }

    /**
     * tools/torch_cnn_bench.py under the system property {@code depthscope.root}, else under a directory above this
     * code's jar or classes (jobs/target/depthscope.jar or jobs/target/classes in a checkout), else under the
     * working directory.
     */
    static Path findScript() throws IOException {
        List<Path> roots = new ArrayList<>();
        String root = System.getProperty("depthscope.root");
        if (root != null) {
            roots.add(Path.of(root));
        }
        try {
            Path code = Path.of(TorchPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code; p != null; p = p.getParent()) {
                roots.add(p);
            }
        } catch (Exception e) {
            // no code source: fall back to the working directory
        }
        roots.add(Path.of("").toAbsolutePath());
        for (Path r : roots) {
            Path script = r.resolve(SCRIPT);
            if (Files.isRegularFile(script)) {
                return script;
            }
        }
        throw new IOException(SCRIPT + " not found above " + roots.get(0) + " nor in the working directory");
    }

    /** The libopenblas.so.0 this process has mapped (ND4J's, from its JavaCPP cache); null when none is found. */
    static Path loadedOpenBlas() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return null;
        }
        try {
            for (String line : Files.readAllLines(maps)) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.endsWith("/libopenblas.so.0")) {
                    return Path.of(line.substring(slash));
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
