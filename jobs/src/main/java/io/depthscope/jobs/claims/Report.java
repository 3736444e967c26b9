package io.depthscope.jobs.claims;

import java.util.ArrayList;
import java.util.List;

/**
 * The claims report of one study dir: each claim as measured with its figure, its verdict after Holm's
 * correction over the study's claims, the rule that judged them, the scale against the papers', and the
 * runs' provenance. The notebooks and {@code depthscope report} both build it here, so both say the same thing.
 */
public record Report(String study, String dir, String claimSet, String scale, StudyProvenance provenance, List<Finding> findings,
        ExplanationTable explanations) {

    public static Report of(StudyTables tables) {
        String study = tables.study();
        ClaimSet set = ClaimSets.forStudy(study);
        return new Report(study, tables.dir(), set.name(), set.scale(tables), tables.provenance(), corrected(set.findings(tables)),
                Explanations.of(tables));
    }

    /** The explanations' table as a figure (null when the study measured none of them). */
    public Figure explanationsFigure() {
        return explanations.isEmpty() ? null : explanations.figure("Which explanation predicts training difficulty: " + study);
    }

    /** The claims' sentences alone, as {@link #of} states them, without the figures' and the explanations' cost. */
    public static List<String> sentences(StudyTables tables) {
        List<String> out = new ArrayList<>();
        corrected(ClaimSets.forStudy(tables.study()).findings(tables)).forEach(f -> out.add(f.claim().sentence()));
        return out;
    }

    /** The findings with each claim's p-value adjusted by Holm over all of them (a study's claims are one family). */
    public static List<Finding> corrected(List<Finding> findings) {
        List<Claim> claims = Holm.correct(findings.stream().map(Finding::claim).toList());
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < findings.size(); i++) {
            out.add(new Finding(claims.get(i), findings.get(i).figure()));
        }
        return out;
    }

    public String rule() {
        return Verdict.RULE;
    }

    /** The claims, one sentence each. */
    public List<String> sentences() {
        List<String> out = new ArrayList<>();
        findings.forEach(f -> out.add(f.claim().sentence()));
        return out;
    }

    /** Plain text: the study, the rule, and one line per claim. */
    public String text() {
        StringBuilder b = new StringBuilder("Claims of study " + study + " (" + dir + "), claim set " + claimSet + ".\n");
        b.append("Rule: ").append(rule()).append("\n");
        sentences().forEach(s -> b.append("- ").append(s).append("\n"));
        if (!explanations.isEmpty()) {
            b.append("Which explanation predicts training difficulty (diagnostics at initialisation; Holm over the ")
                    .append(explanations.family()).append(" that can be computed):\n").append(explanations.text());
        }
        return b.toString();
    }
}
