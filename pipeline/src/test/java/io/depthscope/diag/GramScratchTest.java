package io.depthscope.diag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Grams borrow their float64 scratch from the thread's previous Gram ({@link MapGrams.Work}). A Gram computed
 * right after one at another point of the same size (so on a buffer full of that point's numbers) must equal, bit for
 * bit, the same Gram from fresh memory: the factorisation written out here with fresh float64 casts, and the NTK's
 * per-map shares, which never borrow.
 */
class GramScratchTest {
    private static Point point(Network net, long seed, DataType dtype) {
        return net.at(Fixtures.batch(net.spec(), 7, seed, dtype), Fixtures.theta(net, seed + 1, DataType.DOUBLE).castTo(dtype));
    }

    /** sum over maps of (DZ DZ^T) . (A A^T + bias) N^2, every array a fresh float64 one: the Gram as first written. */
    private static double[] freshPerExampleGram(Point point) {
        int n = point.batch().size();
        INDArray m = Nd4j.create(DataType.DOUBLE, n, n);
        for (var act : point.linearActivity()) {
            INDArray dz = act.outputGradient().castTo(DataType.DOUBLE);
            INDArray a = act.input().castTo(DataType.DOUBLE);
            INDArray outer = Nd4j.create(DataType.DOUBLE, n, n);
            INDArray inner = Nd4j.create(DataType.DOUBLE, n, n);
            Nd4j.gemm(dz, dz, outer, false, true, 1.0, 0.0);
            Nd4j.gemm(a, a, inner, false, true, 1.0, 0.0);
            if (point.network().linearMaps().get(act.index()).hasBias()) {
                inner.addi(1.0);
            }
            m.addi(outer.muli(inner));
        }
        return m.muli((double) n * n).reshape(-1).toDoubleVector();
    }

    @ParameterizedTest
    @CsvSource({"mlp, FLOAT", "mlp, DOUBLE", "resmlp, FLOAT", "resmlp, DOUBLE"})
    void aGramOnDirtyScratchIsTheGramOnFreshMemory(String arch, DataType dtype) {
        Network net = Network.of(Fixtures.spec(arch, "tanh", "mse", true, 3));
        Point first = point(net, 301, dtype);
        Point other = point(net, 311, dtype);
        double[] expected = freshPerExampleGram(first);
        assertNotEquals(expected[1], freshPerExampleGram(other)[1], "the other point must fill the scratch with other numbers");
        PerExampleGradients.gram(other);
        assertArrayEquals(expected, PerExampleGradients.gram(first).reshape(-1).toDoubleVector());
        assertArrayEquals(expected, PerExampleGradients.gram(first).reshape(-1).toDoubleVector());

        List<INDArray> shares = Ntk.gramByMap(first);
        INDArray sum = shares.get(0).dup();
        for (int i = 1; i < shares.size(); i++) {
            sum.addi(shares.get(i));
        }
        double[] kernel = sum.reshape(-1).toDoubleVector();
        Ntk.gram(other);
        assertArrayEquals(kernel, Ntk.gram(first).reshape(-1).toDoubleVector());
        assertArrayEquals(kernel, Ntk.gram(first).reshape(-1).toDoubleVector());
    }
}
