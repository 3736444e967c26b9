package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.io.Json;
import io.depthscope.study.OptimizerSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Our optimisers against torch.optim's (with clip_grad_norm_, StepLR and CosineAnnealingLR) on
 * f = 1/2 sum a_i theta_i^2 + sum c_i theta_i, replaying trajectories written by tools/optim_reference.py.
 */
class OptimizerTorchReferenceTest {
    static final JsonNode DOC = Json.read(Path.of("src/test/resources/torch-optim/trajectories.json"), "torch optimiser trajectories");

    static Stream<String> cases() {
        List<String> names = new ArrayList<>();
        DOC.get("cases").forEach(c -> names.add(c.get("name").asText()));
        return names.stream();
    }

    @Test
    void everyKindIsCovered() {
        List<String> kinds = new ArrayList<>();
        DOC.get("cases").forEach(c -> kinds.add(c.get("kind").asText()));
        for (String k : List.of("gd", "momentum", "nesterov", "adam", "adamw")) {
            assertEquals(true, kinds.contains(k), k);
        }
    }

    private static double[] doubles(JsonNode n) {
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = n.get(i).asDouble();
        }
        return d;
    }

    private static OptimizerSpec spec(JsonNode c) {
        OptimizerSpec d = OptimizerSpec.of(c.get("kind").asText(), c.get("lr").asDouble());
        return new OptimizerSpec(d.kind(), d.lr(), c.path("momentum").asDouble(d.momentum()), c.path("beta1").asDouble(d.beta1()),
                c.path("beta2").asDouble(d.beta2()), c.path("eps").asDouble(d.eps()), c.path("weight_decay").asDouble(d.weightDecay()),
                d.batchSize(), c.path("clip_norm").asDouble(0), c.path("schedule").asText("constant"), c.path("step_every").asInt(0),
                c.path("gamma").asDouble(d.gamma()), c.path("total_steps").asInt(0), c.path("min_lr").asDouble(0), 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorch(String name) {
        JsonNode c = null;
        for (JsonNode n : DOC.get("cases")) {
            c = name.equals(n.get("name").asText()) ? n : c;
        }
        double[] a = doubles(DOC.get("a"));
        double[] lin = doubles(DOC.get("c"));
        INDArray theta = Nd4j.createFromArray(doubles(DOC.get("theta0")));
        INDArray g = Nd4j.create(theta.dataType(), theta.length());
        Optimizer opt = Optimizer.of(spec(c));
        JsonNode traj = c.get("trajectory");
        for (int t = 0; t < traj.size(); t++) {
            double[] th = theta.toDoubleVector();
            for (int i = 0; i < th.length; i++) {
                g.putScalar(i, a[i] * th[i] + lin[i]);
            }
            opt.step(theta, g, t);
            assertArrayEquals(doubles(traj.get(t)), theta.toDoubleVector(), 1e-12, name + " step " + (t + 1));
        }
    }
}
