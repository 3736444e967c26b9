package io.depthscope.jobs.cli;

import io.depthscope.io.Json;
import io.depthscope.nn.Mode;
import io.depthscope.probe.Probe;
import io.depthscope.probe.ProbeReport;
import io.depthscope.probe.ProbeRequest.MomentMethod;
import io.depthscope.probe.ProbeRequest;
import io.depthscope.util.Dtypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code depthscope probe}: the loss landscape at one point of one network on one batch, no Spark.
 * The result is written only when everything succeeded, and atomically; bad input leaves no file.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Loss, gradient norms, an optional Hessian-vector product and the Hessian's spectral moments",
            "at given weights on a given batch. Moments: --exact (dense Hessian eigenvalues), or --probes N",
            "[--seed S] Rademacher Hutchinson probes; by default exact when the network has at most "
                + MomentMethod.AUTO_EXACT_MAX_PARAMS + " parameters, else " + MomentMethod.DEFAULT_PROBES
                + " probes of seed " + MomentMethod.DEFAULT_SEED + "."})
public final class ProbeCommand implements Callable<Integer> {
    @Option(names = "--spec", required = true, paramLabel = "spec.json",
            description = "network spec: arch (mlp, resmlp, mlp_bn, cnn, resnet, simple), input_dim, width, depth, output_dim, "
                    + "activation, bias (default true), residual_scale (default 1.0), loss; for cnn, resnet and simple input_shape "
                    + "[C,H,W], batch_norm (default false), shortcut A|B (resnet, default A)")
    Path spec;

    @Option(names = "--weights", required = true, paramLabel = "weights.npz",
            description = "the state_dict as numpy.savez(**model.state_dict()) writes it: layers.{i}.weight [out,in] and "
                    + "layers.{i}.bias [out] for mlp and resmlp, the names of tools/torch_models.py for the other presets, "
                    + "with BatchNorm's running_mean and running_var (required; num_batches_tracked optional)")
    Path weights;

    @Option(names = "--data", required = true, paramLabel = "data.npz",
            description = "x [N,d] (or [N,C,H,W] for input_shape [C,H,W]) with y [N,k] (mse) or integer labels [N] (cross_entropy)")
    Path data;

    @Option(names = "--vector", paramLabel = "v.npy", description = "a flat direction of P entries, in state_dict order: adds hvp")
    Path vector;

    @Option(names = "--exact", description = "exact moments from the dense Hessian's eigenvalues")
    boolean exact;

    @Option(names = "--probes", paramLabel = "N", description = "Hutchinson probes (at least 2)")
    Integer probes;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the Hutchinson probes (default 0)")
    Long seed;

    @Option(names = "--dtype", defaultValue = "float64", paramLabel = "float64|float32",
            description = "precision of every product (default float64)")
    String dtype;

    @Option(names = "--diagnostics", description = "also Lanczos top eigenvalues, the SLQ spectral density, per-layer "
            + "Jacobian spectra, representation ranks and per-layer gradient norms")
    boolean diagnostics;

    @Option(names = "--mode", paramLabel = "train|eval", description = "BatchNorm's mode (networks with BatchNorm only; "
            + "default eval: the running statistics, as a trained network is evaluated)")
    String mode;

    @Option(names = "--bn-batch", paramLabel = "N", description = "with --mode train: BatchNorm's normalisation group; the batch is "
            + "split into consecutive groups of N examples and loss, gradient, Hv and moments are means over the groups, as "
            + "training with minibatches of N sees them (a divisor of the batch size; default: the whole batch as one group)")
    Integer bnBatch;

    @Option(names = "--out", required = true, paramLabel = "result.json", description = "where the result goes")
    Path out;

    @Override
    public Integer call() {
        if (exact && (probes != null || seed != null)) {
            throw new BadInputException("--exact: cannot be combined with --probes or --seed; allowed: --exact, or --probes N [--seed S]");
        }
        if (Files.isDirectory(out)) {
            throw new BadInputException("--out: " + out + " is a directory; allowed: a file path such as result.json");
        }
        MomentMethod method = exact ? MomentMethod.exact()
                : probes != null || seed != null
                        ? MomentMethod.hutchinson(probes == null ? MomentMethod.DEFAULT_PROBES : probes,
                                seed == null ? MomentMethod.DEFAULT_SEED : seed)
                        : MomentMethod.auto();
        Mode m = mode == null ? null : Mode.of(mode);
        ProbeRequest request = ProbeRequest.load(spec, weights, data, vector, method, Dtypes.parse(dtype), m, bnBatch);
        ProbeReport report = Probe.run(request, diagnostics);
        Json.writeAtomically(out, report.toJson());
        String modeNote = report.mode() == null ? "" : " mode=" + report.mode() + (report.bnBatch() == null ? "" : " bn_batch=" + report.bnBatch());
        System.out.printf("probe: P=%d%s loss=%.6g |g|=%.4g moments=%s -> %s%n", report.paramCount(), modeNote, report.loss(),
                report.gradientNorm(), report.moments().method(), out);
        return 0;
    }
}
