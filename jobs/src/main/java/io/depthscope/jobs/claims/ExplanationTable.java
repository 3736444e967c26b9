package io.depthscope.jobs.claims;

import java.util.List;
import java.util.Locale;

/**
 * The cross-explanation table of one study or of several pooled: one entry per explanation that was measured,
 * each its explanation and its claim, the claims Holm-corrected together. The explanation travels with its
 * claim, so the text, the figure and the report's HTML never read a name back out of a sentence.
 */
public record ExplanationTable(List<Entry> entries) {
    /** One row: an explanation and the claim that judges it. */
    public record Entry(Explanations.Explanation explanation, Claim claim) {}

    public ExplanationTable {
        entries = List.copyOf(entries);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public List<Claim> claims() {
        return entries.stream().map(Entry::claim).toList();
    }

    /** How many rows entered Holm's correction (those whose p-value could be computed); 0 for an empty table. */
    public int family() {
        return entries.isEmpty() ? 0 : entries.get(0).claim().family();
    }

    /** The table as a figure: each explanation's signed correlation with its interval. */
    public Figure figure(String title) {
        return Charts.forest(title, "signed Spearman rho with difficulty", claims(),
                entries.stream().map(e -> e.explanation().name()).toList());
    }

    /** One line per explanation: its name, verdict, effect and interval, its permutation p-value raw and Holm-adjusted, seeds and runs, as plain text. */
    public String text() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-34s %-14s %-28s %7s %7s %6s %6s%n", "explanation", "verdict",
                "signed rho [95% CI]", "p", "Holm p", "seeds", "runs"));
        for (Entry entry : entries) {
            Claim c = entry.claim();
            Effect e = c.effect();
            b.append(String.format(Locale.ROOT, "%-34s %-14s %-28s %7s %7s %6d %6d%n", entry.explanation().name(), c.verdict().label(),
                    e.defined() ? Claim.num(e.estimate()) + " [" + Claim.num(e.low()) + ", " + Claim.num(e.high()) + "]" : "-",
                    e.defined() ? Claim.p(c.rawP()) : "-", e.defined() ? Claim.p(c.adjustedP()) : "-", c.seeds(), c.runs()));
        }
        return b.toString();
    }
}
