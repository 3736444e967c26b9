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
 */
public record CurvatureSplit(double ritzValue, double residualBound, double hessian, double gaussNewton, double remainder,
        double gradientOverlap) implements java.io.Serializable {

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

    /** The split along the Ritz vectors of the k largest Ritz values, largest first (needs the basis). */
    public static List<CurvatureSplit> largest(Landscape point, LanczosResult lanczos, int k) {
        RitzPairs ritz = lanczos.ritz();
        INDArray g = gradient(point);
        List<CurvatureSplit> out = new ArrayList<>();
        for (int i = ritz.count() - 1; i >= Math.max(0, ritz.count() - k); i--) {
            out.add(along(point, lanczos, ritz, i, g));
        }
        return out;
    }

    /** The split along the Ritz vectors of the k smallest (most negative) Ritz values, smallest first. */
    public static List<CurvatureSplit> smallest(Landscape point, LanczosResult lanczos, int k) {
        RitzPairs ritz = lanczos.ritz();
        INDArray g = gradient(point);
        List<CurvatureSplit> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, ritz.count()); i++) {
            out.add(along(point, lanczos, ritz, i, g));
        }
        return out;
    }

    private static CurvatureSplit along(Landscape point, LanczosResult lanczos, RitzPairs ritz, int i, INDArray g) {
        INDArray y = lanczos.ritzVector(ritz.vectors()[i]);
        double[] f = quadraticForms(point, y);
        return new CurvatureSplit(ritz.values()[i], ritz.residualBounds()[i], f[0], f[1], f[0] - f[1], overlap(g, y));
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
