package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Point;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The hessian_spectrum formulas against closed forms on operators of known spectrum, and the gradient overlap against a dense one. */
class SpectrumShapeTest {

    /**
     * A rank-deficient diagonal operator: nonzero values {1, 2, 3, 5, 8} ten times each and the rest 0. Its few distinct eigenvalues
     * make every quadrature run break down into an exact one, and a Rademacher start puts exactly 1/P of its weight on each
     * eigenvalue, so the null mass is exactly the fraction of zeros and the non-null kurtosis exactly that of the 50 values,
     * whatever P is; the full kurtosis grows with the zeros.
     */
    @Test
    void nonnullKurtosisIsTheKurtosisOfTheNonzeroEigenvaluesWhateverThePadding() {
        double[] nonzero = new double[50];
        for (int i = 0; i < 50; i++) {
            nonzero[i] = new double[] {1, 2, 3, 5, 8}[i % 5];
        }
        double expected = kurtosis(nonzero);
        double previousFull = 0;
        for (int p : new int[] {200, 400, 1000}) {
            double[] lambda = Arrays.copyOf(nonzero, p);
            HessianDensityAt d = density(lambda, 3, 20);
            double nullMass = SpectrumShape.nullMass(d);
            assertEquals((p - 50.0) / p, nullMass, 1e-12, "the weight at 0 is the fraction of zeros, P = " + p);
            double[] m = HessianMoments.fromEigenvalues(lambda).moments();
            assertEquals(expected, SpectrumShape.nonnullKurtosis(m, nullMass), 1e-9 * expected, "non-null kurtosis, P = " + p);
            double full = HessianMoments.kurtosis(m);
            assertTrue(full > previousFull + 1, "the full kurtosis grows with the null padding: " + full + " after " + previousFull);
            previousFull = full;
        }
        assertEquals(Double.NaN, SpectrumShape.nonnullKurtosis(new double[] {0, 0, 0, 0}, 1.0), "all null: no kurtosis");
    }

    /**
     * A bulk of 300 values evenly in (0.1, 1] (above the null window of 1e-3 x 30) and three outliers 10, 20, 30: the outliers are counted (not the bulk's top Ritz values,
     * which the Lanczos run also returns at k = 5), the edge is the bulk's top, lambda_max / s and the top-3 share are closed forms.
     */
    @Test
    void outliersBulkEdgeAndSharesOfAKnownSpectrum() {
        int p = 303;
        double[] lambda = new double[p];
        for (int i = 0; i < 300; i++) {
            lambda[i] = 0.1 + 0.9 * (i + 1) / 300.0;
        }
        lambda[300] = 10;
        lambda[301] = 20;
        lambda[302] = 30;
        double[] m = HessianMoments.fromEigenvalues(lambda).moments();
        TopEigenvalues top = Lanczos.topEigenvalues(SymmetricOperator.dense(Nd4j.diag(Nd4j.createFromArray(lambda))), 60, 5, 7001);
        HessianDensityAt d = density(lambda, 4, 30);
        HessianSpectrumAt row = SpectrumShape.of("r", 0, 1, p, m, top.largest(), new double[] {0.1, 0.2, 0, 0, 0}, d);
        double sumSq = Arrays.stream(lambda).map(x -> x * x).sum();
        double mean = Arrays.stream(lambda).average().orElseThrow();
        double std = Math.sqrt(sumSq / p - mean * mean);
        assertEquals(3, row.outliers(), "three outliers, not the bulk's top Ritz values " + Arrays.toString(top.largest()));
        assertEquals(5, row.topK());
        assertEquals(30, row.lambdaMax(), 1e-9);
        assertEquals(std, row.spectrumStd(), 1e-12 * std);
        assertEquals(30 / std, row.lambdaMaxOverStd(), 1e-9 * 30 / std);
        assertTrue(row.bulkEdge() > 0.9 && row.bulkEdge() <= 1 + 1e-12, "the bulk's top: " + row.bulkEdge());
        assertEquals(30 / row.bulkEdge(), row.lambdaMaxOverBulkEdge(), 1e-12);
        assertEquals(0.3, row.gradientOverlap(), 1e-15, "the overlaps of the top k add up");
        assertEquals(0.0, row.nullMass(), "no eigenvalue within the null window");
        assertEquals(1400 / sumSq, SpectrumShape.topKShare(Arrays.copyOf(top.largest(), 3), m[1], p), 1e-9, "(30^2 + 20^2 + 10^2) / tr H^2");
        double bulkTops = top.largest()[3] * top.largest()[3] + top.largest()[4] * top.largest()[4];
        assertEquals((1400 + bulkTops) / sumSq, row.topKShare(), 1e-9);
    }

