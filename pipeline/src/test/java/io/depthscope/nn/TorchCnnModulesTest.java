package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Npz;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Networks built by hand from the image modules against PyTorch's own numbers (tools/torch_cnn_reference.py,
 * tools/README-torch-cnn.md): loss, gradient and Hv by double backward, float64. Neither case has BatchNorm, so
 * the fixture's train and eval numbers are the same function and both are compared.
 */
class TorchCnnModulesTest {
    static final Path DIR = Path.of("src/test/resources/torch-cnn");

    /** cnn([3, 4], stride [2, 1], pool ["max", "avg"], no bn, tanh, in 2, classes 2, input 12x20), mse. */
    static Network convStridePool() {
        Conv2d c0 = new Conv2d("features.0.conv", 0, 2, 3, 3, 2, 1, true, 12, 20);
        MaxPool2d p0 = new MaxPool2d(3, 6, 10);
        Conv2d c1 = new Conv2d("features.1.conv", 1, 3, 4, 3, 1, 1, true, 3, 5);
        AvgPool2d p1 = new AvgPool2d(4, 3, 5);
        Flatten flat = new Flatten(p1.outputShape());
        return new Network(null, List.of(c0, ImageFixtures.tanh(c0), p0, c1, ImageFixtures.tanh(c1), p1, flat,
                new Linear("classifier", 2, 8, 2, true)), Loss.of("mse"));
    }

    /** resnet(1, (2, 4, 8), in 3, classes 10, bn=False, shortcut A): option A twice, the global pool, cross-entropy. */
    static Network resnet8NoBn() {
        java.util.ArrayList<Module> layers = new java.util.ArrayList<>();
        Conv2d conv1 = new Conv2d("conv1", 0, 3, 2, 3, 1, 1, true, 8, 8);
        layers.add(conv1);
        layers.add(relu(conv1));
        int[] filters = {2, 4, 8};
        int in = 2;
        int size = 8;
        int index = 1;
        for (int stage = 0; stage < 3; stage++) {
            int planes = filters[stage];
            int stride = stage == 0 ? 1 : 2;
            String block = "layer" + (stage + 1) + ".0";
            Conv2d a = new Conv2d(block + ".conv1", index++, in, planes, 3, stride, 1, true, size, size);
            int out = (int) a.outputShape()[1];
            Conv2d b = new Conv2d(block + ".conv2", index++, planes, planes, 3, 1, 1, true, out, out);
            Module shortcut = stride == 1 && in == planes ? null : new ShortcutA(in, planes, stride, size, size);
            layers.add(new Residual(Sequential.of(a, relu(a), b), shortcut, 1.0, relu(b)));
            in = planes;
            size = out;
        }
        layers.add(new GlobalAvgPool(8, size, size));
        layers.add(new Linear("linear", index, 8, 10, true));
        return new Network(null, layers, Loss.of("cross_entropy"));
    }

    private static ElementwiseActivation relu(Module before) {
        return Activations.create("relu", before.outputShape());
    }

    /** A fixture's parameters, direction and batch, placed by name into the flat vectors of {@code net}. */
    record Loaded(Map<String, INDArray> npz, INDArray theta, INDArray v, Batch batch) {}

    static Loaded load(Network net, String fixture) {
        Map<String, INDArray> npz = Npz.read(DIR.resolve(fixture + ".npz"), fixture);
        INDArray theta = Nd4j.create(DataType.DOUBLE, net.paramCount());
        INDArray v = Nd4j.create(DataType.DOUBLE, net.paramCount());
        for (ParamLayout.Entry e : net.layout().entries()) {
            net.layout().view(theta, e).assign(npz.get(e.name()));
            net.layout().view(v, e).assign(npz.get("v." + e.name()));
        }
        INDArray targets;
        if (npz.containsKey("y")) {
            targets = npz.get("y");
        } else {
            long[] labels = npz.get("labels").toLongVector();
            int[] ints = new int[labels.length];
            for (int i = 0; i < ints.length; i++) {
                ints[i] = (int) labels[i];
            }
            targets = Batch.oneHot(ints, (int) Module.size(net.outputShape()), DataType.DOUBLE);
        }
        return new Loaded(npz, theta, v, new Batch(npz.get("x"), targets));
    }

    /** The worst relative errors of loss, gradient and Hv against the fixture, over both of its modes. */
    static double[] compare(Network net, String fixture) {
        Loaded f = load(net, fixture);
        Map<String, INDArray> npz = f.npz();
        INDArray theta = f.theta();
        INDArray v = f.v();
        Batch batch = f.batch();
        Point point = net.at(batch, theta);
        double[] g = point.gradient().toDoubleVector();
        double[] hv = point.hvp(v).toDoubleVector();
        double lossErr = 0;
        double gradErr = 0;
        double hvErr = 0;
        for (String mode : new String[] {"train", "eval"}) {
            double expected = npz.get("expected_loss_" + mode).getDouble(0);
            lossErr = Math.max(lossErr, Math.abs(point.loss() - expected) / Math.abs(expected));
            gradErr = Math.max(gradErr, Fixtures.relativeError(g, flat(net, npz, "expected_gradient_" + mode + ".")));
            hvErr = Math.max(hvErr, Fixtures.relativeError(hv, flat(net, npz, "expected_hvp_" + mode + ".")));
        }
        return new double[] {lossErr, gradErr, hvErr};
    }

    private static double[] flat(Network net, Map<String, INDArray> npz, String prefix) {
        INDArray out = Nd4j.create(DataType.DOUBLE, net.paramCount());
        for (ParamLayout.Entry e : net.layout().entries()) {
            INDArray expected = npz.get(prefix + e.name());
            assertTrue(expected != null, "the fixture has no " + prefix + e.name());
            net.layout().view(out, e).assign(expected);
        }
        return out.toDoubleVector();
    }

    private static void assertClose(double[] errors, String fixture) {
        String what = fixture + ": relative errors of loss " + errors[0] + ", gradient " + errors[1] + ", Hv " + errors[2];
        System.out.println(what);
        for (double e : errors) {
            assertTrue(e <= 1e-10, what);
        }
    }

    @Test
    void convStridePoolMatchesTorch() {
        Network net = convStridePool();
        assertTrue(net.paramCount() == 187, "parameter count " + net.paramCount());
        assertClose(compare(net, "conv_stride_pool"), "conv_stride_pool");
    }

    @Test
    void resnet8WithoutBatchNormMatchesTorch() {
        Network net = resnet8NoBn();
        assertTrue(net.paramCount() == 1326, "parameter count " + net.paramCount());
        assertClose(compare(net, "resnet8_nobn"), "resnet8_nobn");
    }
}
