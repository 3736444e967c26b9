package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Passes keep references to buffers of neighbouring layers and compute some caches lazily, so the order of
 * calls on one point must not change any result: Hv after Gv, after Hv, and after moveTo equals Hv on a
 * fresh point.
 */
class BufferReuseTest {
    static Stream<Arguments> configurations() {
        List<Arguments> list = new ArrayList<>();
        for (String arch : NetworkSpec.FULLY_CONNECTED) {
            for (String act : Activations.NAMES) {
                for (String loss : Loss.NAMES) {
                    list.add(Arguments.of(arch, act, loss));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("configurations")
    void callOrderDoesNotChangeResults(String arch, String act, String lossName) {
        NetworkSpec spec = Fixtures.spec(arch, act, lossName, true, 3);
        Network net = Network.of(spec);
        Batch batch = Fixtures.batch(spec, 6, 801, DataType.DOUBLE);
        INDArray theta = Fixtures.theta(net, 802, DataType.DOUBLE);
        INDArray other = Fixtures.theta(net, 803, DataType.DOUBLE);
        INDArray u = Fixtures.direction(net.paramCount(), 804, DataType.DOUBLE);
        INDArray v = Fixtures.direction(net.paramCount(), 805, DataType.DOUBLE);
        double[] hv = net.at(batch, theta).hvp(v).toDoubleVector();
        double[] gv = net.at(batch, theta).gvp(v).toDoubleVector();

        Point point = net.at(batch, other);
        point.hvp(u);
        point.moveTo(theta);
        point.gvp(u);
        assertClose(hv, point.hvp(v).toDoubleVector(), "Hv after Hv elsewhere, moveTo and Gv");
        point.hvp(u);
        assertClose(hv, point.hvp(v).toDoubleVector(), "Hv after another Hv");
        assertClose(gv, point.gvp(v).toDoubleVector(), "Gv after Hv");
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        double err = Fixtures.relativeError(actual, expected);
        assertTrue(err <= 1e-13, what + ": relative error " + err);
    }
}
