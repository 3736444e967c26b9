package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Json;
import io.depthscope.io.Npz;
import io.depthscope.nn.Batch;
import io.depthscope.nn.ChunkedLandscape;
import io.depthscope.nn.ConvKernels;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Landscape;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.ParamLayout;
import io.depthscope.nn.Point;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * The convolutional presets against PyTorch (tools/torch_cnn_reference.py, float64 double backward): loss, gradient
 * and Hv in eval mode (running statistics) and in train mode (the mean over normalisation groups of bn_batch
 * examples, each group normalised by its own statistics), the running statistics after one train forward, and, for
 * the tiny case, the dense Hessian and its spectrum in both modes.
 */
class TorchCnnReferenceTest {
    static final Path DIR = Path.of("src/test/resources/torch-cnn");
    static final double TOL = 1e-10;

    /** The preset a case was written from, as a Depthscope network spec. */
    static NetworkSpec spec(JsonNode c) {
        JsonNode a = c.get("args");
        List<Integer> shape = new ArrayList<>();
        for (int i = 1; i < c.get("x_shape").size(); i++) {
            shape.add(c.get("x_shape").get(i).intValue());
        }
        String preset = c.get("preset").textValue();
        String loss = c.get("loss").textValue();
        int classes = a.get("classes").intValue();
        return switch (preset) {
            case "resnet", "simple" -> {
                int w = a.get("filters").get(0).intValue();
                assertEquals(List.of(w, 2 * w, 4 * w), List.of(a.get("filters").get(0).intValue(), a.get("filters").get(1).intValue(),
                        a.get("filters").get(2).intValue()));
                yield new NetworkSpec(preset, 0, w, 6 * a.get("n").intValue() + 2, classes, "relu", true, 1.0, loss, List.of(),
                        a.get("bn").booleanValue(), a.has("shortcut") ? a.get("shortcut").textValue() : "A").withInputShape(shape);
            }
            case "cnn" -> {
                assertEquals("global", a.get("pool").textValue());
                yield new NetworkSpec("cnn", 0, a.get("channels").get(0).intValue(), a.get("channels").size(), classes,
                        a.get("activation").textValue(), true, 1.0, loss, List.of(), a.get("bn").booleanValue(), "A").withInputShape(shape);
            }
            default -> throw new IllegalArgumentException(preset);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv_tiny_bn", "resnet8_a", "resnet8_b", "simple8", "resnet8_nobn"})
    void matchesPyTorch(String name) {
        check(name);
    }

    /** The same on libnd4j's convolution ops, which float64 never picks by itself (their generic loops here). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv_tiny_bn", "resnet8_a", "resnet8_b", "simple8", "resnet8_nobn"})
    void matchesPyTorchOnLibnd4jConvolutions(String name) {
        try (ConvKernels.Scope ignored = ConvKernels.using(ConvKernels.LIBND4J)) {
            check(name);
        }
    }

    private static void check(String name) {
        JsonNode c = Json.read(DIR.resolve(name + ".json"), name);
        Map<String, INDArray> npz = Npz.read(DIR.resolve(name + ".npz"), name);
        NetworkSpec spec = spec(c).validate();
        Network net = Network.of(spec);
        assertEquals(c.get("parameter_count").longValue(), net.paramCount());
        List<String> names = new ArrayList<>();
        c.get("parameters").forEach(p -> names.add(p.get("name").textValue()));
        assertEquals(names, net.layout().entries().stream().map(ParamLayout.Entry::name).toList(), "theta order");

        INDArray theta = Nd4j.create(DataType.DOUBLE, net.paramCount());
        INDArray v = Nd4j.create(DataType.DOUBLE, net.paramCount());
        for (ParamLayout.Entry e : net.layout().entries()) {
            net.layout().view(theta, e).assign(npz.get(e.name()));
            net.layout().view(v, e).assign(npz.get("v." + e.name()));
        }
        INDArray buffers = net.bufferLayout().size() == 0 ? null : net.initialBuffers(DataType.DOUBLE);
        for (ParamLayout.Entry e : net.bufferLayout().entries()) {
            net.bufferLayout().view(buffers, e).assign(npz.get(e.name()));
        }
        INDArray x = npz.get("x");
        INDArray targets = c.get("target").textValue().equals("labels")
                ? Batch.oneHot(npz.get("labels").toIntVector(), spec.outputDim(), DataType.DOUBLE)
                : npz.get("y");
        Batch batch = new Batch(x, targets);
        int group = c.get("bn_batch").intValue();

        for (Mode mode : Mode.values()) {
            INDArray frozen = buffers == null ? null : buffers.dup();
            Landscape land = mode == Mode.EVAL ? net.at(batch, theta, frozen, Mode.EVAL)
                    : ChunkedLandscape.of(net, batch, theta, frozen, Mode.TRAIN, group, false);
            String m = mode.label();
            double lossRef = npz.get("expected_loss_" + m).getDouble(0);
            double lossErr = Math.abs(land.loss() - lossRef) / Math.abs(lossRef);
            double gradErr = Fixtures.relativeError(land.gradient().toDoubleVector(), flat(net, npz, "expected_gradient_" + m + "."));
            double hvpErr = Fixtures.relativeError(land.hvp(v).toDoubleVector(), flat(net, npz, "expected_hvp_" + m + "."));
            System.out.printf("torch-cnn %s %s: P=%d loss %.2e gradient %.2e hvp %.2e%n", name, m, net.paramCount(), lossErr, gradErr, hvpErr);
            assertTrue(lossErr <= TOL, name + " " + m + " loss " + lossErr);
            assertTrue(gradErr <= TOL, name + " " + m + " gradient " + gradErr);
            assertTrue(hvpErr <= TOL, name + " " + m + " Hv " + hvpErr);
            if (buffers != null) {
                assertEquals(0.0, frozen.sub(buffers).norm2Number().doubleValue(), "the Hessian work must not touch the buffers");
            }
            if (npz.containsKey("expected_hessian_" + m)) {
                INDArray h = DenseHessian.of(land);
                INDArray ref = npz.get("expected_hessian_" + m);
                double err = h.sub(ref).norm2Number().doubleValue() / ref.norm2Number().doubleValue();
                double[] eig = DenseHessian.eigenvalues(h);
                double[] eigRef = npz.get("expected_eigenvalues_" + m).toDoubleVector();
                double scale = Math.max(Math.abs(eigRef[0]), Math.abs(eigRef[eigRef.length - 1]));
                double eigErr = 0;
                for (int i = 0; i < eig.length; i++) {
                    eigErr = Math.max(eigErr, Math.abs(eig[i] - eigRef[i]) / scale);
                }
                System.out.printf("torch-cnn %s %s: dense Hessian %.2e eigenvalues %.2e%n", name, m, err, eigErr);
                assertTrue(err <= TOL, name + " " + m + " dense Hessian " + err);
                assertTrue(eigErr <= TOL, name + " " + m + " eigenvalues " + eigErr);
            }
        }
        if (buffers != null) {
            runningStatisticsMatch(name, net, npz, theta, buffers, batch, group);
        }
    }

    /** One train-mode forward of the first group, then PyTorch's running update. */
    private static void runningStatisticsMatch(String name, Network net, Map<String, INDArray> npz, INDArray theta, INDArray buffers,
                                               Batch batch, int group) {
        INDArray updated = buffers.dup();
        Batch first = new Batch(batch.x().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, group)).dup(),
                batch.targets().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, group)).dup());
        Point p = net.at(first, theta, updated, Mode.TRAIN);
        p.updateRunningStatistics();
        double worst = 0;
        for (ParamLayout.Entry e : net.bufferLayout().entries()) {
            String key = e.name().endsWith(".running_mean")
                    ? "expected_running_mean." + e.name().substring(0, e.name().length() - ".running_mean".length())
                    : "expected_running_var." + e.name().substring(0, e.name().length() - ".running_var".length());
            worst = Math.max(worst, Fixtures.relativeError(net.bufferLayout().view(updated, e).toDoubleVector(), npz.get(key).toDoubleVector()));
        }
        System.out.printf("torch-cnn %s running statistics %.2e%n", name, worst);
        assertTrue(worst <= TOL, name + " running statistics " + worst);
    }

    private static double[] flat(Network net, Map<String, INDArray> npz, String prefix) {
        INDArray out = Nd4j.create(DataType.DOUBLE, net.paramCount());
        for (ParamLayout.Entry e : net.layout().entries()) {
            net.layout().view(out, e).assign(npz.get(prefix + e.name()));
        }
        return out.toDoubleVector();
    }
}
