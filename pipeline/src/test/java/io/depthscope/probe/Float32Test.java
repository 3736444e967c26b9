package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Gradients and Hv in float32 agree with float64 on the same (float32-representable) inputs. */
class Float32Test {
    @ParameterizedTest(name = "{0} {1} {2} depth={3}")
    @CsvSource({"mlp, tanh, mse, 6", "resmlp, tanh, cross_entropy, 6", "mlp, relu, cross_entropy, 4", "mlp, softplus, mse, 4"})
    void hvpInFloat32MatchesFloat64(String arch, String act, String loss, int depth) {
        NetworkSpec spec = new NetworkSpec(arch, 16, 32, depth, 5, act, true, 0.5, loss);
        Network net = Network.of(spec);
        // round inputs to float32 first, so the two runs differ only in arithmetic, not in their inputs
        INDArray theta32 = Fixtures.theta(net, 601, DataType.FLOAT);
        Batch batch32 = Fixtures.batch(spec, 64, 602, DataType.FLOAT);
        INDArray v32 = Fixtures.direction(net.paramCount(), 603, DataType.FLOAT);
        Point p32 = net.at(batch32, theta32);
        Point p64 = net.at(batch32.as(DataType.DOUBLE), theta32.castTo(DataType.DOUBLE));
        INDArray v64 = v32.castTo(DataType.DOUBLE);

        double hvErr = Fixtures.relativeError(p32.hvp(v32).toDoubleVector(), p64.hvp(v64).toDoubleVector());
        double gErr = Fixtures.relativeError(p32.gradient().toDoubleVector(), p64.gradient().toDoubleVector());
        assertTrue(hvErr <= 1e-4, "Hv relative error " + hvErr);
        assertTrue(gErr <= 1e-4, "gradient relative error " + gErr);
        assertTrue(Math.abs(p32.loss() - p64.loss()) <= 1e-5 * Math.abs(p64.loss()), "loss " + p32.loss() + " vs " + p64.loss());
        // float32 arithmetic did happen: the results are not bit-identical to float64 ones
        assertTrue(hvErr > 0, "float32 Hv equals float64 Hv exactly: the point did not compute in float32");
    }
}
