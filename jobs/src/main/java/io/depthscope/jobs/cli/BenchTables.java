package io.depthscope.jobs.cli;

import io.depthscope.bench.Benchmarks;
import io.depthscope.bench.EstimatorCostBench;
import io.depthscope.bench.PerExampleBench;
import io.depthscope.bench.TrainingStepBench;
import io.depthscope.io.Json;
import io.depthscope.util.Dtypes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code depthscope bench}'s tables and JSON records: per dtype, the gradient and Hv timings, the
 * diagnostics' cost against one gradient, the estimators' cost in Hessian-vector products, and the
 * training step against a bare forward and backward pass.
 */
final class BenchTables {
    /** Issue 5: per-example gradients for a batch, passes included, cost at most this many batch gradients. */
    static final double GRAM_GOAL = 3.0;

    /** One dtype's results; {@code gram} and {@code estimators} are null when the cost benchmarks were skipped. */
    record Row(Benchmarks.Result products, PerExampleBench.Result gram, EstimatorCostBench.Result estimators) {}

    private BenchTables() {}

    static String products(List<Row> rows) {
        StringBuilder s = new StringBuilder();
        if (!rows.isEmpty()) {
            Benchmarks.Result first = rows.get(0).products();
            Benchmarks.Config c = first.config();
            s.append(String.format(Locale.ROOT, "mlp in=%d width=%d depth=%d out=%d batch=%d %s mse, P=%d; median of %d calls after %d warm-up%n",
                    c.inputDim(), c.width(), c.depth(), c.outputDim(), c.batch(), c.activation(), first.paramCount(),
                    c.repetitions(), c.warmup()));
        }
        s.append(String.format(Locale.ROOT, "%-8s %12s %12s %9s %14s %14s %16s%n",
                "dtype", "gradient ms", "Hv ms", "Hv/grad", "grad GEMM ms", "Hv GEMM ms", "best grad/Hv ms"));
        for (Row row : rows) {
            Benchmarks.Result r = row.products();
            s.append(String.format(Locale.ROOT, "%-8s %12.3f %12.3f %9.2f %9.3f (%2d) %9.3f (%2d) %7.3f/%.3f%n",
                    Dtypes.name(r.config().dtype()), 1e3 * r.gradientSeconds(), 1e3 * r.hvpSeconds(), r.ratio(),
                    1e3 * r.gemmGradientSeconds(), r.gemmsPerGradient(), 1e3 * r.gemmHvpSeconds(), r.gemmsPerHvp(),
                    1e3 * r.gradientBestSeconds(), 1e3 * r.hvpBestSeconds()));
        }
        return s.toString();
    }

