package io.depthscope.jobs.claims;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Holm's step-down correction (Holm 1979), which holds the chance of any wrong verdict among a study's claims
 * at 5% without assuming the claims independent: the i-th smallest of m p-values is multiplied by m - i + 1,
 * and the adjusted values are made non-decreasing in that order and capped at 1.
 */
public final class Holm {
    private Holm() {}

    /** The adjusted p-values, in the input's order; NaN (a claim that cannot be computed) stays NaN and is not counted in m. */
    public static double[] adjust(double[] p) {
        Integer[] order = IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i])).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        int m = order.length;
        double[] out = new double[p.length];
        Arrays.fill(out, Double.NaN);
        double running = 0;
        for (int rank = 0; rank < m; rank++) {
            running = Math.max(running, Math.min(1, (m - rank) * p[order[rank]]));
            out[order[rank]] = running;
        }
        return out;
    }

    /** How many p-values enter the correction (those that are not NaN). */
    public static int family(double[] p) {
        return (int) Arrays.stream(p).filter(v -> !Double.isNaN(v)).count();
    }

    /** The claims as one family: each with its p-value adjusted over all of them, in the input's order. */
    public static List<Claim> correct(List<Claim> claims) {
        double[] raw = claims.stream().mapToDouble(Claim::rawP).toArray();
        double[] adjusted = adjust(raw);
        int m = family(raw);
        List<Claim> out = new ArrayList<>();
        for (int i = 0; i < claims.size(); i++) {
            out.add(claims.get(i).corrected(adjusted[i], m));
        }
        return out;
    }
}
