package io.depthscope.jobs.cli;

import io.depthscope.bench.Benchmarks.Config;
import io.depthscope.bench.Benchmarks;
import io.depthscope.bench.EstimatorCostBench;
import io.depthscope.bench.PerExampleBench;
import io.depthscope.bench.Profile;
import io.depthscope.bench.TrainingStepBench;
import io.depthscope.io.Json;
import io.depthscope.util.Dtypes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code depthscope bench}: seconds per gradient and per exact Hessian-vector product on this machine, and
 * what the diagnostics cost in those units; with {@code --study}, how well a study uses Spark's slots.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Times a gradient (forward + backward) and an exact Hessian-vector product of an mlp, "
                + "reports medians, the ratio Hv/gradient and the bare matrix-product time of each (GEMM floor); "
                + "then the per-example-gradient Gram and the NTK Gram against one gradient, and a Hutchinson and a "
                + "Lanczos run in Hv units; then a training step against a bare forward and backward pass.",
                "With --study, only this: a study (built in: 16 runs) on local[1], then on local[2], their parallel efficiency "
                + "T1 / (2 T2) and each one's overhead beyond its tasks' own time."})
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

    @Option(names = "--probes", defaultValue = "10",
            description = "Hutchinson probes of the Hv-units benchmark (default ${DEFAULT-VALUE})")
    int probes;

    @Option(names = "--lanczos-steps", defaultValue = "20",
            description = "Lanczos steps of the Hv-units benchmark (default ${DEFAULT-VALUE})")
    int lanczosSteps;

    @Option(names = "--cost-repetitions", defaultValue = "5",
            description = "timed calls of the Gram, NTK, Hutchinson and Lanczos benchmarks, after one untimed "
                    + "(default ${DEFAULT-VALUE}); 0 skips them")
    int costRepetitions;

    @Mixin
    StudyBenchOptions studyBench;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (studyBench.study) {
            return studyBench.run(out, json);
        }
        studyBench.rejectWithoutStudy();
        if (costRepetitions < 0) {
            throw new IllegalArgumentException("cost-repetitions: value " + costRepetitions + " is not allowed; allowed: >= 0");
        }
        EstimatorCostBench.check(probes, lanczosSteps);
        List<DataType> types = dtypes.stream().map(Dtypes::parse).toList();
        List<BenchTables.Row> rows = new ArrayList<>();
        for (DataType d : types) {
            Config c = new Config(inputDim, width, depth, outputDim, batch, activation, d, warmup, repetitions, seed);
            rows.add(new BenchTables.Row(Benchmarks.run(c), null, null));
        }
        out.print(BenchTables.products(rows));
        out.flush();
        if (costRepetitions > 0) {
            for (int i = 0; i < rows.size(); i++) {
                Config c = rows.get(i).products().config();
                // one warm-up is enough for calls this long; the products' own warm-up count would dominate
                Config cost = new Config(c.inputDim(), c.width(), c.depth(), c.outputDim(), c.batch(), c.activation(), c.dtype(),
                        1, costRepetitions, c.seed());
                rows.set(i, new BenchTables.Row(rows.get(i).products(), PerExampleBench.run(cost, false),
                        EstimatorCostBench.run(cost, probes, lanczosSteps)));
            }
            out.print(BenchTables.costs(rows, costRepetitions));
        }
        if (stepBatch > 0) {
            List<TrainingStepBench.Result> steps = new ArrayList<>();
            for (DataType d : types) {
                steps.add(TrainingStepBench.run(width, depth, stepBatch, 8192, d, warmup, repetitions, seed));
            }
            out.print(BenchTables.steps(steps));
        }
        if (profile) {
            for (BenchTables.Row row : rows) {
                out.printf(Locale.ROOT, "%nprofile, %s (median ms per call, summed over the layers of a kind):%n", Dtypes.name(row.products().config().dtype()));
                for (Profile.Entry e : Benchmarks.profile(row.products().config())) {
                    out.printf(Locale.ROOT, "  %-22s %-10s x%-3d %9.3f%n", e.kind(), e.phase(), e.calls(), 1e3 * e.seconds());
                }
            }
        }
        out.flush();
        if (json != null) {
            Json.writeAtomically(json, BenchTables.json(rows));
        }
        return 0;
    }
}
