package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Per-layer gradient norms over every weight layer (convolutions and linear maps), by weight name. */
class WeightLayersTest {

    @Test
    void aResnetsLayerNormsCoverEveryConvolutionAndTheLinearMap() {
        NetworkSpec spec = new NetworkSpec("resnet", 0, 2, 8, 3, "relu", true, 1.0, "cross_entropy", List.of(), true, "B")
                .withInputShape(List.of(1, 4, 4)).validate();
        Network net = Network.of(spec);
        assertEquals(List.of("conv1.weight", "layer1.0.conv1.weight", "layer1.0.conv2.weight", "layer2.0.conv1.weight",
                "layer2.0.conv2.weight", "layer2.0.shortcut.0.weight", "layer3.0.conv1.weight", "layer3.0.conv2.weight",
                "layer3.0.shortcut.0.weight", "linear.weight"), net.weightNames());
        INDArray g = Fixtures.direction(net.paramCount(), 4, DataType.DOUBLE);
        double[] norms = net.layerGradientNorms(g);
        assertEquals(net.weightNames().size(), norms.length);
        for (int i = 0; i < norms.length; i++) {
            assertEquals(net.layout().view(g, net.weightNames().get(i)).norm2Number().doubleValue(), norms[i], net.weightNames().get(i));
        }
    }

    @Test
    void anMlpsLayerNormsAreItsMapsInOrder() {
        NetworkSpec spec = Fixtures.spec("resmlp", "tanh", "mse", true, 3);
        Network net = Network.of(spec);
        assertEquals(List.of("layers.0.weight", "layers.1.weight", "layers.2.weight", "layers.3.weight"), net.weightNames());
        Batch batch = Fixtures.batch(spec, 5, 2, DataType.DOUBLE);
        Point p = net.at(batch, Fixtures.theta(net, 1, DataType.DOUBLE));
        double[] expected = new double[4];
        for (int i = 0; i < 4; i++) {
            expected[i] = net.layout().view(p.gradient(), "layers." + i + ".weight").norm2Number().doubleValue();
        }
        assertArrayEquals(expected, p.layerGradientNorms());
    }
}
