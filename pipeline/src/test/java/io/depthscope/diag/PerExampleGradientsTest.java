package io.depthscope.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Loss;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The vectorised per-example gradients and their Gram against N one-example backward passes. */
class PerExampleGradientsTest {
    static Stream<Arguments> configurations() {
        List<Arguments> list = new ArrayList<>();
        for (String arch : NetworkSpec.FULLY_CONNECTED) {
            for (String loss : Loss.NAMES) {
                for (boolean bias : new boolean[] {true, false}) {
                    list.add(Arguments.of(arch, loss, bias));
                }
            }
        }
        return list.stream();
    }

    private record Case(Network net, Batch batch, INDArray theta, Point point, double[][] loop) {}

    private static Case build(String arch, String loss, boolean bias, long seed) {
        NetworkSpec spec = Fixtures.spec(arch, "tanh", loss, bias, 3);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, seed, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 7, seed + 1, DataType.DOUBLE);
        return new Case(net, batch, theta, net.at(batch, theta), Loops.perExampleGradients(net, batch, theta));
    }

    @ParameterizedTest(name = "{0} {1} bias={2}")
    @MethodSource("configurations")
    void gramMatchesLoopOfOneExampleBatches(String arch, String loss, boolean bias) {
        Case c = build(arch, loss, bias, 31);
        double[] expected = Loops.flat(Loops.gram(c.loop()));
        double[] actual = PerExampleGradients.gram(c.point()).reshape(-1).toDoubleVector();
        double err = Fixtures.relativeError(actual, expected);
        assertTrue(err <= 1e-12, "relative error " + err);
    }

    @ParameterizedTest(name = "{0} {1} bias={2}")
    @MethodSource("configurations")
    void materialisedRowsAreOneExampleGradients(String arch, String loss, boolean bias) {
        Case c = build(arch, loss, bias, 41);
        double[] actual = PerExampleGradients.materialise(c.point()).reshape(-1).toDoubleVector();
        double err = Fixtures.relativeError(actual, Loops.flat(c.loop()));
        assertTrue(err <= 1e-12, "relative error " + err);
    }

    @ParameterizedTest(name = "{0} {1} bias={2}")
    @MethodSource("configurations")
    void meanOfPerExampleGradientsIsTheBatchGradient(String arch, String loss, boolean bias) {
        Case c = build(arch, loss, bias, 51);
        double[] mean = PerExampleGradients.materialise(c.point()).mean(0).toDoubleVector();
        double err = Fixtures.relativeError(mean, c.point().gradient().toDoubleVector());
        assertTrue(err <= 1e-13, "relative error " + err);
    }

    @Test
    void float32PointAccumulatesInFloat64() {
        NetworkSpec spec = Fixtures.spec("resmlp", "relu", "cross_entropy", true, 4);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 61, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 9, 62, DataType.DOUBLE);
        INDArray m32 = PerExampleGradients.gram(net.at(batch, theta.castTo(DataType.FLOAT)));
        assertEquals(DataType.DOUBLE, m32.dataType());
        double[] expected = Loops.flat(Loops.gram(Loops.perExampleGradients(net, batch, theta)));
        double err = Fixtures.relativeError(m32.reshape(-1).toDoubleVector(), expected);
        // float32 forward and backward passes: single-precision rounding, not an accumulation error
        assertTrue(err <= 1e-5, "relative error " + err);
    }
}
