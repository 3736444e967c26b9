package io.depthscope.jobs.cli;

import io.depthscope.bench.Benchmarks;
import io.depthscope.bench.EstimatorAgreement;
import io.depthscope.bench.EstimatorComparison;
import io.depthscope.bench.EstimatorComparison.Estimator;
import io.depthscope.bench.Peer;
import io.depthscope.io.Npz;
import io.depthscope.util.Dtypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Our whole estimators against PyHessian's over torch's Hv ({@code tools/torch_estimators.py}), on the same mlp:
 * the weights, the batch and our estimators' start vectors go to the peer in an npz file; the peer first runs its
 * estimators from those vectors (the agreement check), then both engines time their estimators in turns, the
 * peer drawing its own vectors as PyHessian does.
 */
final class TorchEstimators {
    /**
     * The peer's estimators per ours; the first does the same work (the ratio's denominator), the others are what a
     * PyHessian user runs instead: its trace (one Hv per probe where ours takes two, for four moments) and its power
     * iteration for the top eigenvalue.
     */
    static final Map<Estimator, List<String>> COUNTERPARTS = Map.of(
            Estimator.HUTCHINSON, List.of("moments", "trace"),
            Estimator.TOP_EIGENVALUE, List.of("lanczos", "power"),
            Estimator.DENSITY, List.of("slq"));

    /** Our result, the peer's seconds per counterpart (empty without a peer) and the agreement checks (empty without). */
    record Outcome(EstimatorComparison.Result ours, Map<String, double[]> torchSeconds, List<EstimatorAgreement.Check> checks) {
        boolean agrees() {
            return checks.stream().allMatch(EstimatorAgreement.Check::ok);
        }
    }

    private TorchEstimators() {}

    /** Times ours alone when {@code peer} is null. */
    static Outcome run(TorchPeer peer, Benchmarks.Config c, EstimatorComparison.Sizes s) throws IOException {
        if (peer == null) {
            return new Outcome(EstimatorComparison.run(c, s, e -> Peer.NONE), Map.of(), List.of());
        }
        TorchPeer.Setup setup = setUp(peer, c, s);
        String key = setup.key();
        EstimatorAgreement.PeerValues theirs = peerValues(peer, setup, s);
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        EstimatorComparison.Result ours = EstimatorComparison.run(c, s, e -> (calls, warmup) -> {
            for (String name : COUNTERPARTS.get(e)) {
                JsonNode reply = estimate(peer, key, name, s, false, calls);
                if (!warmup) {
                    reply.get("seconds").forEach(t -> seconds.computeIfAbsent(name, n -> new ArrayList<>()).add(t.asDouble()));
                }
            }
        });
        Map<String, double[]> torch = new LinkedHashMap<>();
        seconds.forEach((name, t) -> torch.put(name, t.stream().mapToDouble(Double::doubleValue).toArray()));
        return new Outcome(ours, torch, EstimatorAgreement.checks(ours.ours(), theirs, ours.paramCount(), c.dtype()));
    }

    /** Ships the mlp, its batch and our vectors; the file is read at setup and deleted right after. */
    private static TorchPeer.Setup setUp(TorchPeer peer, Benchmarks.Config c, EstimatorComparison.Sizes s) throws IOException {
        Path file = Files.createTempFile("depthscope-estimators", ".npz");
        try {
            Npz.write(file, EstimatorComparison.shipment(c, s));
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("case", "mlp");
            spec.put("input_dim", c.inputDim());
            spec.put("width", c.width());
            spec.put("depth", c.depth());
            spec.put("output_dim", c.outputDim());
            spec.put("batch", c.batch());
            spec.put("dtype", Dtypes.name(c.dtype()));
            spec.put("seed", c.seed());
            spec.put("arrays", file.toString());
            return peer.setup(spec);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The peer's estimators from our vectors, once each. */
    private static EstimatorAgreement.PeerValues peerValues(TorchPeer peer, TorchPeer.Setup setup, EstimatorComparison.Sizes s) {
        String key = setup.key();
        JsonNode forms = estimate(peer, key, "moments", s, true, 1).get("values").get("forms");
        double[] mean = new double[4];
        forms.forEach(f -> {
            for (int k = 0; k < 4; k++) {
                mean[k] += f.get(k).asDouble() / forms.size();
            }
        });
        double power = estimate(peer, key, "power", s, true, 1).get("values").get("top").asDouble();
        double top = estimate(peer, key, "lanczos", s, true, 1).get("values").get("top").asDouble();
        List<double[]> nodes = new ArrayList<>();
        List<double[]> weights = new ArrayList<>();
        for (JsonNode run : estimate(peer, key, "slq", s, true, 1).get("values").get("runs")) {
            nodes.add(doubles(run.get("nodes")));
            weights.add(doubles(run.get("weights")));
        }
        return new EstimatorAgreement.PeerValues(setup.loss(), mean, power, top, nodes, weights);
    }

    private static JsonNode estimate(TorchPeer peer, String key, String name, EstimatorComparison.Sizes s, boolean shipped, int calls) {
        Map<String, Object> sizes = new LinkedHashMap<>();
        boolean density = "slq".equals(name);
        sizes.put("probes", s.probes());
        sizes.put("steps", density ? s.slqSteps() : s.lanczosSteps());
        sizes.put("runs", s.slqRuns());
        try {
            return peer.estimate(key, name, sizes, shipped, calls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
