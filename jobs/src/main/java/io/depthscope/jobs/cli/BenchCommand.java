package io.depthscope.jobs.cli;

import io.depthscope.bench.Benchmarks.Config;
import io.depthscope.bench.Benchmarks;
import io.depthscope.bench.BlockBench;
import io.depthscope.bench.CnnBench;
import io.depthscope.bench.EstimatorComparison;
import io.depthscope.bench.EstimatorCostBench;
import io.depthscope.bench.Peer;
import io.depthscope.bench.PerExampleBench;
import io.depthscope.bench.Profile;
import io.depthscope.bench.TrainingStepBench;
import io.depthscope.io.Json;
import io.depthscope.util.Dtypes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
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
                + "Lanczos run in Hv units; then a training step against a bare forward and backward pass; the block product "
                + "(--block directions at once) per direction against one Hv; each whole estimator (Hutchinson, top eigenvalue, "
                + "density) against PyHessian's over torch's Hv, after checking that PyTorch, started from our weights, batch and "
                + "vectors, returns our numbers. PyTorch (tools/torch_cnn_bench.py, when /usr/bin/python3 has torch) times the "
                + "same mlp in turns with ours.",
                "--cnn (off by default: slow) adds He et al.'s ResNet-20 (BatchNorm in train mode, batch 128, float32): gradient "
                + "and Hv, and PyTorch's gradient and Hv in turns with them. On 2 loaded cores the whole bench --cnn took 10 minutes; "
                + "--dtype float32 --cnn-repetitions 4 --cost-repetitions 0 --step-batch 0 took 2-3 minutes.",
                "With --study, only this: a study (built in: 16 runs) on local[1], then on local[2], their parallel efficiency "
                + "T1 / (2 T2) and each one's overhead beyond its tasks' own time.",
                "With --study-scale N, only this: N tiny runs on local[2] and a restart into the same output: the driver's "
                + "peak heap, the per-task overhead, the tables' time and the restart's scan."})
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

    @Option(names = "--jit-warmup", defaultValue = "10",
            description = "seconds of untimed gradients and Hv on the mlp, per dtype, before anything of that dtype is timed, so "
                    + "that the JVM has compiled ND4J's call path as it has a few seconds into any study (default ${DEFAULT-VALUE}; 0: one pair)")
    double jitWarmup;

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

    @Option(names = "--block", defaultValue = "8",
            description = "directions of the block-product benchmark (hvpBlock against one Hv; default ${DEFAULT-VALUE}); 0 skips it")
    int block;

    @Option(names = "--block-repetitions", defaultValue = "10",
            description = "timed pairs of one Hv and one block product, after untimed ones for --jit-warmup seconds (at least one; default ${DEFAULT-VALUE})")
    int blockRepetitions;

    @Option(names = "--estimator-repetitions", defaultValue = "3",
            description = "timed calls of each whole estimator (Hutchinson with --probes, the top eigenvalue with --lanczos-steps, "
                    + "the density with --slq-runs x --slq-steps), each followed by PyTorch's (PyHessian's algorithms), "
                    + "after one untimed (default ${DEFAULT-VALUE}); 0 skips them")
    int estimatorRepetitions;

    @Option(names = "--slq-runs", defaultValue = "4", description = "density runs of the whole-estimator benchmark (default ${DEFAULT-VALUE})")
    int slqRuns;

    @Option(names = "--slq-steps", defaultValue = "30", description = "Lanczos steps per density run (default ${DEFAULT-VALUE})")
    int slqSteps;

    @Option(names = "--cnn", description = "also time ResNet-20 (BatchNorm in train mode, float32) and PyTorch beside it")
    boolean cnn;

    @Option(names = "--cnn-batch", defaultValue = "128", description = "images per ResNet-20 batch (default ${DEFAULT-VALUE})")
    int cnnBatch;

    @Option(names = "--cnn-warmup", defaultValue = "2", description = "untimed ResNet-20 calls first (default ${DEFAULT-VALUE})")
    int cnnWarmup;

    @Option(names = "--cnn-repetitions", defaultValue = "10", description = "timed ResNet-20 calls (default ${DEFAULT-VALUE})")
    int cnnRepetitions;

    @Option(names = "--torch", defaultValue = "auto",
            description = "time PyTorch beside us: auto (when --python has torch; default), on (fail without it), off")
    String torch;

    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "the interpreter with torch for the PyTorch peer (default ${DEFAULT-VALUE})")
    String python;

    /** The mlp's calls run in rounds of this many before PyTorch takes its turn: a round trip to the peer is far shorter. */
    static final int MLP_ROUND = 5;

    @Mixin
    StudyBenchOptions studyBench;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (studyBench.any()) {
            return studyBench.run(out, json);
        }
        studyBench.rejectWithoutStudy();
        Benchmarks.checkWarmUp(jitWarmup);
        if (costRepetitions < 0) {
            throw new IllegalArgumentException("cost-repetitions: value " + costRepetitions + " is not allowed; allowed: >= 0");
        }
        EstimatorCostBench.check(probes, lanczosSteps);
        if (estimatorRepetitions < 0) {
            throw new IllegalArgumentException("estimator-repetitions: value " + estimatorRepetitions + " is not allowed; allowed: >= 0 (0 skips them)");
        }
        // checks the sizes either way, before anything is timed
        EstimatorComparison.Sizes wholeSizes = new EstimatorComparison.Sizes(probes, lanczosSteps, slqRuns, slqSteps, Math.max(1, estimatorRepetitions));
        if (block < 0) {
            throw new IllegalArgumentException("block: value " + block + " is not allowed; allowed: >= 0 (0 skips the block product)");
        }
        if (blockRepetitions < 1) {
            throw new IllegalArgumentException("block-repetitions: value " + blockRepetitions + " is not allowed; allowed: >= 1");
        }
        if (!List.of("auto", "on", "off").contains(torch)) {
            throw new IllegalArgumentException("torch: unknown value '" + torch + "'; allowed: auto, on, off");
        }
        List<DataType> types = dtypes.stream().map(Dtypes::parse).toList();
        CnnBench.Config resnet = CnnBench.Config.resnet20(cnnBatch, cnnWarmup, cnnRepetitions, seed); // checks the options either way
        CnnBench.Config cnnConfig = cnn ? resnet : null;
        try (TorchPeer peer = startPeer(out)) {
            return run(out, types, cnnConfig, peer, estimatorRepetitions > 0 ? wholeSizes : null);
        }
    }

    /** PyTorch beside us, or null (off, or auto without it: then one line says why). */
    private TorchPeer startPeer(PrintWriter out) throws IOException {
        if ("off".equals(torch)) {
            return null;
        }
        // ND4J first, so that the OpenBLAS it loads is mapped when the peer looks for one to preload
        Nd4j.gemm(Nd4j.ones(DataType.FLOAT, 2, 2), Nd4j.ones(DataType.FLOAT, 2, 2), false, false);
        TorchPeer peer = null;
        try {
            peer = TorchPeer.start(python, Runtime.getRuntime().availableProcessors());
            // a first, tiny setup proves that torch imports; its key is never timed
            peer.setup(Map.of("case", "mlp", "input_dim", 2, "width", 2, "depth", 1, "output_dim", 1, "batch", 2,
                    "dtype", "float64", "seed", 0));
            return peer;
        } catch (IOException e) {
            if (peer != null) {
                peer.close();
            }
            if ("on".equals(torch)) {
                throw e;
            }
            out.println("PyTorch peer: not run (" + e.getMessage() + "); --torch off hides this line");
            return null;
        }
    }

    private Integer run(PrintWriter out, List<DataType> types, CnnBench.Config cnnConfig, TorchPeer peer,
                        EstimatorComparison.Sizes wholeSizes) throws IOException {
        boolean torchMlp = peer != null && "tanh".equals(activation);
        if (peer != null && !torchMlp) {
            out.println("PyTorch peer: the mlp's activation is " + activation + ", the peer's mlp is tanh only; PyTorch times the ResNet alone");
        }
        List<BenchTables.Row> rows = new ArrayList<>();
        for (DataType d : types) {
            Config c = new Config(inputDim, width, depth, outputDim, batch, activation, d, warmup, repetitions, seed);
            int pairs = Benchmarks.warmUp(c, jitWarmup);
            out.printf(Locale.ROOT, "JIT warm-up, %s: %d untimed gradient + Hv pairs in %.1f s (--jit-warmup)%n", Dtypes.name(d), pairs, jitWarmup);
            out.flush();
            if (torchMlp) {
                Map<String, Object> spec = new LinkedHashMap<>();
                spec.put("case", "mlp");
                spec.put("input_dim", inputDim);
                spec.put("width", width);
                spec.put("depth", depth);
                spec.put("output_dim", outputDim);
                spec.put("batch", batch);
                spec.put("dtype", Dtypes.name(d));
                spec.put("seed", seed);
                TorchPeer.Setup setup = peer.setup(spec);
                TorchPeer.Times times = new TorchPeer.Times();
                Benchmarks.Result r = Benchmarks.run(c, MLP_ROUND, peer.peer(setup.key(), times));
                rows.add(new BenchTables.Row(r, null, null, null, BenchTables.Torch.of(peer.description(), times), null));
            } else {
                rows.add(new BenchTables.Row(Benchmarks.run(c), null, null));
            }
        }
        out.print(BenchTables.products(rows));
        out.print(BenchTables.torchProducts(rows, MLP_ROUND));
        out.flush();
        if (block > 0) {
            for (int i = 0; i < rows.size(); i++) {
                Config c = rows.get(i).products().config();
                Config b = new Config(c.inputDim(), c.width(), c.depth(), c.outputDim(), c.batch(), c.activation(), c.dtype(),
                        1, blockRepetitions, c.seed());
                rows.set(i, rows.get(i).withBlock(BlockBench.run(b, block, jitWarmup)));
            }
            out.print(BenchTables.blocks(rows));
            out.flush();
        }
        if (costRepetitions > 0) {
            for (int i = 0; i < rows.size(); i++) {
                Config c = rows.get(i).products().config();
                // one warm-up is enough for calls this long; the products' own warm-up count would dominate
                Config cost = new Config(c.inputDim(), c.width(), c.depth(), c.outputDim(), c.batch(), c.activation(), c.dtype(),
                        1, costRepetitions, c.seed());
                rows.set(i, rows.get(i).withCosts(PerExampleBench.run(cost, false), EstimatorCostBench.run(cost, probes, lanczosSteps)));
            }
            out.print(BenchTables.costs(rows, costRepetitions));
        }
        boolean agrees = true;
        if (wholeSizes != null) {
            List<EstimatorTables.Entry> entries = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Config c = rows.get(i).products().config();
                TorchEstimators.Outcome o = TorchEstimators.run(torchMlp ? peer : null, c, wholeSizes);
                rows.set(i, rows.get(i).withWhole(o));
                entries.add(new EstimatorTables.Entry(Dtypes.name(c.dtype()), o));
                agrees &= o.agrees();
            }
            out.print(EstimatorTables.table(entries, peer == null ? "" : peer.description()));
            out.flush();
        }
        if (stepBatch > 0) {
            List<TrainingStepBench.Result> steps = new ArrayList<>();
            for (DataType d : types) {
                steps.add(TrainingStepBench.run(width, depth, stepBatch, 8192, d, warmup, repetitions, seed));
            }
            out.print(BenchTables.steps(steps));
        }
        BenchTables.Cnn cnnResult = null;
        if (cnnConfig != null) {
            if (peer != null) {
                Map<String, Object> spec = new LinkedHashMap<>();
                spec.put("case", "resnet");
                spec.put("depth", cnnConfig.depth());
                spec.put("width", cnnConfig.width());
                spec.put("batch", cnnConfig.batch());
                spec.put("dtype", Dtypes.name(cnnConfig.dtype()));
                spec.put("seed", seed);
                TorchPeer.Setup setup = peer.setup(spec);
                TorchPeer.Times times = new TorchPeer.Times();
                CnnBench.Result r = CnnBench.run(cnnConfig, 1, peer.peer(setup.key(), times));
                cnnResult = new BenchTables.Cnn(r, BenchTables.Torch.of(peer.description(), times));
            } else {
                cnnResult = new BenchTables.Cnn(CnnBench.run(cnnConfig, 1, Peer.NONE), null);
            }
            out.print(BenchTables.cnn(cnnResult));
            out.flush();
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
            List<Map<String, Object>> records = BenchTables.json(rows, cnnResult);
            for (Map<String, Object> r : records) {
                if ("mlp".equals(r.get("arch"))) {
                    r.put("jit_warmup_seconds", jitWarmup);
                }
            }
            Json.writeAtomically(json, records);
        }
        if (!agrees) {
            // timings of an engine that computes something else mean nothing: say so in the exit code too
            spec.commandLine().getErr().println("error: PyTorch's estimators disagree with ours beyond the tolerance (see the agreement lines)");
            return 1;
        }
        return 0;
    }
}
