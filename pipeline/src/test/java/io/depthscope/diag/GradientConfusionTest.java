package io.depthscope.diag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GradientConfusionTest {
    /** Pairwise statistics by brute force over explicit gradient vectors. */
    private static GradientConfusion bruteForce(double[][] g) {
        int n = g.length;
        double minIp = Double.MAX_VALUE;
        double minCos = Double.MAX_VALUE;
        double sumIp = 0;
        double sumCos = 0;
        double sumSq = 0;
        int negative = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            sumSq += Loops.dot(g[i], g[i]);
            for (int j = i + 1; j < n; j++) {
                double ip = Loops.dot(g[i], g[j]);
                double cos = ip / Math.sqrt(Loops.dot(g[i], g[i]) * Loops.dot(g[j], g[j]));
                minIp = Math.min(minIp, ip);
                minCos = Math.min(minCos, cos);
                sumIp += ip;
                sumCos += cos;
                negative += ip < 0 ? 1 : 0;
                pairs++;
            }
        }
        return new GradientConfusion(n, minIp, sumIp / pairs, minCos, sumCos / pairs, sumSq / n, (double) negative / pairs);
    }

    private static void assertClose(GradientConfusion expected, GradientConfusion actual, double tol) {
        assertEquals(expected.n(), actual.n());
        double[] e = {expected.minInnerProduct(), expected.meanInnerProduct(), expected.minCosine(), expected.meanCosine(),
                expected.meanSquaredNorm(), expected.negativeFraction()};
        double[] a = {actual.minInnerProduct(), actual.meanInnerProduct(), actual.minCosine(), actual.meanCosine(),
                actual.meanSquaredNorm(), actual.negativeFraction()};
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol * Math.max(1.0, Math.abs(e[i])), "field " + i + " of " + actual);
        }
    }

    @Test
    void handPickedVectors() {
        // <g1,g2> = 0, <g1,g3> = -1, <g2,g3> = 1; cosines 0, -1/sqrt2, 1/sqrt2; norms^2 1, 1, 2
        List<INDArray> g = List.of(Nd4j.createFromArray(1.0, 0.0), Nd4j.createFromArray(0.0, 1.0), Nd4j.createFromArray(-1.0, 1.0));
        GradientConfusion c = GradientConfusion.ofGradients(g);
        assertClose(new GradientConfusion(3, -1.0, 0.0, -Math.sqrt(0.5), 0.0, 4.0 / 3, 1.0 / 3), c, 1e-15);
    }

    @Test
    void fewerThanTwoGradientsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GradientConfusion.ofGradients(List.of(Nd4j.createFromArray(1.0))));
    }

    @ParameterizedTest(name = "{0} {1} bias={2}")
    @CsvSource({"mlp, mse, true", "mlp, cross_entropy, false", "resmlp, cross_entropy, true", "resmlp, mse, false"})
    void withinBatchMatchesPairwiseLoop(String arch, String loss, boolean bias) {
        NetworkSpec spec = Fixtures.spec(arch, "tanh", loss, bias, 3);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 71, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 8, 72, DataType.DOUBLE);
        double[][] loop = Loops.perExampleGradients(net, batch, theta);
        assertClose(bruteForce(loop), GradientConfusion.withinBatch(net.at(batch, theta)), 1e-12);
    }

    @Test
    void betweenMinibatchesUsesTheMeansOfPerExampleGradients() {
        NetworkSpec spec = Fixtures.spec("resmlp", "tanh", "cross_entropy", true, 3);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 81, DataType.DOUBLE);
        Batch data = Fixtures.batch(spec, 20, 82, DataType.DOUBLE);
        int batchSize = 4;
        int count = 7; // more than one epoch of 5 batches: the draws continue into the next permutation
        // an independent route: minibatch means of the full batch's vectorised per-example gradients
        double[][] perExample = PerExampleGradients.materialise(net.at(data, theta)).toDoubleMatrix();
        List<int[]> draws = MinibatchConfusion.indices(data.size(), batchSize, count, 83);
        double[][] means = new double[count][];
        for (int b = 0; b < count; b++) {
            means[b] = new double[perExample[0].length];
            for (int i : draws.get(b)) {
                for (int p = 0; p < means[b].length; p++) {
                    means[b][p] += perExample[i][p] / batchSize;
                }
            }
        }
        List<INDArray> gradients = MinibatchConfusion.gradients(net, data, theta, batchSize, count, 83);
        for (int b = 0; b < count; b++) {
            assertEquals(0.0, Fixtures.relativeError(gradients.get(b).toDoubleVector(), means[b]), 1e-12, "minibatch " + b);
        }
        assertClose(bruteForce(means), MinibatchConfusion.of(net, data, theta, batchSize, count, 83), 1e-12);
    }

    @Test
    void minibatchesOfOneEpochAreDisjointAndSeeded() {
        List<int[]> a = MinibatchConfusion.indices(20, 4, 5, 91);
        List<int[]> b = MinibatchConfusion.indices(20, 4, 5, 92);
        boolean[] seen = new boolean[20];
        for (int[] batch : a) {
            for (int i : batch) {
                assertEquals(false, seen[i], "example " + i + " drawn twice within an epoch");
                seen[i] = true;
            }
        }
        List<Integer> flatA = new ArrayList<>();
        List<Integer> flatB = new ArrayList<>();
        a.forEach(x -> { for (int i : x) flatA.add(i); });
        b.forEach(x -> { for (int i : x) flatB.add(i); });
        assertEquals(false, flatA.equals(flatB), "different seeds drew the same minibatches");
        assertArrayEquals(a.get(2), MinibatchConfusion.indices(20, 4, 5, 91).get(2));
    }
}
