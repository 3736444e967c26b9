package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.data.BatchNpz;
import io.depthscope.io.Npz;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import io.depthscope.nn.SpecJson;
import io.depthscope.nn.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Our loss, gradient, Hv and Hessian spectrum against PyTorch's (autograd, double backward and
 * autograd.functional.hessian in float64), on fixtures written by tools/torch_reference.py.
 */
class TorchReferenceTest {
    static final Path DIR = Path.of("src/test/resources/torch");
    static final List<String> EXPECTED_KEYS = List.of("v", "expected_loss", "expected_gradient", "expected_hvp", "expected_eigenvalues");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".npz"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList().stream();
        }
    }

    @Test
    void everyCaseIsThere() throws IOException {
        assertEquals(5, cases().count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name) {
        NetworkSpec spec = SpecJson.read(DIR.resolve(name + ".json"));
        Network net = Network.of(spec);
        Map<String, INDArray> all = Npz.read(DIR.resolve(name + ".npz"), name);
        Map<String, INDArray> weights = new HashMap<>();
        Map<String, INDArray> data = new HashMap<>();
        all.forEach((k, a) -> {
            if (k.startsWith("layers.")) {
                weights.put(k, a);
            } else if (!EXPECTED_KEYS.contains(k)) {
                data.put(k, a);
            }
        });
        INDArray theta = StateDict.toTheta(net, weights, DataType.DOUBLE, "weights");
        Batch batch = BatchNpz.fromArrays(data, spec, "data");
        Point p = net.at(batch, theta);

        double lossRef = all.get("expected_loss").getDouble(0);
        double lossErr = Math.abs(p.loss() - lossRef) / Math.abs(lossRef);
        double gradErr = Fixtures.relativeError(p.gradient().toDoubleVector(), all.get("expected_gradient").toDoubleVector());
        double hvpErr = Fixtures.relativeError(p.hvp(all.get("v")).toDoubleVector(), all.get("expected_hvp").toDoubleVector());
        double[] eig = DenseHessian.eigenvalues(p);
        double[] eigRef = all.get("expected_eigenvalues").toDoubleVector();
        double scale = Math.max(Math.abs(eigRef[0]), Math.abs(eigRef[eigRef.length - 1]));
        double eigErr = 0;
        for (int i = 0; i < eig.length; i++) {
            eigErr = Math.max(eigErr, Math.abs(eig[i] - eigRef[i]) / scale);
        }
        System.out.printf("torch %s: P=%d loss %.2e gradient %.2e hvp %.2e eigenvalues %.2e%n",
                name, net.paramCount(), lossErr, gradErr, hvpErr, eigErr);
        assertEquals(eigRef.length, eig.length);
        assertTrue(lossErr <= 1e-10, "loss relative error " + lossErr);
        assertTrue(gradErr <= 1e-10, "gradient relative error " + gradErr);
        assertTrue(hvpErr <= 1e-10, "hvp relative error " + hvpErr);
        assertTrue(eigErr <= 1e-8, "eigenvalue error relative to the largest |eigenvalue| " + eigErr);
    }
}
