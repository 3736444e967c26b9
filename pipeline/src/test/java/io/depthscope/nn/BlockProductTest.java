package io.depthscope.nn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** H V for a block of directions equals H v for each of them, through every fully connected module. */
class BlockProductTest {
    @ParameterizedTest(name = "{0} {1} {2} bias={3} alpha={4}")
    @CsvSource({
        "mlp, tanh, mse, true, 1.0",
        "mlp, relu, cross_entropy, false, 1.0",
        "resmlp, softplus, cross_entropy, true, 1.0",
        "resmlp, tanh, mse, true, 0.3",
        "resmlp, sigmoid, mse, false, 0.3",
    })
    void blockEqualsSingleDirections(String arch, String act, String loss, boolean bias, double alpha) {
        NetworkSpec spec = new NetworkSpec(arch, 5, 6, 3, 3, act, bias, alpha, loss);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 41, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 7, 42, DataType.DOUBLE);
        ModuleChecks.blockMatchesSingleDirections(net, batch, theta, null, Mode.TRAIN, 43, 4, 1e-13);
        ModuleChecks.blockMatchesSingleDirections(net, batch, theta, null, Mode.TRAIN, 44, 1, 0.0);
    }
}
