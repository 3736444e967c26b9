package io.depthscope.jobs.claims;

import java.util.Locale;

/**
 * A claim from the literature, stated so that it predicts a positive {@code effect}, and what one study
 * measured: the effect with its 95% interval, the runs and seeds it rests on, and notes (runs left out,
 * units).
 *
 * @param statement what the claim says, as one sentence without a full stop
 * @param source    where it comes from
 * @param quantity  what the effect measures, with its units
 */
public record Claim(String statement, String source, String quantity, Effect effect, long runs, long seeds, String notes) {

    public Verdict verdict() {
        return Verdict.of(effect);
    }

    /** One sentence: the verdict, the claim, the effect with its interval, and what it rests on. */
    public String sentence() {
        String measured = effect.defined()
                ? String.format(Locale.ROOT, "%s = %s, 95%% CI [%s, %s]", quantity, num(effect.estimate()), num(effect.low()),
                        num(effect.high()))
                : quantity + " cannot be computed: " + effect.missing();
        String against = verdict() == Verdict.NOT_SUPPORTED && effect.high() < 0 ? "; the interval lies below 0, against the claim" : "";
        return String.format(Locale.ROOT, "%s: %s (%s%s; %s; %d runs, %d seeds).", verdict().label(), statement, measured, against,
                effect.method(), runs, seeds);
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
