package io.depthscope.bench;

import io.depthscope.probe.QuadratureRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Whether another engine's estimators, started from our vectors ({@link EstimatorComparison#shipment}), do our
 * arithmetic: the same loss, the same Hutchinson moments, the same top Ritz value, the same quadratures. With the same
 * start vectors the two engines differ only in rounding, so each difference is compared with a tolerance times the
 * quantity's natural scale: |loss| for the loss, and |lambda_max| (lambda_max^2 for m2) for everything spectral,
 * because a product Hv is perturbed by rounding in proportion to ||H|| ||v||, not to the (possibly small, possibly
 * cancelling) quantity itself.
 *
 * <p>Tolerances: float64 {@value #FLOAT64_TOLERANCE}, float32 {@value #FLOAT32_TOLERANCE}. Measured on the bench's
 * mlp (width 256, depth 8, batch 256, P = 528,906; 10 probes, 20 Lanczos steps, 4 quadratures of 30 steps), the
 * largest scaled difference of any check was 2.4e-15 in float64 and 4.2e-7 in float32 (PyTorch keeps its Lanczos
 * vectors in float32, we keep ours in float64); the tolerances leave margins of 10^5 and 2,000 for other sizes and
 * seeds, while any real difference in the arithmetic (another loss scaling, a missing bias, a transposed weight,
 * another probe or start vector) moves these quantities by far more than 10^-3 of lambda_max.
 *
 * <p>Power iteration is a different algorithm, so it is held to an inequality rather than to equality: m steps from
 * the same start end at the Rayleigh quotient of H^(m-1) q, a vector of the Krylov space K_m(q), so the value can
 * not exceed the largest Ritz value of m Lanczos steps from q.
 */
public final class EstimatorAgreement {
    public static final double FLOAT64_TOLERANCE = 1e-9;
    public static final double FLOAT32_TOLERANCE = 1e-3;

    /** The other engine's values from our vectors: the mean of its per-probe forms (v.u, u.u, u.w, w.w). */
    public record PeerValues(double loss, double[] meanForms, double power, double lanczosTop, List<double[]> slqNodes,
                             List<double[]> slqWeights) {}

    /** One comparison: {@code atMost} checks theirs <= ours (+ tolerance), otherwise |ours - theirs| <= tolerance. */
    public record Check(String what, double ours, double theirs, double scale, double tolerance, boolean atMost) {
        public double scaledDifference() {
            return (atMost ? Math.max(0, theirs - ours) : Math.abs(ours - theirs)) / scale;
        }

        public boolean ok() {
            return scaledDifference() <= tolerance;
        }
    }

    private EstimatorAgreement() {}

    public static double tolerance(DataType dtype) {
        return dtype == DataType.DOUBLE ? FLOAT64_TOLERANCE : FLOAT32_TOLERANCE;
    }

    public static List<Check> checks(EstimatorComparison.Values ours, PeerValues theirs, long paramCount, DataType dtype) {
        double tol = tolerance(dtype);
        double lambda = Math.abs(ours.lambdaMax());
        List<Check> out = new ArrayList<>();
        out.add(new Check("loss", ours.loss(), theirs.loss(), Math.abs(ours.loss()), tol, false));
        out.add(new Check("Hutchinson m1 = tr(H)/P", ours.moments().m1(), theirs.meanForms()[0] / paramCount, lambda, tol, false));
        out.add(new Check("Hutchinson m2 = tr(H^2)/P", ours.moments().m2(), theirs.meanForms()[1] / paramCount, lambda * lambda, tol, false));
        out.add(new Check("Lanczos top eigenvalue", ours.lambdaMax(), theirs.lanczosTop(), lambda, tol, false));
        out.add(new Check("power iteration <= Lanczos top", ours.lambdaMax(), theirs.power(), lambda, tol, true));
        if (theirs.slqNodes().size() != ours.runs().size()) {
            throw new IllegalStateException("quadratures: ours " + ours.runs().size() + ", theirs " + theirs.slqNodes().size());
        }
        for (int r = 0; r < ours.runs().size(); r++) {
            QuadratureRun run = ours.runs().get(r);
            double[] nodes = theirs.slqNodes().get(r);
            double[] weights = theirs.slqWeights().get(r);
            double first = 0;
            for (int i = 0; i < nodes.length; i++) {
                first += weights[i] * nodes[i];
            }
            out.add(new Check("SLQ run " + r + " q.Hq", run.moment(1), first, lambda, tol, false));
            out.add(new Check("SLQ run " + r + " top node", Arrays.stream(run.nodes()).max().orElseThrow(),
                    Arrays.stream(nodes).max().orElseThrow(), lambda, tol, false));
        }
        return out;
    }
}