    /** The Grams against one gradient and the estimators in Hv units; empty when they were skipped. */
    static String costs(List<Row> rows, int repetitions) {
        if (rows.isEmpty() || rows.get(0).gram() == null) {
            return "";
        }
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%ndiagnostics from scratch, in batch gradients: (gradient + Gram) / gradient; median of %d calls after 1 warm-up%n",
                repetitions));
        s.append(String.format(Locale.ROOT, "%-8s %12s %22s %12s %12s %12s%n",
                "dtype", "gradient ms", "per-example Gram ms", "Gram/grad", "NTK Gram ms", "NTK/grad"));
        for (Row row : rows) {
            PerExampleBench.Result g = row.gram();
            s.append(String.format(Locale.ROOT, "%-8s %12.3f %22.3f %12.2f %12.3f %12.2f   Gram goal <= %.0f: %s%n",
                    Dtypes.name(g.config().dtype()), 1e3 * g.gradientSeconds(), 1e3 * g.gramSeconds(), g.gramRatio(),
                    1e3 * g.ntkSeconds(), g.ntkRatio(), GRAM_GOAL, g.gramRatio() <= GRAM_GOAL ? "met" : "not met"));
        }
        EstimatorCostBench.Result e0 = rows.get(0).estimators();
        s.append(String.format(Locale.ROOT, "%nestimators in Hessian-vector products (a whole run / one Hv): Hutchinson, %d probes "
                + "(designed %d); Lanczos, %d steps (designed %d)%n", e0.probes(), 2 * e0.probes(), e0.steps(), e0.steps()));
        s.append(String.format(Locale.ROOT, "%-8s %12s %14s %14s %12s %12s%n",
                "dtype", "Hv ms", "Hutchinson ms", "Hutchinson/Hv", "Lanczos ms", "Lanczos/Hv"));
        for (Row row : rows) {
            EstimatorCostBench.Result e = row.estimators();
            s.append(String.format(Locale.ROOT, "%-8s %12.3f %14.3f %14.1f %12.3f %12.1f%n",
                    Dtypes.name(row.products().config().dtype()), 1e3 * e.hvSeconds(), 1e3 * e.hutchinsonSeconds(),
                    e.hutchinsonHvs(), 1e3 * e.lanczosSeconds(), e.lanczosHvs()));
        }
        return s.toString();
    }

    static String steps(List<TrainingStepBench.Result> steps) {
        TrainingStepBench.Result first = steps.get(0);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%ntraining step: mlp in=%d width=%d depth=%d out=10 relu cross_entropy, batch %d, momentum SGD, P=%d%n",
                first.inputDim(), first.width(), first.depth(), first.batch(), first.paramCount()));
        s.append(String.format(Locale.ROOT, "%-8s %18s %12s %14s %10s%n", "dtype", "forward+backward ms", "step ms", "step/(f+b)", "steps/s"));
        for (TrainingStepBench.Result t : steps) {
            s.append(String.format(Locale.ROOT, "%-8s %18.3f %12.3f %14.2f %10.1f%n", Dtypes.name(t.dtype()), 1e3 * t.forwardBackwardSeconds(),
                    1e3 * t.stepSeconds(), t.overhead(), t.stepsPerSecond()));
        }
        return s.toString();
    }

    /** One JSON record per dtype, in the order given. */
    static List<Map<String, Object>> json(List<Row> rows) {
        return rows.stream().map(BenchTables::record).toList();
    }

    private static Map<String, Object> record(Row row) {
        Benchmarks.Result r = row.products();
        Benchmarks.Config c = r.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", "mlp");
        m.put("input_dim", c.inputDim());
        m.put("width", c.width());
        m.put("depth", c.depth());
        m.put("output_dim", c.outputDim());
        m.put("batch", c.batch());
        m.put("activation", c.activation());
        m.put("loss", "mse");
        m.put("dtype", Dtypes.name(c.dtype()));
        m.put("param_count", r.paramCount());
        m.put("warmup", c.warmup());
        m.put("repetitions", c.repetitions());
        m.put("gradient_seconds", r.gradientSeconds());
        m.put("hvp_seconds", r.hvpSeconds());
        m.put("ratio", r.ratio());
        m.put("gradient_best_seconds", r.gradientBestSeconds());
        m.put("hvp_best_seconds", r.hvpBestSeconds());
        m.put("gemm_gradient_seconds", r.gemmGradientSeconds());
        m.put("gemm_hvp_seconds", r.gemmHvpSeconds());
        m.put("gemms_per_gradient", r.gemmsPerGradient());
        m.put("gemms_per_hvp", r.gemmsPerHvp());
        if (row.gram() != null) {
            PerExampleBench.Result g = row.gram();
            m.put("cost_repetitions", g.config().repetitions());
            m.put("diagnostics_gradient_seconds", g.gradientSeconds());
            m.put("per_example_gram_seconds", g.gramSeconds());
            m.put("per_example_gram_ratio", g.gramRatio());
            m.put("per_example_gram_ratio_goal", GRAM_GOAL);
            m.put("ntk_gram_seconds", g.ntkSeconds());
            m.put("ntk_gram_ratio", g.ntkRatio());
            EstimatorCostBench.Result e = row.estimators();
            m.put("hv_unit_seconds", e.hvSeconds());
            m.put("hutchinson_probes", e.probes());
            m.put("hutchinson_seconds", e.hutchinsonSeconds());
            m.put("hutchinson_hvs", e.hutchinsonHvs());
            m.put("lanczos_steps", e.steps());
            m.put("lanczos_seconds", e.lanczosSeconds());
            m.put("lanczos_hvs", e.lanczosHvs());
        }
        m.replaceAll((k, v) -> v instanceof Double d ? Json.finiteOrNull(d) : v);
        return m;
    }
}
