package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Landscape;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import io.depthscope.probe.Hutchinson.Distribution;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The probes and estimates of Hutchinson and the SLQ start vectors, bit for bit as the implementation before
 * the bulk Rademacher draw computed them (kept below as the reference), so no number in an existing table moves.
 */
class HutchinsonReferenceTest {
    /** P = 213 (one thread's work) and P = 9,610 (OpenBLAS's threaded paths). */
    private static final NetworkSpec SMALL = new NetworkSpec("mlp", 6, 10, 2, 3, "tanh", true, 1.0, "mse");
    private static final NetworkSpec WIDER = new NetworkSpec("mlp", 20, 64, 3, 5, "tanh", true, 1.0, "mse");

    private static Point point(NetworkSpec spec, DataType dtype) {
        Network net = Network.of(spec);
        return net.at(Fixtures.batch(spec, 24, 901, dtype), Fixtures.theta(net, 902, dtype));
    }

    // --- the previous implementation, verbatim but for names ---

    private static INDArray oldProbeVector(Landscape point, long seed, long index, Distribution distribution) {
        int p = Math.toIntExact(point.paramCount());
        var rng = Seeds.stream(seed, "hutchinson", index);
        double[] v = distribution == Distribution.RADEMACHER ? RandomArrays.rademacher(rng, p) : RandomArrays.gaussian(rng, p, 1.0);
        return RandomArrays.vector(v, point.dtype());
    }

    private static double[] oldQuadraticForms(Landscape point, INDArray v) {
        INDArray u = Nd4j.create(point.dtype(), point.paramCount());
        INDArray w = Nd4j.create(point.dtype(), point.paramCount());
        point.hvp(v, u);
        point.hvp(u, w);
        return new double[] {Nd4j.getBlasWrapper().dot(v, u), Nd4j.getBlasWrapper().dot(u, u),
            Nd4j.getBlasWrapper().dot(u, w), Nd4j.getBlasWrapper().dot(w, w)};
    }

    private static HessianMoments oldEstimate(Landscape point, int count, long seed, Distribution distribution) {
        List<double[]> q = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            q.add(oldQuadraticForms(point, oldProbeVector(point, seed, i, distribution)));
        }
        return HessianMoments.fromProbes(Hutchinson.summarise(q), point.paramCount());
    }

    private static INDArray oldRademacherStart(long size, long seed, long run) {
        int n = Math.toIntExact(size);
        double[] v = RandomArrays.rademacher(Seeds.stream(seed, "slq", run), n);
        return Nd4j.createFromArray(v).divi(Math.sqrt(n));
    }

    // --- the comparisons ---

    @ParameterizedTest
    @ValueSource(strings = {"FLOAT", "DOUBLE"})
    void probeVectorsAreTheOldOnes(String dtypeName) {
        Point point = point(WIDER, DataType.valueOf(dtypeName));
        for (Distribution d : Distribution.values()) {
            for (long seed : new long[] {0, 703, -5}) {
                for (long index : new long[] {0, 1, 19, 1_000_000}) {
                    INDArray expected = oldProbeVector(point, seed, index, d);
                    INDArray got = Hutchinson.probeVector(point, seed, index, d);
                    assertEquals(expected.dataType(), got.dataType());
                    assertArrayEquals(expected.toDoubleVector(), got.toDoubleVector(), 0.0, d + " seed " + seed + " probe " + index);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"SMALL/FLOAT", "SMALL/DOUBLE", "WIDER/FLOAT", "WIDER/DOUBLE"})
    void estimatesAreBitIdentical(String which) {
        String[] parts = which.split("/");
        Point point = point(parts[0].equals("SMALL") ? SMALL : WIDER, DataType.valueOf(parts[1]));
        for (Distribution d : Distribution.values()) {
            for (long seed : new long[] {0, 703}) {
                HessianMoments expected = oldEstimate(point, 7, seed, d);
                HessianMoments got = Hutchinson.estimate(point, 7, seed, d);
                assertArrayEquals(expected.moments(), got.moments(), 0.0, which + " " + d + " seed " + seed + " moments");
                assertArrayEquals(expected.stderrs(), got.stderrs(), 0.0, which + " " + d + " seed " + seed + " stderrs");
            }
        }
    }

    /** A block of probes that starts mid-stream (a study's Hessian task) is the same rows as probes one by one. */
    @ParameterizedTest
    @ValueSource(strings = {"FLOAT", "DOUBLE"})
    void blocksFromAnyFirstProbeAreTheOldRows(String dtypeName) {
        Point point = point(WIDER, DataType.valueOf(dtypeName));
        double[][] block = Hutchinson.probes(point, 11, 5, 4, Distribution.RADEMACHER);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(oldQuadraticForms(point, oldProbeVector(point, 11, 5 + i, Distribution.RADEMACHER)), block[i], 0.0, "probe " + (5 + i));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 213, 9_610, 100_003})
    void slqStartsAreTheOldOnes(long size) {
        for (long run = 0; run < 3; run++) {
            assertArrayEquals(oldRademacherStart(size, 2011, run).toDoubleVector(),
                    StochasticLanczosQuadrature.rademacherStart(size, 2011, run).toDoubleVector(), 0.0, "run " + run);
        }
    }
}