    /** A spectrum without a gap has no outlier, and its edge is its largest node. */
    @Test
    void aSpectrumWithoutGapHasNoOutliers() {
        double[] lambda = new double[200];
        for (int i = 0; i < 200; i++) {
            lambda[i] = (i + 1) / 200.0;
        }
        HessianDensityAt d = density(lambda, 3, 30);
        TopEigenvalues top = Lanczos.topEigenvalues(SymmetricOperator.dense(Nd4j.diag(Nd4j.createFromArray(lambda))), 40, 3, 7003);
        HessianSpectrumAt row = SpectrumShape.of("r", 0, 1, 200, HessianMoments.fromEigenvalues(lambda).moments(), top.largest(),
                new double[3], d);
        assertEquals(0, row.outliers());
        double maxNode = d.nodes().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).max().orElseThrow();
        assertEquals(maxNode, row.bulkEdge());
    }

    /**
     * The gradient's overlap with the top-3 Ritz vectors of a Lanczos run that spans the whole space, from a study's Hessian work
     * (the table row) and from each Ritz vector, against the top-3 eigenvectors of the dense Hessian of a tiny network.
     */
    @Test
    void gradientOverlapMatchesTheDenseEigenvectors() {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        int p = (int) point.paramCount();
        double[][] h = DenseHessian.of(point).toDoubleMatrix();
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(h));
        double[] values = eig.getRealEigenvalues();
        Integer[] order = new Integer[p];
        for (int i = 0; i < p; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        assertTrue(values[order[2]] - values[order[3]] > 1e-6 * values[order[0]], "a gap below the top 3, so their span is defined");
        double[] g = point.gradient().castTo(DataType.DOUBLE).toDoubleVector();
        double gg = Arrays.stream(g).map(x -> x * x).sum();
        double[] expected = new double[3];
        for (int k = 0; k < 3; k++) {
            double[] u = eig.getEigenvector(order[k]).toArray();
            double gu = 0;
            for (int i = 0; i < p; i++) {
                gu += g[i] * u[i];
            }
            expected[k] = gu * gu / gg;
        }
        HessianSpec spec = new HessianSpec("hutchinson", 4, "rademacher", 0, 4, List.of(0), 3, p, 2, 20);
        HessianResults results = HessianWork.measure(spec, 11, "r", 0, point);
        List<HessianEigenvalueAt> largest = results.eigenvalues().stream().filter(e -> e.side().equals("largest")).toList();
        for (int k = 0; k < 3; k++) {
            assertEquals(expected[k], largest.get(k).gradientOverlap(), 1e-8, "rank " + (k + 1));
        }
        List<HessianSpectrumAt> rows = SpectrumShape.rows(results, p);
        assertEquals(1, rows.size());
        assertEquals(expected[0] + expected[1] + expected[2], rows.get(0).gradientOverlap(), 1e-8);
        assertTrue(rows.get(0).gradientOverlap() > 0 && rows.get(0).gradientOverlap() < 1);
        assertEquals(values[order[0]], rows.get(0).lambdaMax(), 1e-9 * values[order[0]]);
    }

    /**
     * The top-3 share of tr(H^2) on a tiny network against its dense eigenvalues, over 40 run seeds with 4 probes each. With the
     * control variate the share never exceeds 1, its error is below the raw estimate's, and the deflated tr(H^2) stays unbiased
     * (its mean over the seeds within 3 standard errors of the dense value); each Ritz vector's probe overlap is the mean of
     * (v . y)^2 over the very probes the moments used.
     */
    @Test
    void theControlVariateKeepsTheTopKShareBelowOneAndCutsItsError() {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        int p = (int) point.paramCount();
        double[] lambda = DenseHessian.eigenvalues(point);
        double sumSq = Arrays.stream(lambda).map(x -> x * x).sum();
        double top = 0;
        for (int i = 1; i <= 3; i++) {
            top += lambda[p - i] * lambda[p - i];
        }
        double truth = top / sumSq;
        HessianSpec spec = new HessianSpec("hutchinson", 4, "rademacher", 0, 4, List.of(0), 3, 40, 0, 20);
        int seeds = 40;
        double rawError = 0;
        double error = 0;
        double[] deflated = new double[seeds];
        for (int seed = 0; seed < seeds; seed++) {
            HessianResults results = HessianWork.measure(spec, seed, "r", 0, point);
            List<HessianEigenvalueAt> largest = results.eigenvalues().stream().filter(e -> e.side().equals("largest")).toList();
            double[] theta = largest.stream().mapToDouble(HessianEigenvalueAt::eigenvalue).toArray();
            assertEquals(lambda[p - 1], theta[0], 1e-8 * lambda[p - 1], "40 Lanczos steps find the top eigenvalue");
            double m2 = results.moments().get(0).moments().moments()[1];
            double share = SpectrumShape.rows(results, p).get(0).topKShare();
            double raw = SpectrumShape.topKShare(theta, m2, p);
            assertTrue(share <= 1 + 1e-9 && share > 0, "seed " + seed + ": " + share);
            rawError += Math.abs(raw - truth);
            error += Math.abs(share - truth);
            deflated[seed] = Arrays.stream(theta).map(x -> x * x).sum() / share;
            if (seed == 0) {
                // the overlaps by hand, over the 4 probes of the step's stream
                long probeSeed = io.depthscope.util.Seeds.derive(seed, "hessian-probes", 0);
                LanczosResult r = Lanczos.run(SymmetricOperator.hessian(point), 40, io.depthscope.util.Seeds.derive(seed, "hessian-lanczos", 0), true);
                for (int k = 0; k < 3; k++) {
                    INDArray y = r.ritzVector(r.ritz().vectors()[r.ritz().count() - 1 - k]);
                    double c = 0;
                    for (int j = 0; j < 4; j++) {
                        INDArray v = Hutchinson.probeVector(point, probeSeed, j, Hutchinson.Distribution.RADEMACHER).castTo(DataType.DOUBLE);
                        double d = v.mul(y).sumNumber().doubleValue();
                        c += d * d / 4;
                    }
                    assertEquals(c, largest.get(k).probeOverlap(), 1e-10, "rank " + (k + 1));
                }
            }
        }
        // truth 0.36 here: the raw mean error 0.041, with the control variate 0.028 (the bulk's own noise is what remains)
        assertTrue(error < 0.8 * rawError, "mean error " + error / seeds + " against the raw " + rawError / seeds + "; truth " + truth);
        double mean = Arrays.stream(deflated).average().orElseThrow();
        double se = Math.sqrt(Arrays.stream(deflated).map(x -> (x - mean) * (x - mean)).sum() / (seeds - 1) / seeds);
        assertEquals(sumSq, mean, 3 * se, "unbiased: the deflated tr(H^2) over " + seeds + " seeds");
    }

    private static HessianDensityAt density(double[] lambda, int runs, int steps) {
        INDArray diag = Nd4j.diag(Nd4j.createFromArray(lambda));
        SpectralDensity d = StochasticLanczosQuadrature.density(SymmetricOperator.dense(diag), runs, steps, 7002, DensityGrid.DEFAULT);
        return HessianDensityAt.of("r", 0, 1, d);
    }

    /** Non-excess kurtosis from central moments, computed directly. */
    private static double kurtosis(double[] x) {
        double mean = Arrays.stream(x).average().orElseThrow();
        double c2 = Arrays.stream(x).map(v -> (v - mean) * (v - mean)).average().orElseThrow();
        double c4 = Arrays.stream(x).map(v -> Math.pow(v - mean, 4)).average().orElseThrow();
        return c4 / (c2 * c2);
    }
}
