package io.depthscope.probe;

import io.depthscope.nn.Point;
import io.depthscope.probe.Hutchinson.Distribution;
import io.depthscope.probe.ProbeRequest.MomentMethod;
import io.depthscope.util.Dtypes;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Loss, gradient, optional Hv and Hessian moments at one point: the {@code probe} command without the files. */
public final class Probe {
    private Probe() {}

    public static ProbeReport run(ProbeRequest request) {
        return run(request, false);
    }

    /** The probe; with {@code diagnostics}, also Lanczos, SLQ, per-layer spectra, ranks and gradients. */
    public static ProbeReport run(ProbeRequest request, boolean diagnostics) {
        Point point = request.network().at(request.batch(), request.theta());
        long p = point.paramCount();
        double[] hvp = null;
        if (request.vector() != null) {
            hvp = point.hvp(direction(request.vector(), p, point.dtype())).toDoubleVector();
        }
        MomentMethod method = request.moments().resolve(p);
        HessianMoments moments;
        Long seed = null;
        String distribution = null;
        if (method.kind() == MomentMethod.Kind.EXACT) {
            moments = HessianMoments.fromEigenvalues(DenseHessian.eigenvalues(point));
        } else {
            moments = Hutchinson.estimate(point, method.probes(), method.seed(), Distribution.RADEMACHER);
            seed = method.seed();
            distribution = Distribution.RADEMACHER.label();
        }
        java.util.Map<String, Object> extra = ProbeDiagnostics.of(point, diagnostics, seed == null ? 0 : seed);
        return new ProbeReport(p, Dtypes.name(point.dtype()), point.batch().size(),
                point.loss(), point.gradientNorm(), point.layerGradientNorms(), hvp, moments, seed, distribution, extra);
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
