package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.junit.jupiter.api.Test;

/** The permutation test against counts done by hand, a brute-force enumeration, and its Monte Carlo variant. */
class SpearmanPermutationTest {
    static final double[] THREE = {1, 2, 3};

    @Test
    void twoSeedsThatEachRankThreeRunsPerfectlyHappenOneTimeInThirtySix() {
        // each seed: 6 orderings, rho = 1 for one of them; |sum| >= 2 for (1, 1) and (-1, -1): 2 of 36
        SpearmanPermutation.Result r = SpearmanPermutation.test(List.of(THREE, THREE), List.of(new double[] {4, 5, 6}, new double[] {0.1, 0.2, 0.3}));
        assertTrue(r.exact());
        assertEquals(2.0, r.statistic(), 1e-12);
        assertEquals(2.0 / 36, r.p(), 1e-12);
    }

    @Test
    void oneSeedOfThreeRunsCannotRejectAndAPerfectReversalIsAsExtremeAsAPerfectOrder() {
        // rho takes 1, 0.5, 0.5, -0.5, -0.5, -1 over the 6 orderings: |rho| >= 1 in 2 of them
        assertEquals(2.0 / 6, SpearmanPermutation.test(List.of(THREE), List.of(new double[] {3, 2, 1})).p(), 1e-12);
        // |rho| >= 0.5 always
        assertEquals(1.0, SpearmanPermutation.test(List.of(THREE), List.of(new double[] {1, 3, 2})).p(), 1e-12);
    }

    @Test
    void theExactPValueIsTheShareOfAllJointPermutationsAtLeastAsExtremeWithTiesKept() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 20; trial++) {
            List<double[]> x = new ArrayList<>();
            List<double[]> y = new ArrayList<>();
            int units = 1 + random.nextInt(2);
            for (int u = 0; u < units; u++) {
                int n = 3 + random.nextInt(trial < 10 ? 3 : 2);
                // small integer values: ties in both variables
                x.add(varied(random, n, 3));
                y.add(varied(random, n, trial % 2 == 0 ? 3 : 100));
            }
            SpearmanPermutation.Result r = SpearmanPermutation.test(x, y);
            assertTrue(r.exact());
            assertEquals(bruteForce(x, y), r.p(), 1e-9, "trial " + trial);
            double observed = 0;
            for (int u = 0; u < units; u++) {
                observed += new SpearmansCorrelation().correlation(x.get(u), y.get(u));
            }
            assertEquals(observed, r.statistic(), 1e-12);
        }
    }

    @Test
    void beyondEightRunsAUnitIsTestedByMonteCarloReproduciblyAndCloseToTheNormalLimit() {
        // 30 runs: rho's null distribution is close to N(0, 1/29); an observed rho of 0.3 has two-sided p = 2(1 - Phi(0.3 sqrt 29)) = 0.106
        double[] x = new double[30];
        double[] y = new double[30];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 30; i++) {
            x[i] = i;
            y[i] = random.nextGaussian();
        }
        SpearmanPermutation.Result r = SpearmanPermutation.test(List.of(x), List.of(y));
        assertFalse(r.exact());
        assertEquals(r.p(), SpearmanPermutation.test(List.of(x), List.of(y)).p(), 0.0, "a fixed seed: the same p every time");
        double rho = r.statistic();
        double normal = 2 * (1 - new org.apache.commons.math3.distribution.NormalDistribution().cumulativeProbability(Math.abs(rho) * Math.sqrt(29)));
        // Monte Carlo error at 20,000 draws is below 0.005 for p near 0.5; the normal limit is good to about 0.01 at n = 30
        assertEquals(normal, r.p(), 0.02, "rho " + rho);
        assertTrue(r.p() >= 1.0 / (1 + SpearmanPermutation.DRAWS));
    }

    @Test
    void aUnitWithoutVariationOrFewerThanThreeRunsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SpearmanPermutation.test(List.of(THREE), List.of(new double[] {1, 1, 1})));
        assertThrows(IllegalArgumentException.class, () -> SpearmanPermutation.test(List.of(new double[] {1, 2}), List.of(new double[] {1, 2})));
    }

    @Test
    void anEffectDecidedByThePermutationTestCarriesItsPValueAndSaysSo() {
        Effect t = Effect.mean(new double[] {1, 1});
        assertEquals(0.0, t.pTwoSided(), 0.0, "the t test's limit at zero spread");
        Effect decided = t.decidedBy(2.0 / 36, "exact permutation test");
        assertEquals(2.0 / 36, decided.pTwoSided(), 0.0);
        assertEquals(Verdict.NOT_SHOWN, Verdict.of(decided));
        assertTrue(decided.method().contains("exact permutation test"), decided.method());
        assertEquals(2.0 / 36, decided.negated().pTwoSided(), 0.0);
        assertEquals(-1.0, decided.negated().estimate(), 0.0);
        assertThrows(IllegalStateException.class, () -> decided.pEquivalent(0.1));
        Claim claim = new Claim("two seeds agree", "here", "rho", decided, 6, 2, "");
        assertTrue(claim.sentence().contains("the t interval excludes 0, but the test that decides does not reject"), claim.sentence());
    }

    private static double[] varied(SplittableRandom random, int n, int values) {
        while (true) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = random.nextInt(values);
            }
            if (java.util.Arrays.stream(v).distinct().count() > 1) {
                return v;
            }
        }
    }

    /** The share of all joint permutations of the y values (each unit's n! orderings) whose summed rho is at least as far from 0. */
    private static double bruteForce(List<double[]> x, List<double[]> y) {
        double observed = 0;
        List<List<Double>> perUnit = new ArrayList<>();
        for (int u = 0; u < x.size(); u++) {
            observed += new SpearmansCorrelation().correlation(x.get(u), y.get(u));
            List<Double> rhos = new ArrayList<>();
            permute(y.get(u).clone(), 0, x.get(u), rhos);
            perUnit.add(rhos);
        }
        List<Double> sums = new ArrayList<>(List.of(0.0));
        for (List<Double> rhos : perUnit) {
            List<Double> next = new ArrayList<>();
            for (double s : sums) {
                for (double r : rhos) {
                    next.add(s + r);
                }
            }
            sums = next;
        }
        double o = Math.abs(observed);
        return sums.stream().filter(s -> Math.abs(s) >= o - 1e-9).count() / (double) sums.size();
    }

    private static void permute(double[] y, int k, double[] x, List<Double> out) {
        if (k == y.length) {
            out.add(new SpearmansCorrelation().correlation(x, y));
            return;
        }
        for (int i = k; i < y.length; i++) {
            double t = y[k];
            y[k] = y[i];
            y[i] = t;
            permute(y, k + 1, x, out);
            y[i] = y[k];
            y[k] = t;
        }
    }
}
