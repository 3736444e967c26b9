package io.depthscope.jobs.claims;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * The permutation test of a sum of per-unit Spearman correlations: H0 says that within each unit (a seed) the
 * difficulties are exchangeable over the runs, so each unit's pairing of diagnostic and difficulty ranks is a
 * uniform random permutation, independently across units. The statistic is the sum of the per-unit
 * correlations (the mean times the number of units), and the p-value two-sided: P(|T*| >= |T|).
 *
 * <p>Why not the t test: a Spearman correlation of a handful of runs takes a handful of values (three runs:
 * only -1, -0.5, 0.5 and 1), so seeds that happen to agree have no spread and a t interval of width 0, which
 * makes p = 0. Two seeds that each rank three runs perfectly occur by chance one time in 36; the exact test says
 * so (p = 2/36 two-sided), the t test said p = 0.
 *
 * <p>Exact when it is cheap: each unit's null distribution is enumerated over all n! permutations (n <= 8) and
 * the units' distributions are convolved. Otherwise a Monte Carlo test of {@link #DRAWS} joint permutations from a
 * fixed seed, so the same runs give the same p-value, with p = (1 + hits) / (1 + draws), which is valid (never
 * below the exact p in expectation) at any number of draws. Ties are averaged in both variables, as in the
 * observed correlations, and the permutations keep them.
 */
public final class SpearmanPermutation {
    /** Monte Carlo draws when the exact distribution is too large: p's resolution 5e-5. */
    public static final int DRAWS = 19_999;

    /** The largest unit enumerated exactly (8! = 40,320 permutations). */
    static final int EXACT_RUNS = 8;

    /** The convolved distribution's largest number of distinct sums before falling back to Monte Carlo. */
    static final int EXACT_SUPPORT = 1 << 20;

    /** Sums closer than this count as equal (the correlations are ratios of small integers, computed in double). */
    private static final double TOLERANCE = 1e-9;

    /** A fixed seed: the test's own randomness is part of the method, not of the runs. */
    private static final long SEED = 0x5EED_5EA4L;

    /**
     * @param p     the two-sided p-value
     * @param exact whether it is the exact permutation distribution's (else Monte Carlo's, with {@link #DRAWS} draws)
     */
    public record Result(double statistic, double p, boolean exact) {
        public String method() {
            return exact ? "exact permutation test of the runs' difficulty ranks within each unit"
                    : "Monte Carlo permutation test of the runs' difficulty ranks within each unit (" + DRAWS + " draws, fixed seed)";
        }
    }

    /** One unit's ranks: the diagnostic's and the difficulty's, ties averaged, centred, with the scale of their correlation. */
    private record Unit(double[] rx, double[] ry, double scale) {
        static Unit of(double[] x, double[] y) {
            double[] rx = centred(x);
            double[] ry = centred(y);
            return new Unit(rx, ry, Math.sqrt(dot(rx, rx) * dot(ry, ry)));
        }

        /** Spearman's correlation with the difficulty ranks taken in the order {@code perm}. */
        double rho(int[] perm) {
            double s = 0;
            for (int i = 0; i < rx.length; i++) {
                s += rx[i] * ry[perm[i]];
            }
            return s / scale;
        }

        int size() {
            return rx.length;
        }
    }

    private SpearmanPermutation() {}

