package io.depthscope.jobs.cli;

import io.depthscope.io.Json;
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
            description = "network spec: arch, input_dim, width, depth, output_dim, activation, bias (default true), "
                    + "residual_scale (default 1.0), loss")
    Path spec;

    @Option(names = "--weights", required = true, paramLabel = "weights.npz",
            description = "layers.{i}.weight [out,in] and layers.{i}.bias [out], as numpy.savez(**model.state_dict()) writes them")
    Path weights;

    @Option(names = "--data", required = true, paramLabel = "data.npz",
            description = "x [N,d] with y [N,k] (mse) or integer labels [N] (cross_entropy)")
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
        ProbeRequest request = ProbeRequest.load(spec, weights, data, vector, method, Dtypes.parse(dtype));
        ProbeReport report = Probe.run(request, diagnostics);
        Json.writeAtomically(out, report.toJson());
        System.out.printf("probe: P=%d loss=%.6g |g|=%.4g moments=%s -> %s%n", report.paramCount(), report.loss(),
                report.gradientNorm(), report.moments().method(), out);
        return 0;
    }
}
