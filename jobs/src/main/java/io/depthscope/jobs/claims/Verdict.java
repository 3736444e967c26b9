package io.depthscope.jobs.claims;


/** What a measurement says about a claim, by one rule fixed before looking at any data ({@link #RULE}). */
public enum Verdict {
    SUPPORTED("Supported"),
    EQUIVALENT("Equivalent"),
    CONTRADICTED("Contradicted"),
    NOT_SHOWN("Not shown"),
    INCONCLUSIVE("Inconclusive");

    /** The level of every test, after Holm's correction. */
    public static final double ALPHA = 0.05;

    public static final String RULE = "The seed is the unit of replication: each claim's effect is computed per seed (a per-seed "
            + "slope, a per-seed value, or a difference between arms paired by seed, since arms that share a seed share their initial "
            + "weights and data) and its 95% Student-t interval is taken across seeds. A claim predicts either a positive effect or "
            + "no effect within a margin stated with the claim. Each claim's p-value is corrected for the number of claims of the "
            + "study by Holm's method, and the verdict is read from the corrected value at 5%. Supported: the effect is positive (the "
            + "interval lies above 0). Equivalent (claims of no effect): the interval lies inside the margin (two one-sided tests). "
            + "Contradicted: the interval lies below 0, or, for a claim of no effect, beyond the margin. Not shown: neither, so the "
            + "runs give no evidence either way; this is not evidence against the claim. Inconclusive: the effect cannot be "
            + "computed from these runs (too few seeds, depths or values). The raw interval and p-value are reported beside the "
            + "corrected one. No threshold other than 0 and the stated margins is used, and none depends on the data.";

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The verdict on an effect tested as {@code hypothesis}, from its p-value after correction ({@code adjustedP}). */
    public static Verdict of(Effect effect, Hypothesis hypothesis, double adjustedP) {
        if (!effect.defined() || Double.isNaN(adjustedP)) {
            return INCONCLUSIVE;
        }
        if (adjustedP >= ALPHA) {
            return NOT_SHOWN;
        }
        if (hypothesis.equivalence()) {
            return hypothesis.pointsToEquivalence(effect) ? EQUIVALENT : CONTRADICTED;
        }
        return effect.estimate() > 0 ? SUPPORTED : CONTRADICTED;
    }

    /** The verdict of a directional claim alone (a family of one). */
    public static Verdict of(Effect effect) {
        return of(effect, Hypothesis.POSITIVE, effect.pTwoSided());
    }
}
