package io.depthscope.jobs.cli;

import io.depthscope.bench.Benchmarks;
import io.depthscope.bench.BlockBench;
import io.depthscope.bench.CnnBench;
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

    /** Issue 14: an Hv of ResNet-20 costs at most this many gradients. */
    static final double CNN_RATIO_GOAL = 2.0;
    /** Issue 14: our ResNet-20 Hv against PyTorch's through a cached graph. */
    static final double CNN_TORCH_GOAL = 1.0;

    /**
     * One dtype's results; {@code gram} and {@code estimators} are null when the cost benchmarks were skipped,
     * {@code block} when the block product was, {@code torch} when PyTorch did not run beside us.
     */
    record Row(Benchmarks.Result products, PerExampleBench.Result gram, EstimatorCostBench.Result estimators,
               BlockBench.Result block, Torch torch, TorchEstimators.Outcome whole) {
        Row(Benchmarks.Result products, PerExampleBench.Result gram, EstimatorCostBench.Result estimators) {
            this(products, gram, estimators, null, null, null);
        }

        Row withCosts(PerExampleBench.Result g, EstimatorCostBench.Result e) {
            return new Row(products, g, e, block, torch, whole);
        }

        Row withBlock(BlockBench.Result b) {
            return new Row(products, gram, estimators, b, torch, whole);
        }

        /** The whole estimators, timed against PyTorch's when it ran. */
        Row withWhole(TorchEstimators.Outcome w) {
            return new Row(products, gram, estimators, block, torch, w);
        }
    }

    /** PyTorch's medians and minima (seconds) over the calls it made in turns with ours; {@code framework} says what it ran on. */
    record Torch(String framework, int calls, double gradient, double hvCached, double hvFull,
                 double gradientBest, double hvCachedBest, double hvFullBest) {
        static Torch of(String framework, TorchPeer.Times t) {
            double[] g = t.gradient.stream().mapToDouble(Double::doubleValue).toArray();
            double[] c = t.hvCached.stream().mapToDouble(Double::doubleValue).toArray();
            double[] f = t.hvFull.stream().mapToDouble(Double::doubleValue).toArray();
            return new Torch(framework, g.length, median(g), median(c), median(f), min(g), min(c), min(f));
        }

        private static double median(double[] x) {
            double[] s = x.clone();
            java.util.Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
        }

        private static double min(double[] x) {
            return java.util.Arrays.stream(x).min().orElse(Double.NaN);
        }
    }

    /** The ResNet-20 case, with PyTorch's figures when it ran beside us. */
    record Cnn(CnnBench.Result ours, Torch torch) {}

    private BenchTables() {}

    /**
     * How libnd4j's OpenMP threads wait between operations in this JVM, and whether malloc asks for huge pages (for both
     * engines: the peer inherits the environment): the timings depend on both (README: Speed).
     */
    static String openMp() {
        Map<String, String> env = System.getenv();
        return "OpenMP threads: OMP_WAIT_POLICY=" + env.getOrDefault("OMP_WAIT_POLICY", "(unset)") + ", GOMP_SPINCOUNT="
                + env.getOrDefault("GOMP_SPINCOUNT", "(unset)") + "; malloc: GLIBC_TUNABLES=" + env.getOrDefault("GLIBC_TUNABLES", "(unset)")
                + " (the PyTorch peer inherits it)";
    }

    static String products(List<Row> rows) {
        StringBuilder s = new StringBuilder();
        if (!rows.isEmpty()) {
            Benchmarks.Result first = rows.get(0).products();
            Benchmarks.Config c = first.config();
            s.append(String.format(Locale.ROOT, "mlp in=%d width=%d depth=%d out=%d batch=%d %s mse, P=%d; median of %d calls after %d warm-up%n",
                    c.inputDim(), c.width(), c.depth(), c.outputDim(), c.batch(), c.activation(), first.paramCount(),
                    c.repetitions(), c.warmup()));
            s.append(openMp()).append('\n');
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

    /** PyTorch's products on the same mlp, and ours against them; empty when PyTorch did not run. */
    static String torchProducts(List<Row> rows, int roundSize) {
        if (rows.isEmpty() || rows.get(0).torch() == null) {
            return "";
        }
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%nPyTorch on the same mlp, batch and loss, in turns with the calls above (rounds of %d): %s%n",
                roundSize, rows.get(0).torch().framework()));
        s.append(String.format(Locale.ROOT, "%-8s %12s %14s %15s %22s %14s %16s%n", "dtype", "gradient ms", "Hv cached ms",
                "Hv rebuilt ms", "best grad/cached ms", "ours/PyTorch grad", "ours/PyTorch Hv"));
        for (Row row : rows) {
            Torch t = row.torch();
            Benchmarks.Result r = row.products();
            if (t == null) {
                continue;
            }
            s.append(String.format(Locale.ROOT, "%-8s %12.3f %14.3f %15.3f %11.3f/%-10.3f %14.2f %16.2f%n",
                    Dtypes.name(r.config().dtype()), 1e3 * t.gradient(), 1e3 * t.hvCached(), 1e3 * t.hvFull(),
                    1e3 * t.gradientBest(), 1e3 * t.hvCachedBest(), r.gradientSeconds() / t.gradient(), r.hvpSeconds() / t.hvCached()));
        }
        return s.toString();
    }

    /** The block product per direction against one Hv; empty when it was skipped. */
    static String blocks(List<Row> rows) {
        if (rows.isEmpty() || rows.get(0).block() == null) {
            return "";
        }
        int k = rows.get(0).block().k();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%nblock product: hvpBlock on %d directions against one Hv, alternating, same point; per direction = (block / %d) / Hv; "
                + "median of %d pairs after %s untimed (--jit-warmup)%n", k, k, rows.get(0).block().repetitions(),
                rows.stream().map(r -> Integer.toString(r.block().warmUpPairs())).collect(java.util.stream.Collectors.joining("/"))));
        s.append(String.format(Locale.ROOT, "%-8s %12s %14s %14s %16s%n", "dtype", "Hv ms", "block ms", "per direction", "best Hv/block ms"));
        for (Row row : rows) {
            BlockBench.Result b = row.block();
            s.append(String.format(Locale.ROOT, "%-8s %12.3f %14.3f %14.2f %9.3f/%.3f   goal <= %.1f: %s%n",
                    Dtypes.name(row.products().config().dtype()), 1e3 * b.hvSeconds(), 1e3 * b.blockSeconds(), b.perDirection(),
                    1e3 * b.hvBestSeconds(), 1e3 * b.blockBestSeconds(), BlockBench.GOAL, b.perDirection() <= BlockBench.GOAL ? "met" : "not met"));
        }
        s.append(String.format(Locale.ROOT, "the matrix products alone (each timed on its own, without the block's copies between layouts), "
                + "per direction over one Hv: the %d directions' products with W as one over their stacked rows, the four with V, R{a} or R{dz} "
                + "as one each over all %d%n", k, k));
        s.append(String.format(Locale.ROOT, "%-8s %16s %16s %22s%n", "dtype", "one Hv's ms", "block's ms", "block's per direction"));
        for (Row row : rows) {
            BlockBench.Result b = row.block();
            s.append(String.format(Locale.ROOT, "%-8s %16.3f %16.3f %22.2f%n", Dtypes.name(row.products().config().dtype()),
                    1e3 * b.floors().singleSeconds(), 1e3 * b.floors().blockSeconds(), b.gemmPerDirection()));
        }
        return s.toString();
    }

    static String cnn(Cnn cnn) {
        CnnBench.Result r = cnn.ours();
        CnnBench.Config c = r.config();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%nResNet-%d: resnet width=%d (filters %d/%d/%d, shortcut A), BatchNorm in train mode, batch %d of Gaussian 3x32x32 images, "
                + "10 classes, cross_entropy, %s, P=%d; median of %d calls after %d warm-up%s%n",
                c.depth(), c.width(), c.width(), 2 * c.width(), 4 * c.width(), c.batch(), Dtypes.name(c.dtype()), r.paramCount(),
                c.repetitions(), c.warmup(), cnn.torch() == null ? "" : ", each followed by PyTorch's"));
        s.append(String.format(Locale.ROOT, "%-11s %12s %12s %9s %18s%n", "engine", "gradient ms", "Hv ms", "Hv/grad", "best grad/Hv ms"));
        s.append(String.format(Locale.ROOT, "%-11s %12.1f %12.1f %9.2f %8.1f/%-9.1f   goal <= %.0f: %s%n", "depthscope",
                1e3 * r.gradientMedian(), 1e3 * r.hvpMedian(), r.ratio(), 1e3 * r.gradientBest(), 1e3 * r.hvpBest(),
                CNN_RATIO_GOAL, r.ratio() <= CNN_RATIO_GOAL ? "met" : "not met"));
        Torch t = cnn.torch();
        if (t != null) {
            s.append(String.format(Locale.ROOT, "%-11s %12.1f %12.1f %9.2f %8.1f/%-9.1f   (Hv through the gradient's graph built once)%n",
                    "pytorch", 1e3 * t.gradient(), 1e3 * t.hvCached(), t.hvCached() / t.gradient(), 1e3 * t.gradientBest(), 1e3 * t.hvCachedBest()));
            s.append(String.format(Locale.ROOT, "%-11s %12s %12.1f %9.2f %8s/%-9.1f   (Hv with the graph rebuilt each time)%n",
                    "pytorch", "", 1e3 * t.hvFull(), t.hvFull() / t.gradient(), "", 1e3 * t.hvFullBest()));
            double hv = r.hvpMedian() / t.hvCached();
            s.append(String.format(Locale.ROOT, "depthscope / PyTorch: Hv (cached graph) %.2f, goal <= %.1f: %s; Hv (rebuilt) %.2f; gradient %.2f; "
                    + "minima: Hv %.2f, gradient %.2f%n", hv, CNN_TORCH_GOAL, hv <= CNN_TORCH_GOAL ? "met" : "not met",
                    r.hvpMedian() / t.hvFull(), r.gradientMedian() / t.gradient(), r.hvpBest() / t.hvCachedBest(), r.gradientBest() / t.gradientBest()));
            s.append("PyTorch: ").append(t.framework()).append(System.lineSeparator());
        }
        return s.toString();
    }

    static Map<String, Object> cnnRecord(Cnn cnn) {
        CnnBench.Result r = cnn.ours();
        CnnBench.Config c = r.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", "resnet");
        m.put("depth", c.depth());
        m.put("width", c.width());
        m.put("input_shape", CnnBench.INPUT_SHAPE);
        m.put("output_dim", CnnBench.CLASSES);
        m.put("batch_norm", "train");
        m.put("shortcut", "A");
        m.put("batch", c.batch());
        m.put("loss", "cross_entropy");
        m.put("dtype", Dtypes.name(c.dtype()));
        m.put("param_count", r.paramCount());
        m.put("warmup", c.warmup());
        m.put("repetitions", c.repetitions());
        m.put("gradient_seconds", r.gradientMedian());
        m.put("hvp_seconds", r.hvpMedian());
        m.put("ratio", r.ratio());
        m.put("ratio_goal", CNN_RATIO_GOAL);
        m.put("gradient_best_seconds", r.gradientBest());
        m.put("hvp_best_seconds", r.hvpBest());
        putTorch(m, cnn.torch(), r.gradientMedian(), r.hvpMedian());
        if (cnn.torch() != null) {
            m.put("torch_hvp_ratio_goal", CNN_TORCH_GOAL);
        }
        m.replaceAll((k, v) -> v instanceof Double d ? Json.finiteOrNull(d) : v);
        return m;
    }

    private static void putTorch(Map<String, Object> m, Torch t, double gradient, double hv) {
        if (t == null) {
            return;
        }
        m.put("torch_framework", t.framework());
        m.put("torch_calls", t.calls());
        m.put("torch_gradient_seconds", t.gradient());
        m.put("torch_hv_cached_seconds", t.hvCached());
        m.put("torch_hv_full_seconds", t.hvFull());
        m.put("torch_gradient_best_seconds", t.gradientBest());
        m.put("torch_hv_cached_best_seconds", t.hvCachedBest());
        m.put("torch_hv_full_best_seconds", t.hvFullBest());
        m.put("gradient_over_torch", gradient / t.gradient());
        m.put("hvp_over_torch_cached", hv / t.hvCached());
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
                + "(designed %d); top eigenvalue, Lanczos of %d steps, partial reorthogonalisation (designed %d); a study's eigenvalue "
                + "run of %d steps, kept basis, full reorthogonalisation (designed %d); each in Hv, then (in its products + its own "
                + "work: draws, dot products, reorthogonalisation), medians each%n", e0.probes(), 2 * e0.probes(), e0.steps(),
                e0.steps(), e0.steps(), e0.steps()));
        s.append(String.format(Locale.ROOT, "%-8s %9s %14s %22s %12s %22s %12s %22s%n",
                "dtype", "Hv ms", "Hutchinson ms", "Hutchinson/Hv", "Lanczos ms", "Lanczos/Hv", "Ritz run ms", "Ritz run/Hv"));
        for (Row row : rows) {
            EstimatorCostBench.Result e = row.estimators();
            s.append(String.format(Locale.ROOT, "%-8s %9.3f %14.3f %22s %12.3f %22s %12.3f %22s%n",
                    Dtypes.name(row.products().config().dtype()), 1e3 * e.hvSeconds(), 1e3 * e.hutchinsonSeconds(),
                    inHv(e.hutchinsonHvs(), e.hutchinson(), e.hvSeconds()), 1e3 * e.lanczosSeconds(),
                    inHv(e.lanczosHvs(), e.lanczos(), e.hvSeconds()), 1e3 * e.ritzRunSeconds(), inHv(e.ritzRunHvs(), e.ritzRun(), e.hvSeconds())));
        }
        return s.toString();
    }

    /** "20.3 (19.4 + 0.9)": a whole run in Hv, then its products' and its own work's shares. */
    private static String inHv(double whole, EstimatorCostBench.Split split, double hvSeconds) {
        return String.format(Locale.ROOT, "%.1f (%.1f + %.1f)", whole, split.productHvs(hvSeconds), split.ownHvs(hvSeconds));
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

    /** The mlp's records, then the ResNet's when it ran. */
    static List<Map<String, Object>> json(List<Row> rows, Cnn cnn) {
        List<Map<String, Object>> out = new java.util.ArrayList<>(json(rows));
        if (cnn != null) {
            out.add(cnnRecord(cnn));
        }
        return out;
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
        if (row.block() != null) {
            m.put("block_k", row.block().k());
            m.put("block_hv_seconds", row.block().hvSeconds());
            m.put("block_seconds", row.block().blockSeconds());
            m.put("block_per_direction", row.block().perDirection());
            m.put("block_per_direction_goal", BlockBench.GOAL);
            m.put("block_warmup_pairs", row.block().warmUpPairs());
            m.put("block_gemm_single_seconds", row.block().floors().singleSeconds());
            m.put("block_gemm_block_seconds", row.block().floors().blockSeconds());
        }
        putTorch(m, row.torch(), r.gradientSeconds(), r.hvpSeconds());
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
            m.put("ritz_run_seconds", e.ritzRunSeconds());
            m.put("ritz_run_hvs", e.ritzRunHvs());
            m.put("hutchinson_product_seconds", e.hutchinson().productSeconds());
            m.put("hutchinson_own_seconds", e.hutchinson().ownSeconds());
            m.put("lanczos_product_seconds", e.lanczos().productSeconds());
            m.put("lanczos_own_seconds", e.lanczos().ownSeconds());
            m.put("ritz_run_product_seconds", e.ritzRun().productSeconds());
            m.put("ritz_run_own_seconds", e.ritzRun().ownSeconds());
        }
        if (row.whole() != null) {
            EstimatorTables.put(m, row.whole());
        }
        m.replaceAll((k, v) -> v instanceof Double d ? Json.finiteOrNull(d) : v);
        return m;
    }
}
