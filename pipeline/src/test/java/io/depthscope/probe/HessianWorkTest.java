package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Point;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A step's Hessian measurement cut into tasks: the pieces, combined in any order, equal the one-process
 * estimators and the dense Hessian's spectrum.
 */
class HessianWorkTest {
    private static final long SEED = 41;
    private static final int STEP = 7;

    private static HessianSpec spec(String method, int probes, int perBlock, int topK, int lanczosSteps, int densityRuns, int densitySteps) {
        return new HessianSpec(method, probes, "rademacher", 0, perBlock, List.of(), topK, lanczosSteps, densityRuns, densitySteps).validate();
    }

    private static List<HessianWork.Piece> pieces(HessianSpec h, Point point) {
        List<HessianWork.Piece> out = new ArrayList<>();
        for (HessianWork.Task t : HessianWork.plan("r", h, STEP, point.paramCount())) {
            out.add(HessianWork.compute(h, SEED, point, t));
        }
        return out;
    }

    @Test
    void probeBlocksCoverEveryProbeOnceAndMergeToTheSequentialEstimate() {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        HessianSpec h = spec("hutchinson", 23, 5, 0, 10, 0, 10);
        List<HessianWork.Task> tasks = HessianWork.plan("r", h, STEP, point.paramCount());
        assertEquals(5, tasks.size(), "ceil(23 / 5) blocks");
        assertEquals(List.of(0, 5, 10, 15, 20), tasks.stream().map(HessianWork.Task::first).toList());
        assertEquals(23, tasks.stream().mapToInt(HessianWork.Task::count).sum());

        List<HessianWork.Piece> pieces = pieces(h, point);
        HessianResults inOrder = HessianWork.combine(h, "r", STEP, 12, point.paramCount(), pieces);
        List<HessianWork.Piece> shuffled = new ArrayList<>(pieces);
        Collections.shuffle(shuffled, new Random(3));
        HessianResults anyOrder = HessianWork.combine(h, "r", STEP, 12, point.paramCount(), shuffled);
        assertEquals(inOrder, anyOrder, "the same rows, bitwise, whatever order the pieces arrive in");

        HessianMoments sequential = Hutchinson.estimate(point, 23, io.depthscope.util.Seeds.derive(SEED, "hessian-probes", STEP),
                Hutchinson.Distribution.RADEMACHER);
        HessianMoments merged = inOrder.moments().get(0).moments();
        for (int k = 0; k < 4; k++) {
            assertEquals(sequential.moments()[k], merged.moments()[k], 1e-12 * Math.abs(sequential.moments()[k]), "m" + (k + 1));
            assertEquals(sequential.stderrs()[k], merged.stderrs()[k], 1e-9 * sequential.stderrs()[k], "stderr m" + (k + 1));
        }
        assertEquals(23, inOrder.probes().size());
        for (int i = 0; i < 23; i++) {
            HessianProbeAt row = inOrder.probes().get(i);
            assertEquals(i, row.probe());
            double[] q = Hutchinson.quadraticForms(point, Hutchinson.probeVector(point,
                    io.depthscope.util.Seeds.derive(SEED, "hessian-probes", STEP), i, Hutchinson.Distribution.RADEMACHER));
            assertEquals(q[0], row.q1(), 0.0);
            assertEquals(q[3], row.q4(), 0.0);
        }
        // the raw rows recompute the moments: m1 = mean(q1) / P
        double mean = inOrder.probes().stream().mapToDouble(HessianProbeAt::q1).average().orElseThrow() / point.paramCount();
        assertEquals(merged.m1(), mean, 1e-12 * Math.abs(mean));
    }

    @Test
    void lanczosRowsAreTheDenseHessiansExtremeEigenvaluesAndSplitIntoGaussNewtonAndRest() {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        int p = (int) point.paramCount();
        HessianSpec h = spec("none", 2, 1, 3, p, 0, 10);
        HessianResults rows = HessianWork.combine(h, "r", STEP, 12, p, pieces(h, point));
        double[] exact = DenseHessian.eigenvalues(point); // ascending
        List<HessianEigenvalueAt> largest = rows.eigenvalues().stream().filter(r -> r.side().equals("largest")).toList();
        List<HessianEigenvalueAt> smallest = rows.eigenvalues().stream().filter(r -> r.side().equals("smallest")).toList();
        assertEquals(3, largest.size());
        assertEquals(3, smallest.size());
        double scale = Math.max(Math.abs(exact[0]), exact[p - 1]);
        for (int i = 0; i < 3; i++) {
            assertEquals(exact[p - 1 - i], largest.get(i).eigenvalue(), 1e-8 * scale, "largest " + (i + 1));
            assertEquals(exact[i], smallest.get(i).eigenvalue(), 1e-8 * scale, "smallest " + (i + 1));
            assertEquals(largest.get(i).eigenvalue(), largest.get(i).gaussNewton() + largest.get(i).remainder(), 1e-8 * scale);
            assertTrue(largest.get(i).gaussNewton() >= -1e-12 * scale, "G is positive semi-definite under mse");
        }
        double ratio = exact[0] < 0 ? -exact[0] / exact[p - 1] : 0;
        assertEquals(ratio, largest.get(0).negativeToPositiveRatio(), 1e-8);
    }

    @Test
    void exactMomentsAndTheDensityMatchTheDenseSpectrum() {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        long p = point.paramCount();
        HessianSpec h = spec("exact", 2, 1, 0, 10, 6, 30);
        HessianResults rows = HessianWork.combine(h, "r", STEP, 12, p, pieces(h, point));
        HessianMoments exact = HessianMoments.fromEigenvalues(DenseHessian.eigenvalues(point));
        assertEquals(exact, rows.moments().get(0).moments());
        HessianDensityAt d = rows.densities().get(0);
        assertEquals(6, d.runs());
        assertEquals(6, d.nodes().size());
        double[] grid = d.grid().stream().mapToDouble(Double::doubleValue).toArray();
        double[] density = d.density().stream().mapToDouble(Double::doubleValue).toArray();
        assertEquals(1.0, SpectralDensity.integrate(grid, density), 1e-6, "the density integrates to 1");
        for (int k = 0; k < 4; k++) {
            double se = d.momentStderrs().get(k);
            assertTrue(Math.abs(d.moments().get(k) - exact.moments()[k]) <= 4 * se + 1e-12,
                    "quadrature m" + (k + 1) + " " + d.moments().get(k) + " within 4 standard errors (" + se + ") of " + exact.moments()[k]);
        }
    }

    @Test
    void aMissingPieceIsAnError() {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        HessianSpec h = spec("hutchinson", 6, 2, 0, 10, 0, 10);
        List<HessianWork.Piece> pieces = pieces(h, point);
        pieces.remove(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HessianWork.combine(h, "r", STEP, 12, point.paramCount(), pieces));
        assertTrue(e.getMessage().contains("exactly the 3 tasks"), e.getMessage());
    }
}
