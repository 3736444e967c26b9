package io.depthscope.cli;

import io.depthscope.bench.Benchmarks;
import io.depthscope.bench.TrainingStepBench;
import io.depthscope.util.Dtypes;
import io.depthscope.bench.Benchmarks.Config;
import io.depthscope.bench.Benchmarks.Result;
import io.depthscope.bench.Profile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code depthscope bench}: seconds per gradient and per exact Hessian-vector product on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Times a gradient (forward + backward) and an exact Hessian-vector product of an mlp, "
                + "reports medians, the ratio Hv/gradient and the bare matrix-product time of each (GEMM floor).")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--width", defaultValue = "256", description = "hidden width (default ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--depth", defaultValue = "8", description = "hidden layers (default ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--batch", defaultValue = "256", description = "examples per batch (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--input-dim", defaultValue = "256", description = "input features (default ${DEFAULT-VALUE})")
    int inputDim;

    @Option(names = "--output-dim", defaultValue = "10", description = "outputs (default ${DEFAULT-VALUE})")
    int outputDim;

    @Option(names = "--activation", defaultValue = "tanh", description = "activation (default ${DEFAULT-VALUE})")
    String activation;

    @Option(names = "--dtype", defaultValue = "float32,float64", split = ",",
            description = "float32, float64 or both (default ${DEFAULT-VALUE})")
    List<String> dtypes;

    @Option(names = "--warmup", defaultValue = "5", description = "untimed calls first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--repetitions", defaultValue = "30", description = "timed calls (default ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = "--seed", defaultValue = "0", description = "seed of parameters and data (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "also write the results to this JSON file")
    Path json;

    @Option(names = "--profile", description = "also print the time per layer type and pass")
    boolean profile;

    @Option(names = "--step-batch", defaultValue = "128",
            description = "minibatch of the training-step benchmark (784 inputs, 10 classes; default ${DEFAULT-VALUE}); 0 skips it")
    int stepBatch;

    @Override
    public Integer call() throws IOException {
        List<Result> results = new ArrayList<>();
        for (String d : dtypes) {
            Config c = new Config(inputDim, width, depth, outputDim, batch, activation, Dtypes.parse(d),
                    warmup, repetitions, seed);
            results.add(Benchmarks.run(c));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(table(results));
        List<TrainingStepBench.Result> steps = new ArrayList<>();
        if (stepBatch > 0) {
            for (String d : dtypes) {
                steps.add(TrainingStepBench.run(width, depth, stepBatch, 8192, Dtypes.parse(d), warmup, repetitions, seed));
            }
            TrainingStepBench.Result first = steps.get(0);
            out.printf(Locale.ROOT, "%ntraining step: mlp in=%d width=%d depth=%d out=10 relu cross_entropy, batch %d, momentum SGD, P=%d%n",
                    first.inputDim(), first.width(), first.depth(), first.batch(), first.paramCount());
            out.printf(Locale.ROOT, "%-8s %18s %12s %14s %10s%n", "dtype", "forward+backward ms", "step ms", "step/(f+b)", "steps/s");
            for (TrainingStepBench.Result t : steps) {
                out.printf(Locale.ROOT, "%-8s %18.3f %12.3f %14.2f %10.1f%n", Dtypes.name(t.dtype()), 1e3 * t.forwardBackwardSeconds(),
                        1e3 * t.stepSeconds(), t.overhead(), t.stepsPerSecond());
            }
        }
        if (profile) {
            for (Result r : results) {
                out.printf(Locale.ROOT, "%nprofile, %s (median ms per call, summed over the layers of a kind):%n", Dtypes.name(r.config().dtype()));
                for (Profile.Entry e : Benchmarks.profile(r.config())) {
                    out.printf(Locale.ROOT, "  %-22s %-10s x%-3d %9.3f%n", e.kind(), e.phase(), e.calls(), 1e3 * e.seconds());
                }
            }
        }
        out.flush();
        if (json != null) {
            Files.writeString(json, json(results), StandardCharsets.UTF_8);
        }
        return 0;
    }


    static String table(List<Result> results) {
        StringBuilder s = new StringBuilder();
        if (!results.isEmpty()) {
            Config c = results.get(0).config();
            s.append(String.format(Locale.ROOT, "mlp in=%d width=%d depth=%d out=%d batch=%d %s mse, P=%d; median of %d calls after %d warm-up%n",
                    c.inputDim(), c.width(), c.depth(), c.outputDim(), c.batch(), c.activation(), results.get(0).paramCount(),
                    c.repetitions(), c.warmup()));
        }
        s.append(String.format(Locale.ROOT, "%-8s %12s %12s %9s %14s %14s %16s%n",
                "dtype", "gradient ms", "Hv ms", "Hv/grad", "grad GEMM ms", "Hv GEMM ms", "best grad/Hv ms"));
        for (Result r : results) {
            s.append(String.format(Locale.ROOT, "%-8s %12.3f %12.3f %9.2f %9.3f (%2d) %9.3f (%2d) %7.3f/%.3f%n",
                    Dtypes.name(r.config().dtype()), 1e3 * r.gradientSeconds(), 1e3 * r.hvpSeconds(), r.ratio(),
                    1e3 * r.gemmGradientSeconds(), r.gemmsPerGradient(), 1e3 * r.gemmHvpSeconds(), r.gemmsPerHvp(),
                    1e3 * r.gradientBestSeconds(), 1e3 * r.hvpBestSeconds()));
        }
        return s.toString();
    }

    static String json(List<Result> results) {
        StringBuilder s = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            Config c = r.config();
            s.append(String.format(Locale.ROOT,
                    "  {\"arch\": \"mlp\", \"input_dim\": %d, \"width\": %d, \"depth\": %d, \"output_dim\": %d, \"batch\": %d, "
                            + "\"activation\": \"%s\", \"loss\": \"mse\", \"dtype\": \"%s\", \"param_count\": %d, "
                            + "\"warmup\": %d, \"repetitions\": %d, \"gradient_seconds\": %.9g, \"hvp_seconds\": %.9g, "
                            + "\"ratio\": %.6g, \"gradient_best_seconds\": %.9g, \"hvp_best_seconds\": %.9g, \"gemm_gradient_seconds\": %.9g, \"gemm_hvp_seconds\": %.9g, "
                            + "\"gemms_per_gradient\": %d, \"gemms_per_hvp\": %d}%s%n",
                    c.inputDim(), c.width(), c.depth(), c.outputDim(), c.batch(), c.activation(), Dtypes.name(c.dtype()),
                    r.paramCount(), c.warmup(), c.repetitions(), r.gradientSeconds(), r.hvpSeconds(), r.ratio(),
                    r.gradientBestSeconds(), r.hvpBestSeconds(), r.gemmGradientSeconds(), r.gemmHvpSeconds(), r.gemmsPerGradient(), r.gemmsPerHvp(),
                    i + 1 < results.size() ? "," : ""));
        }
        return s.append("]\n").toString();
    }
}
