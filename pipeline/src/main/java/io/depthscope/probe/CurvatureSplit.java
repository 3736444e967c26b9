package io.depthscope.probe;

import io.depthscope.nn.Landscape;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The curvature along a Ritz vector v of the Hessian split as H = G + R: the Gauss-Newton part
 * v^T G v = (Jv)^T (d^2 Loss/df^2) (Jv) (>= 0 for mse and cross-entropy) and the rest
 * v^T R v = v^T H v - v^T G v = sum_n (dLoss/df_n) . (v^T d^2f_n v), which weighs the network's own
 * curvature by the residuals. Outliers of the spectrum usually come from G (Sagun et al. 2017; Papyan
 * 2019), negative curvature only from R. Two products (Hv, Gv) per vector.
 *
 * @param ritzValue the Ritz value of v
 * @param residualBound its residual bound (see {@link RitzPairs})
 * @param hessian v^T H v / v^T v (equals the Ritz value up to rounding: a check of the Ritz vector)
 * @param gaussNewton v^T G v / v^T v
 * @param remainder v^T R v / v^T v = hessian - gaussNewton
 * @param gradientOverlap (g . v)^2 / (||g||^2 ||v||^2) for the loss gradient g at the point: the share of the gradient's squared
 *     norm along v. The Ritz vectors of one Lanczos run are orthonormal (full reorthogonalisation), so the shares of the top k add up
 *     to ||P_k g||^2 / ||g||^2, the overlap of the gradient with the top-k subspace (Gur-Ari, Roberts and Dyer 2018); NaN for a
 *     zero gradient
 * @param probeOverlap the mean over the step's Hutchinson probes v of (v . y)^2 for the unit vector y along v: each term has
 *     expectation 1 (E[v v^T] = I), so sum_i theta_i^2 (probeOverlap_i - 1) over the top Ritz pairs is a control variate for
 *     the probes' estimate of tr(H^2) (see {@link SpectrumShape#topKShare}); NaN when the step has no Hutchinson probes, and on
 *     the smallest side, which no estimate uses
 */
public record CurvatureSplit(double ritzValue, double residualBound, double hessian, double gaussNewton, double remainder,
        double gradientOverlap, double probeOverlap) implements java.io.Serializable {

    /** The Hutchinson probes of a step, as {@link Hutchinson#probes} draws them: {@code count} probes of the stream {@code seed}. */
    public record Probes(long seed, int count, Hutchinson.Distribution distribution) {}

    /** {v^T H v, v^T G v} / v^T v for any nonzero flat vector v (float64 or the point's dtype). */
    public static double[] quadraticForms(Landscape point, INDArray v) {
        INDArray x = v.castTo(point.dtype()).reshape(point.paramCount());
        INDArray hv = Nd4j.create(point.dtype(), point.paramCount());
        INDArray gv = Nd4j.create(point.dtype(), point.paramCount());
        point.hvp(x, hv);
        point.gvp(x, gv);
        INDArray xd = x.castTo(DataType.DOUBLE);
        double vv = Nd4j.getBlasWrapper().dot(xd, xd);
        return new double[] {
            Nd4j.getBlasWrapper().dot(xd, hv.castTo(DataType.DOUBLE)) / vv,
            Nd4j.getBlasWrapper().dot(xd, gv.castTo(DataType.DOUBLE)) / vv
        };
    }

    /** The split along the Ritz vectors of the k largest Ritz values, largest first (needs the basis), without probe overlaps. */
    public static List<CurvatureSplit> largest(Landscape point, LanczosResult lanczos, int k) {
        return largest(point, lanczos, k, null);
    }

    /**
     * The split along the Ritz vectors of the k largest Ritz values, largest first, each with its mean squared overlap with the
     * step's Hutchinson {@code probes} (null: none). The probes are drawn again from their seeds, which costs no product.
     */
    public static List<CurvatureSplit> largest(Landscape point, LanczosResult lanczos, int k, Probes probes) {
        RitzPairs ritz = lanczos.ritz();
        INDArray g = gradient(point);
        List<CurvatureSplit> out = new ArrayList<>();
        List<INDArray> vectors = new ArrayList<>();
        for (int i = ritz.count() - 1; i >= Math.max(0, ritz.count() - k); i--) {
            INDArray y = lanczos.ritzVector(ritz.vectors()[i]);
            vectors.add(y);
            out.add(along(point, ritz, i, y, g));
        }
        if (probes == null || probes.count() == 0) {
            return out;
        }
        double[] overlaps = probeOverlaps(point, vectors, probes);
        List<CurvatureSplit> withProbes = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            CurvatureSplit c = out.get(i);
            withProbes.add(new CurvatureSplit(c.ritzValue, c.residualBound, c.hessian, c.gaussNewton, c.remainder, c.gradientOverlap,
                    overlaps[i]));
        }
        return withProbes;
    }

    /** For each vector y, the mean over the probes v of (v . y)^2 / (y . y). */
    static double[] probeOverlaps(Landscape point, List<INDArray> vectors, Probes probes) {
        double[] sums = new double[vectors.size()];
        double[] norms = vectors.stream().mapToDouble(y -> Nd4j.getBlasWrapper().dot(y, y)).toArray();
        INDArray v = Nd4j.createUninitialized(point.dtype(), point.paramCount());
        for (int j = 0; j < probes.count(); j++) {
            Hutchinson.drawProbe(probes.seed(), j, probes.distribution(), v);
            INDArray vd = v.castTo(DataType.DOUBLE);
            for (int i = 0; i < vectors.size(); i++) {
                double d = Nd4j.getBlasWrapper().dot(vd, vectors.get(i));
                sums[i] += d * d / norms[i];
            }
        }
        for (int i = 0; i < sums.length; i++) {
            sums[i] /= probes.count();
        }
        return sums;
    }

    /** The split along the Ritz vectors of the k smallest (most negative) Ritz values, smallest first. */
    public static List<CurvatureSplit> smallest(Landscape point, LanczosResult lanczos, int k) {
        RitzPairs ritz = lanczos.ritz();
        INDArray g = gradient(point);
        List<CurvatureSplit> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, ritz.count()); i++) {
            out.add(along(point, ritz, i, lanczos.ritzVector(ritz.vectors()[i]), g));
        }
        return out;
    }

    private static CurvatureSplit along(Landscape point, RitzPairs ritz, int i, INDArray y, INDArray g) {
        double[] f = quadraticForms(point, y);
        return new CurvatureSplit(ritz.values()[i], ritz.residualBounds()[i], f[0], f[1], f[0] - f[1], overlap(g, y), Double.NaN);
    }

    /** The point's loss gradient as a float64 copy (the point keeps its own). */
    private static INDArray gradient(Landscape point) {
        return point.gradient().castTo(DataType.DOUBLE).dup().reshape(point.paramCount());
    }

    /** (g . y)^2 / (||g||^2 ||y||^2); NaN for a zero gradient. */
    static double overlap(INDArray g, INDArray y) {
        double gg = Nd4j.getBlasWrapper().dot(g, g);
        double yy = Nd4j.getBlasWrapper().dot(y, y);
        double gy = Nd4j.getBlasWrapper().dot(g, y);
        return gg > 0 ? gy * gy / (gg * yy) : Double.NaN;
    }
}
