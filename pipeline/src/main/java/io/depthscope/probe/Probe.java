package io.depthscope.probe;

import io.depthscope.nn.Batch;
import io.depthscope.nn.ChunkedLandscape;
import io.depthscope.nn.Landscape;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.PassBudget;
import io.depthscope.nn.Point;
import io.depthscope.probe.Hutchinson.Distribution;
import io.depthscope.probe.ProbeRequest.MomentMethod;
import io.depthscope.util.Dtypes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loss, gradient, optional Hv and Hessian moments at one point: the {@code probe} command without the files. The
 * curvature work runs on a {@link Landscape}: for a network with BatchNorm in train mode, the mean over its
 * normalisation groups ({@link ChunkedLandscape}), else one {@link Point} holding the whole batch, or chunks of it
 * where the whole batch would exceed {@link PassBudget}.
 */
public final class Probe {
    private Probe() {}

    public static ProbeReport run(ProbeRequest request) {
        return run(request, false);
    }

    /** The probe; with {@code diagnostics}, also Lanczos, SLQ, per-layer spectra, ranks and gradients. */
    public static ProbeReport run(ProbeRequest request, boolean diagnostics) {
        Landscape land = landscape(request);
        Network network = land.network();
        long p = land.paramCount();
        double[] hvp = null;
        if (request.vector() != null) {
            hvp = land.hvp(direction(request.vector(), p, land.dtype())).toDoubleVector();
        }
        MomentMethod method = request.moments().resolve(p);
        HessianMoments moments;
        Long seed = null;
        String distribution = null;
        if (method.kind() == MomentMethod.Kind.EXACT) {
            moments = HessianMoments.fromEigenvalues(DenseHessian.eigenvalues(land));
        } else {
            moments = Hutchinson.estimate(land, method.probes(), method.seed(), Distribution.RADEMACHER);
            seed = method.seed();
            distribution = Distribution.RADEMACHER.label();
        }
        Map<String, Object> extra = ProbeDiagnostics.of(request, land, diagnostics, seed == null ? 0 : seed);
        // mlp and resmlp name their maps layers.0 .. layers.L by position, and their report stays as it was
        List<String> names = ProbeDiagnostics.fullyConnected(network) ? null : network.weightNames();
        Mode mode = request.mode();
        Integer bnBatch = mode == Mode.TRAIN ? request.groupSize() : null;
        return new ProbeReport(p, Dtypes.name(land.dtype()), land.batchSize(), mode == null ? null : mode.label(), bnBatch,
                land.loss(), land.gradient().norm2Number().doubleValue(), network.layerGradientNorms(land.gradient()), names, hvp,
                moments, seed, distribution, extra);
    }

    /**
     * The landscape a request describes: without BatchNorm, or in eval mode (the running statistics), the batch in
     * chunks of as many examples as {@link PassBudget} allows, which is one point over the whole batch when it fits;
     * in train mode the mean over groups of bnBatch examples, each normalised by its own statistics, every group's
     * point kept when the whole batch fits the budget and else one group's at a time (the same numbers, each
     * product then recomputing every group's forward and backward pass).
     */
    public static Landscape landscape(ProbeRequest request) {
        Network network = request.network();
        Batch batch = request.batch();
        int fits = PassBudget.examples(network, batch.size());
        Mode mode = request.mode() == null ? Mode.TRAIN : request.mode();
        if (mode == Mode.TRAIN && request.mode() != null) {
            return ChunkedLandscape.of(network, batch, request.theta(), request.buffers(), mode, request.groupSize(), fits == batch.size());
        }
        return ChunkedLandscape.of(network, batch, request.theta(), request.buffers(), mode, fits, false);
    }

    /** The direction as a flat vector of the point's dtype, after checking its shape and values. */
    private static INDArray direction(INDArray v, long p, DataType dtype) {
        if (v.rank() != 1 || v.length() != p) {
            throw new IllegalArgumentException("vector: shape " + Arrays.toString(v.shape()) + " is not allowed; allowed: ["
                    + p + "] (a flat vector of param_count entries, in state_dict order)");
        }
        if (v.dataType() != DataType.DOUBLE && v.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("vector: dtype " + v.dataType() + " is not allowed; allowed: float64, float32");
        }
        double[] values = v.toDoubleVector();
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("vector: value " + values[i] + " at [" + i + "] is not allowed; allowed: finite numbers");
            }
        }
        return v.castTo(dtype);
    }
}
