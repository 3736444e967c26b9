package io.depthscope.jobs.claims;


/** What a measurement says about a claim, by one rule fixed before looking at any data ({@link #RULE}). */
public enum Verdict {
    SUPPORTED("Supported"),
    NOT_SUPPORTED("Not supported"),
    INCONCLUSIVE("Inconclusive");

    public static final String RULE = "Every claim is stated so that it predicts a positive effect. Supported: the effect's "
            + "95% confidence interval lies entirely above 0. Not supported: the interval reaches 0, or lies below it (then "
            + "the measurement points the other way). Inconclusive: the effect or its interval cannot be computed from these "
            + "runs (too few runs, seeds or depths). No threshold other than 0 is used, and none depends on the data.";

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Verdict of(Effect effect) {
        if (!effect.defined()) {
            return INCONCLUSIVE;
        }
        return effect.low() > 0 ? SUPPORTED : NOT_SUPPORTED;
    }
}
