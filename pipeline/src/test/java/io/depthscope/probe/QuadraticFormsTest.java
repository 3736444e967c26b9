package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Merging summaries in any grouping or order equals the direct two-pass mean and covariance. */
class QuadraticFormsTest {
    private static final int N = 57;

    @Test
    void mergesInAnyGroupingEqualTwoPass() {
        SplittableRandom rng = new SplittableRandom(401);
        double[][] q = new double[N][4];
        for (double[] row : q) {
            // correlated columns with a large common offset, as v.Hv .. v.H^4v are: a naive
            // sum-of-squares formula loses digits here, a two-pass or pairwise one does not
            double z = rng.nextGaussian();
            for (int k = 0; k < 4; k++) {
                row[k] = 50.0 * (k + 1) + (k + 1) * z + rng.nextGaussian();
            }
        }
        double[] mean = new double[4];
        for (double[] row : q) {
            for (int k = 0; k < 4; k++) {
                mean[k] += row[k] / N;
            }
        }
        double[][] cov = new double[4][4];
        for (double[] row : q) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    cov[i][j] += (row[i] - mean[i]) * (row[j] - mean[j]) / (N - 1);
                }
            }
        }

        List<QuadraticForms> singles = new ArrayList<>();
        for (double[] row : q) {
            singles.add(QuadraticForms.of(row));
        }
        check("left fold", foldLeft(singles), mean, cov);
        List<QuadraticForms> reversed = new ArrayList<>(singles);
        Collections.reverse(reversed);
        check("reversed", foldLeft(reversed), mean, cov);
        check("tree", tree(singles, 0, N), mean, cov);
        for (int trial = 0; trial < 5; trial++) {
            List<QuadraticForms> shuffled = new ArrayList<>(singles);
            Collections.shuffle(shuffled, new java.util.Random(402 + trial));
            check("random blocks " + trial, randomBlocks(shuffled, rng), mean, cov);
        }
        check("with empties", QuadraticForms.empty().merge(foldLeft(singles)).merge(QuadraticForms.empty()), mean, cov);
    }

    private static QuadraticForms foldLeft(List<QuadraticForms> parts) {
        QuadraticForms s = QuadraticForms.empty();
        for (QuadraticForms p : parts) {
            s = s.merge(p);
        }
        return s;
    }

    private static QuadraticForms tree(List<QuadraticForms> parts, int from, int to) {
        if (to - from == 1) {
            return parts.get(from);
        }
        int mid = (from + to) / 2;
        return tree(parts, from, mid).merge(tree(parts, mid, to));
    }

    /** Blocks of random sizes summarised separately (as executors do) and merged right to left. */
    private static QuadraticForms randomBlocks(List<QuadraticForms> parts, SplittableRandom rng) {
        List<QuadraticForms> blocks = new ArrayList<>();
        int i = 0;
        while (i < parts.size()) {
            int size = 1 + rng.nextInt(12);
            blocks.add(foldLeft(parts.subList(i, Math.min(parts.size(), i + size))));
            i += size;
        }
        QuadraticForms s = QuadraticForms.empty();
        for (int b = blocks.size() - 1; b >= 0; b--) {
            s = blocks.get(b).merge(s);
        }
        return s;
    }

    private static void check(String what, QuadraticForms s, double[] mean, double[][] cov) {
        assertEquals(N, s.count(), what + ": count");
        double[] m = s.mean();
        double[][] c = s.covariance();
        for (int i = 0; i < 4; i++) {
            assertEquals(mean[i], m[i], 1e-12 * Math.abs(mean[i]), what + ": mean " + i);
            for (int j = 0; j < 4; j++) {
                double scale = Math.sqrt(cov[i][i] * cov[j][j]);
                assertEquals(cov[i][j], c[i][j], 1e-12 * scale, what + ": covariance " + i + "," + j);
            }
        }
    }
}
