package io.depthscope.jobs.claims;

import java.util.Locale;

/**
 * What a claim predicts, fixed with the claim before any data are seen: a positive effect ({@link #POSITIVE}),
 * or no effect beyond a stated margin ({@link #within}), which only an equivalence test can support.
 *
 * @param margin the equivalence margin (> 0), or 0 for a directional claim
 * @param why    where the margin comes from, for the report (null for a directional claim)
 */
public record Hypothesis(double margin, String why) {
    public static final Hypothesis POSITIVE = new Hypothesis(0, null);

    public Hypothesis {
        if (margin < 0 || !Double.isFinite(margin) || (margin > 0) != (why != null)) {
            throw new IllegalArgumentException("margin: " + margin + "; allowed: 0 for a directional claim, or > 0 with its reason");
        }
    }

    /** No effect: |effect| < margin. */
    public static Hypothesis within(double margin, String why) {
        return new Hypothesis(margin, why);
    }

    public boolean equivalence() {
        return margin > 0;
    }

    /**
     * The p-value of the test that decides the claim either way, the one Holm's correction takes: for a
     * directional claim the two-sided test of 0; for an equivalence claim the smaller of the equivalence test
     * (TOST) and the test that the effect lies beyond the margin (the two cannot both reject).
     */
    public double p(Effect e) {
        return equivalence() ? Math.min(e.pEquivalent(margin), e.pBeyond(margin)) : e.pTwoSided();
    }

    /** For an equivalence claim, whether its p-value is the equivalence test's (rather than the beyond-margin test's). */
    boolean pointsToEquivalence(Effect e) {
        return e.pEquivalent(margin) <= e.pBeyond(margin);
    }

    /** How the claim is tested, in a few words. */
    public String describe() {
        return equivalence() ? String.format(Locale.ROOT, "no effect: equivalence within -+%s (%s)", Claim.num(margin), why)
                : "a positive effect";
    }
}