    /**
     * The test over units, each given as its points' diagnostic values {@code x[u]} and difficulties {@code y[u]}
     * (finite; map a diverged run to a value above every loss first). Every unit needs three points or more and
     * variation in both (as {@link Explanations#spearman} requires).
     */
    public static Result test(List<double[]> x, List<double[]> y) {
        if (x.size() != y.size() || x.isEmpty()) {
            throw new IllegalArgumentException("units: " + x.size() + " diagnostics and " + y.size() + " difficulties; allowed: one of each per unit, at least one");
        }
        List<Unit> units = new ArrayList<>();
        double t = 0;
        for (int u = 0; u < x.size(); u++) {
            if (x.get(u).length != y.get(u).length || x.get(u).length < 3) {
                throw new IllegalArgumentException("unit " + u + ": " + x.get(u).length + " diagnostics and " + y.get(u).length
                        + " difficulties; allowed: equal counts, three or more");
            }
            Unit unit = Unit.of(x.get(u), y.get(u));
            if (!(unit.scale() > 0)) {
                throw new IllegalArgumentException("unit " + u + ": no variation in the diagnostic or the difficulty; allowed: both vary");
            }
            units.add(unit);
            t += unit.rho(identity(unit.size()));
        }
        Map<Long, Double> exact = exactDistribution(units);
        if (exact != null) {
            double p = 0;
            for (Map.Entry<Long, Double> e : exact.entrySet()) {
                if (Math.abs(e.getKey() * TOLERANCE) >= Math.abs(t) - 2 * units.size() * TOLERANCE) {
                    p += e.getValue();
                }
            }
            return new Result(t, Math.min(1, p), true);
        }
        return new Result(t, monteCarlo(units, t), false);
    }

    /** The null distribution of the sum (keys: the sum in units of {@link #TOLERANCE}), or null when it is too large to enumerate. */
    private static Map<Long, Double> exactDistribution(List<Unit> units) {
        if (units.stream().anyMatch(u -> u.size() > EXACT_RUNS)) {
            return null;
        }
        Map<Long, Double> sum = Map.of(0L, 1.0);
        for (Unit u : units) {
            Map<Long, Double> one = unitDistribution(u);
            Map<Long, Double> next = new HashMap<>();
            for (Map.Entry<Long, Double> a : sum.entrySet()) {
                for (Map.Entry<Long, Double> b : one.entrySet()) {
                    next.merge(a.getKey() + b.getKey(), a.getValue() * b.getValue(), Double::sum);
                }
            }
            if (next.size() > EXACT_SUPPORT) {
                return null;
            }
            sum = next;
        }
        return sum;
    }

    /** One unit's correlation over all n! permutations (Heap's algorithm), each with probability 1/n!. */
    private static Map<Long, Double> unitDistribution(Unit u) {
        int n = u.size();
        int[] perm = identity(n);
        int[] c = new int[n];
        Map<Long, Long> counts = new HashMap<>();
        long total = 0;
        counts.merge(key(u.rho(perm)), 1L, Long::sum);
        total++;
        for (int i = 0; i < n;) {
            if (c[i] < i) {
                swap(perm, i % 2 == 0 ? 0 : c[i], i);
                counts.merge(key(u.rho(perm)), 1L, Long::sum);
                total++;
                c[i]++;
                i = 0;
            } else {
                c[i] = 0;
                i++;
            }
        }
        Map<Long, Double> out = new HashMap<>();
        long all = total;
        counts.forEach((k, v) -> out.put(k, (double) v / all));
        return out;
    }

    private static double monteCarlo(List<Unit> units, double t) {
        SplittableRandom random = new SplittableRandom(SEED);
        int[][] perms = units.stream().map(u -> identity(u.size())).toArray(int[][]::new);
        int hits = 0;
        for (int d = 0; d < DRAWS; d++) {
            double s = 0;
            for (int u = 0; u < units.size(); u++) {
                shuffle(perms[u], random);
                s += units.get(u).rho(perms[u]);
            }
            if (Math.abs(s) >= Math.abs(t) - 2 * units.size() * TOLERANCE) {
                hits++;
            }
        }
        return (1.0 + hits) / (1.0 + DRAWS);
    }

    private static long key(double rho) {
        return Math.round(rho / TOLERANCE);
    }

    private static double[] centred(double[] v) {
        double[] r = new NaturalRanking(TiesStrategy.AVERAGE).rank(v);
        double mean = Arrays.stream(r).average().orElseThrow();
        return Arrays.stream(r).map(x -> x - mean).toArray();
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    /** Fisher-Yates. */
    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            swap(a, i, random.nextInt(i + 1));
        }
    }
}
