package io.depthscope.jobs.claims;

import java.util.Locale;

/**
 * A claim from the literature, stated with what it predicts ({@link Hypothesis}: a positive effect, or none
 * beyond a margin), and what one study measured: the effect with its 95% interval, the runs and seeds it
 * rests on, notes (runs left out, units), and its p-value after Holm's correction over the study's claims.
 *
 * @param statement what the claim says, as one sentence without a full stop
 * @param source    where it comes from
 * @param quantity  what the effect measures, with its units
 * @param adjustedP the p-value after Holm's correction over {@code family} claims (the raw p for a family of one)
 * @param family    how many claims the correction counted
 */
public record Claim(String statement, String source, String quantity, Effect effect, long runs, long seeds, String notes, Hypothesis hypothesis,
        double adjustedP, int family) {

    /** A directional claim, judged alone until a report corrects it with the study's other claims. */
    public Claim(String statement, String source, String quantity, Effect effect, long runs, long seeds, String notes) {
        this(statement, source, quantity, effect, runs, seeds, notes, Hypothesis.POSITIVE);
    }

    /** A claim judged alone until a report corrects it with the study's other claims. */
    public Claim(String statement, String source, String quantity, Effect effect, long runs, long seeds, String notes, Hypothesis hypothesis) {
        this(statement, source, quantity, effect, runs, seeds, notes, hypothesis, hypothesis.p(effect), 1);
    }

    /** The p-value of the test that decides this claim, before correction (NaN when the effect is undefined). */
    public double rawP() {
        return hypothesis.p(effect);
    }

    /** This claim judged as one of {@code family} claims, its p-value adjusted to {@code p}. */
    public Claim corrected(double p, int family) {
        return new Claim(statement, source, quantity, effect, runs, seeds, notes, hypothesis, p, family);
    }

    public Verdict verdict() {
        return Verdict.of(effect, hypothesis, adjustedP);
    }

    /** One sentence: the verdict, the claim, the effect with its interval and p-values, and what it rests on. */
    public String sentence() {
        String measured = effect.defined()
                ? String.format(Locale.ROOT, "%s = %s, 95%% CI [%s, %s]%s; p = %s%s", quantity, num(effect.estimate()), num(effect.low()),
                        num(effect.high()), hypothesis.equivalence() ? ", margin -+" + num(hypothesis.margin()) : "", p(rawP()),
                        family > 1 ? ", Holm-adjusted " + p(adjustedP) + " over " + family + " claims" : "")
                : quantity + " cannot be computed: " + effect.missing();
        return String.format(Locale.ROOT, "%s: %s (%s%s; %s; %d runs, %d seeds).", verdict().label(), statement, measured, reading(),
                effect.method(), runs, seeds);
    }

    /** What the interval says when the verdict alone would hide it. */
    private String reading() {
        Verdict v = verdict();
        if (v == Verdict.CONTRADICTED) {
            return hypothesis.equivalence() ? "; the interval lies beyond the margin: an effect, against the claim of none"
                    : "; the interval lies below 0, against the claim";
        }
        if (v == Verdict.NOT_SHOWN && rawP() < Verdict.ALPHA) {
            return "; alone, the raw interval would make it " + Verdict.of(effect, hypothesis, rawP()).label().toLowerCase(Locale.ROOT)
                    + ", but not after Holm's correction";
        }
        if (v == Verdict.NOT_SHOWN && effect.decidedByOtherTest() && (effect.low() > 0 || effect.high() < 0)) {
            return "; the t interval excludes 0, but the test that decides does not reject: a few values per unit leave the t "
                    + "interval's spread too small a sample to trust";
        }
        if (v == Verdict.NOT_SHOWN && hypothesis.equivalence()) {
            return "; the interval reaches past the margin, so no equivalence is shown";
        }
        return "";
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /** A p-value: 2 significant digits, or "< 1e-4". */
    static String p(double v) {
        return v < 1e-4 ? "< 1e-4" : String.format(Locale.ROOT, "%.2g", v);
    }
}
