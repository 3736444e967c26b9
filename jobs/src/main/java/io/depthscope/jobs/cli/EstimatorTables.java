package io.depthscope.jobs.cli;

import io.depthscope.bench.Benchmarks;
import io.depthscope.bench.EstimatorAgreement;
import io.depthscope.bench.EstimatorComparison;
import io.depthscope.bench.EstimatorComparison.Estimator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code bench}'s table and JSON fields of the whole estimators against PyTorch's ({@link TorchEstimators}). */
final class EstimatorTables {
    private EstimatorTables() {}

    /** The JSON field stem of each estimator. */
    static String stem(Estimator e) {
        return switch (e) {
            case HUTCHINSON -> "hutchinson";
            case TOP_EIGENVALUE -> "top_eigenvalue";
            case DENSITY -> "density";
        };
    }

    static String describe(Estimator e, EstimatorComparison.Sizes s) {
        return switch (e) {
            case HUTCHINSON -> String.format(Locale.ROOT, "Hutchinson, %d probes (%d Hv)", s.probes(), 2 * s.probes());
            case TOP_EIGENVALUE -> String.format(Locale.ROOT, "top eigenvalue, %d steps (%d Hv)", s.lanczosSteps(), s.lanczosSteps());
            case DENSITY -> String.format(Locale.ROOT, "density, %d x %d steps (%d Hv)", s.slqRuns(), s.slqSteps(), s.slqRuns() * s.slqSteps());
        };
    }

    /** One dtype's outcomes, with the dtype of each. */
    record Entry(String dtype, TorchEstimators.Outcome outcome) {}

    static String table(List<Entry> entries, String framework) {
        if (entries.isEmpty()) {
            return "";
        }
        EstimatorComparison.Sizes s = entries.get(0).outcome().ours().sizes();
        boolean torch = !entries.get(0).outcome().torchSeconds().isEmpty();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%nwhole estimators (the point bound, then the estimator)%s; median of %d calls after 1 warm-up%n",
                torch ? " in turns with PyHessian's over torch's Hv (tools/torch_estimators.py: " + framework + ")" : "",
                s.repetitions()));
        b.append(String.format(Locale.ROOT, "%-8s %-36s %9s %22s %13s %22s %10s%n", "dtype", "estimator", "ours s",
                torch ? "PyTorch, same work s" : "", torch ? "ours/PyTorch" : "", torch ? "PyHessian's own s" : "", torch ? "ours/that" : ""));
        for (Entry entry : entries) {
            TorchEstimators.Outcome o = entry.outcome();
            for (Estimator e : Estimator.values()) {
                double ours = o.ours().seconds(e);
                b.append(String.format(Locale.ROOT, "%-8s %-36s %9.3f", entry.dtype(), describe(e, s), ours));
                if (torch) {
                    List<String> names = TorchEstimators.COUNTERPARTS.get(e);
                    double same = Benchmarks.median(o.torchSeconds().get(names.get(0)));
                    b.append(String.format(Locale.ROOT, " %14s %7.3f %13.2f", names.get(0), same, ours / same));
                    if (names.size() > 1) {
                        double own = Benchmarks.median(o.torchSeconds().get(names.get(1)));
                        b.append(String.format(Locale.ROOT, " %14s %7.3f %10.2f", names.get(1) + ownHvs(e, s), own, ours / own));
                    }
                }
                b.append(System.lineSeparator());
            }
        }
        for (Entry entry : entries) {
            List<EstimatorAgreement.Check> checks = entry.outcome().checks();
            if (checks.isEmpty()) {
                continue;
            }
            double worst = checks.stream().mapToDouble(EstimatorAgreement.Check::scaledDifference).max().orElse(0);
            b.append(String.format(Locale.ROOT, "agreement, %s (PyTorch from our weights, batch and start vectors; scaled difference, tolerance %.0e): "
                    + "worst %.1e, %s%n", entry.dtype(), checks.get(0).tolerance(), worst, entry.outcome().agrees() ? "agree" : "DISAGREE"));
            for (EstimatorAgreement.Check c : checks) {
                if (!c.ok()) {
                    b.append(String.format(Locale.ROOT, "  DISAGREE %s: ours %.9g, PyTorch %.9g, scaled difference %.1e%n",
                            c.what(), c.ours(), c.theirs(), c.scaledDifference()));
                }
            }
        }
        return b.toString();
    }

    /** PyHessian's own counterpart's products, where they differ from ours: its trace takes one Hv per probe. */
    private static String ownHvs(Estimator e, EstimatorComparison.Sizes s) {
        return e == Estimator.HUTCHINSON ? String.format(Locale.ROOT, " (%d Hv)", s.probes()) : "";
    }

    /** The fields of one dtype's JSON record. */
    static void put(Map<String, Object> m, TorchEstimators.Outcome o) {
        EstimatorComparison.Sizes s = o.ours().sizes();
        m.put("estimator_repetitions", s.repetitions());
        m.put("estimator_probes", s.probes());
        m.put("estimator_lanczos_steps", s.lanczosSteps());
        m.put("estimator_slq_runs", s.slqRuns());
        m.put("estimator_slq_steps", s.slqSteps());
        for (Estimator e : Estimator.values()) {
            String stem = "whole_" + stem(e);
            double ours = o.ours().seconds(e);
            m.put(stem + "_seconds", ours);
            for (String name : o.torchSeconds().isEmpty() ? List.<String>of() : TorchEstimators.COUNTERPARTS.get(e)) {
                double t = Benchmarks.median(o.torchSeconds().get(name));
                m.put(stem + "_torch_" + name + "_seconds", t);
                m.put(stem + "_over_torch_" + name, ours / t);
            }
        }
        if (!o.checks().isEmpty()) {
            m.put("torch_agrees", o.agrees());
            m.put("torch_agreement_tolerance", o.checks().get(0).tolerance());
            m.put("torch_agreement_worst", o.checks().stream().mapToDouble(EstimatorAgreement.Check::scaledDifference).max().orElse(0));
            m.put("torch_agreement", o.checks().stream().map(c -> Map.of("what", c.what(), "ours", c.ours(), "torch", c.theirs(),
                    "scaled_difference", c.scaledDifference(), "ok", c.ok())).toList());
        }
    }
}
