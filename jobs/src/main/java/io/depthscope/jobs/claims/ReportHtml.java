package io.depthscope.jobs.claims;

import io.depthscope.io.AtomicFiles;
import io.depthscope.util.Provenance;
import java.nio.file.Path;

/** A {@link Report} as one self-contained HTML page (figures inline as base64 PNG), openable without Jupyter. */
public final class ReportHtml {
    private static final String STYLE = "body{font-family:sans-serif;max-width:62em;margin:2em auto;line-height:1.45;color:#222}"
            + "img{max-width:100%}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}"
            + ".v{font-weight:bold;padding:.1em .4em;border-radius:3px}.SUPPORTED,.EQUIVALENT{background:#d7f0d2}"
            + ".CONTRADICTED{background:#f6d5d5}.NOT_SHOWN{background:#f3ecc9}.INCONCLUSIVE{background:#eee}";

    private ReportHtml() {}

    public static void write(Report report, Path target) {
        AtomicFiles.writeString(target, render(report));
    }

    public static String render(Report r) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(esc("Depthscope claims: " + r.study())).append("</title><style>").append(STYLE).append("</style></head><body>\n");
        h.append("<h1>").append(esc("Claims of study " + r.study())).append("</h1>\n<p>Tables: <code>").append(esc(r.dir()))
                .append("</code>; claim set <code>").append(esc(r.claimSet())).append("</code>; report written by depthscope ")
                .append(esc(Provenance.builtFrom())).append(".</p>\n");
        h.append("<h2>How a claim is judged</h2>\n<p>").append(esc(r.rule())).append("</p>\n");
        h.append("<h2>Scale</h2>\n<p>").append(esc(r.scale())).append("</p>\n");
        int i = 1;
        for (Finding f : r.findings()) {
            section(h, i++, f);
        }
        explanations(h, r);
        h.append("<h2>Provenance (from the runs table)</h2>\n<ul>\n");
        r.provenance().lines().forEach(l -> h.append("<li>").append(esc(l)).append("</li>\n"));
        return h.append("</ul>\n</body></html>\n").toString();
    }

    private static void section(StringBuilder h, int i, Finding f) {
        Claim c = f.claim();
        Effect e = c.effect();
        h.append("<h2>Claim ").append(i).append(": ").append(esc(c.statement())).append("</h2>\n");
        h.append("<p><span class=\"v ").append(c.verdict().name()).append("\">").append(esc(c.verdict().label()))
                .append("</span> ").append(esc(c.sentence())).append("</p>\n<table>\n");
        row(h, "source", c.source());
        row(h, "effect", c.quantity());
        row(h, "estimate", e.defined() ? Claim.num(e.estimate()) : "cannot be computed: " + e.missing());
        row(h, "95% CI", e.defined() ? "[" + Claim.num(e.low()) + ", " + Claim.num(e.high()) + "]" : "-");
        row(h, "predicts", c.hypothesis().describe());
        row(h, "p (raw)", e.defined() ? Claim.p(c.rawP()) : "-");
        row(h, "p (Holm)", e.defined() ? Claim.p(c.adjustedP()) + " over " + c.family() + " claim(s)" : "-");
        row(h, "method", e.method());
        row(h, "runs, seeds", c.runs() + ", " + c.seeds());
        row(h, "notes", c.notes());
        h.append("</table>\n<figure><img alt=\"").append(esc(f.figure().caption())).append("\" src=\"").append(f.figure().dataUri())
                .append("\"><figcaption>").append(esc(f.figure().caption())).append("</figcaption></figure>\n");
    }

    /** The cross-explanation table: one row per explanation the study measured, with its figure. */
    private static void explanations(StringBuilder h, Report r) {
        if (r.explanations().isEmpty()) {
            return;
        }
        h.append("<h2>Which explanation predicts training difficulty</h2>\n<p>").append(esc("Each explanation's diagnostic at "
                + "initialisation against the runs' difficulty (ln final training loss, a diverged run hardest): Spearman's correlation "
                + "within each seed, signed so that the explanation's prediction is positive, then its mean across seeds with a 95% t "
                + "interval as a description. The p-value is a permutation test's (each seed's difficulty ranks permuted over its runs: "
                + "exact up to 8 runs a seed, else 19,999 seeded draws), since a correlation of a few runs takes a few values and "
                + "seeds that agree by chance leave the t interval no width; verdicts by the rule above, Holm-corrected over these rows.")).append("</p>\n<table>\n<tr><th>explanation"
                + "</th><th>diagnostic</th><th>verdict</th><th>signed rho</th><th>95% CI</th><th>p (Holm)</th><th>seeds, runs</th></tr>\n");
        for (ExplanationTable.Entry entry : r.explanations().entries()) {
            Claim c = entry.claim();
            Explanations.Explanation e = entry.explanation();
            Effect f = c.effect();
            h.append("<tr><td>").append(esc(e.name() + " (" + e.source() + ")")).append("</td><td>").append(esc(e.diagnostic()))
                    .append("</td><td><span class=\"v ").append(c.verdict().name()).append("\">").append(esc(c.verdict().label()))
                    .append("</span></td><td>").append(f.defined() ? Claim.num(f.estimate()) : "-").append("</td><td>")
                    .append(f.defined() ? "[" + Claim.num(f.low()) + ", " + Claim.num(f.high()) + "]" : esc(f.missing())).append("</td><td>")
                    .append(f.defined() ? esc(Claim.p(c.adjustedP())) : "-").append("</td><td>").append(c.seeds()).append(", ").append(c.runs())
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
        Figure fig = r.explanationsFigure();
        h.append("<figure><img alt=\"").append(esc(fig.caption())).append("\" src=\"").append(fig.dataUri()).append("\"><figcaption>")
                .append(esc(fig.caption())).append("</figcaption></figure>\n");
    }

    private static void row(StringBuilder h, String name, String value) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
