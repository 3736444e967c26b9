package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Npz;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * BatchNorm1d against PyTorch: the fixture {@code torch-cnn/mlp_bn1d} (tools/torch_cnn_reference.py, defined in
 * tools/README-torch-cnn.md) is mlp_bn(4, [6, 5], 2, tanh, no linear bias) with mse, x [12, 4] and bn_batch 4.
 * The network is built here by hand from modules with PyTorch's names. Eval mode is one point on the whole batch;
 * train mode is the mean over the three groups of four examples, each group a train-mode point of its own.
 */
class BatchNormTorchTest {
    static final Path FILE = Path.of("src/test/resources/torch-cnn/mlp_bn1d.npz");
    static final DataType D = DataType.DOUBLE;
    static final int GROUP = 4;
    static final List<String> BN = List.of("features.0.bn", "features.1.bn");
    static final double TOL = 1e-10;

    static Map<String, INDArray> npz;
    static Network net;
    static INDArray theta;
    static INDArray buffers;
    static INDArray v;
    static Batch batch;

    @BeforeAll
    static void load() {
        npz = Npz.read(FILE, "mlp_bn1d");
        net = new Network(null, List.of(
                new Linear("features.0.linear", 0, 4, 6, false), new BatchNorm("features.0.bn", new long[] {6}), Activations.create("tanh", 6),
                new Linear("features.1.linear", 1, 6, 5, false), new BatchNorm("features.1.bn", new long[] {5}), Activations.create("tanh", 5),
                new Linear("classifier", 2, 5, 2, true)), Loss.of("mse"));
        assertEquals(88, net.paramCount());
        theta = byName(net.layout(), "");
        v = byName(net.layout(), "v.");
        buffers = byName(net.bufferLayout(), "");
        batch = new Batch(npz.get("x"), npz.get("y"));
        assertEquals(12, batch.size());
    }

    /** A flat vector of the layout's tensors, each read from the fixture under {@code prefix + name}. */
    static INDArray byName(ParamLayout layout, String prefix) {
        INDArray flat = Nd4j.create(D, layout.size());
        for (ParamLayout.Entry e : layout.entries()) {
            INDArray a = npz.get(prefix + e.name());
            assertTrue(a != null, "the fixture has no '" + prefix + e.name() + "'");
            layout.view(flat, e).assign(a);
        }
        return flat;
    }

    static double relative(double a, double b) {
        return Math.abs(a - b) / Math.abs(b);
    }

    @Test
    void evalModeMatchesPyTorch() {
        Point p = net.at(batch, theta, buffers.dup(), Mode.EVAL);
        report("eval", p.loss(), p.gradient(), p.hvp(v));
    }

    @Test
    void trainModeOverGroupsMatchesPyTorch() {
        int groups = batch.size() / GROUP;
        double loss = 0;
        INDArray gradient = Nd4j.create(D, net.paramCount());
        INDArray hv = Nd4j.create(D, net.paramCount());
        for (int g = 0; g < groups; g++) {
            Point p = net.at(group(g), theta, buffers.dup(), Mode.TRAIN);
            loss += p.loss() / groups;
            gradient.addi(p.gradient().div(groups));
            hv.addi(p.hvp(v).divi(groups));
        }
        report("train", loss, gradient, hv);
    }

    private void report(String mode, double loss, INDArray gradient, INDArray hv) {
        double lossErr = relative(loss, npz.get("expected_loss_" + mode).getDouble(0));
        double gradErr = Fixtures.relativeError(gradient.toDoubleVector(), byName(net.layout(), "expected_gradient_" + mode + ".").toDoubleVector());
        double hvErr = Fixtures.relativeError(hv.toDoubleVector(), byName(net.layout(), "expected_hvp_" + mode + ".").toDoubleVector());
        System.out.printf("torch mlp_bn1d %s: loss %.2e gradient %.2e hvp %.2e%n", mode, lossErr, gradErr, hvErr);
        assertTrue(lossErr < TOL, mode + " loss: relative error " + lossErr);
        assertTrue(gradErr < TOL, mode + " gradient: relative error " + gradErr);
        assertTrue(hvErr < TOL, mode + " Hv: relative error " + hvErr);
    }

    static Batch group(int g) {
        return new Batch(batch.x().get(NDArrayIndex.interval(g * GROUP, (g + 1) * GROUP), NDArrayIndex.all()).dup(),
                batch.targets().get(NDArrayIndex.interval(g * GROUP, (g + 1) * GROUP), NDArrayIndex.all()).dup());
    }

    @Test
    void runningStatisticsAfterOneTrainForwardOfTheFirstGroup() {
        INDArray b = buffers.dup();
        Point p = net.at(group(0), theta, b, Mode.TRAIN);
        assertEquals(0.0, b.sub(buffers).norm2Number().doubleValue(), "the forward leaves the buffers alone");
        p.updateRunningStatistics();
        double worst = 0;
        for (String bn : BN) {
            for (String stat : List.of("running_mean", "running_var")) {
                double err = Fixtures.relativeError(net.bufferLayout().view(b, bn + "." + stat).toDoubleVector(),
                        npz.get("expected_" + stat + "." + bn).toDoubleVector());
                worst = Math.max(worst, err);
                assertTrue(err < 1e-13, bn + "." + stat + ": relative error " + err);
            }
        }
        System.out.printf("torch mlp_bn1d running statistics: %.2e%n", worst);
    }
}
