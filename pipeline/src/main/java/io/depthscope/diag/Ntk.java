package io.depthscope.diag;

import io.depthscope.nn.Linear;
import io.depthscope.nn.LinearActivity;
import io.depthscope.nn.Point;
import io.depthscope.util.ThreadWork;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The empirical neural tangent kernel on a point's batch (Du et al. 2018; Jacot et al. 2018):
 * K_mn = sum_c <df_c(x_m)/dtheta, df_c(x_n)/dtheta>, [N, N] float64. Gradient descent on the squared loss
 * moves the outputs by -eta K (f - y) to first order, so lambda_min(K) bounds the rate at which the worst
 * direction of the residual shrinks.
 *
 * <p>One pullback of e_c per output c through the cached forward state (no loss) gives every map's
 * df_c/dz for all examples at once; per map, K gets (sum_c DZ_c DZ_c^T) . (A A^T + bias), the same
 * factorisation as {@link PerExampleGradients#gram}. Cost: k pullbacks plus O(N^2 (in + k out)) per map.
 */
public final class Ntk {
    private Ntk() {}

    /** The kernel's scratch, borrowed from the thread's previous kernel (see {@link MapGrams.Work}). */
    private static final ThreadWork WORK = new ThreadWork();

    /** K, [N, N] float64. */
    public static INDArray gram(Point point) {
        int n = point.batch().size();
        List<LinearActivity> acts = point.linearActivity();
        MapGrams.Work work = new MapGrams.Work(WORK, n, acts.size() + 1, acts);
        List<INDArray> outer = new ArrayList<>();
        for (int i = 0; i < acts.size(); i++) {
            outer.add(work.matrix(n, n).assign(0.0));
        }
        List<INDArray> parts = byMap(point, outer, work.matrix(n, n), work);
        INDArray k = parts.get(0).dup();
        for (int i = 1; i < parts.size(); i++) {
            k.addi(parts.get(i));
        }
        return k;
    }

    /**
     * Each linear map's share of K (the kernel of its parameters alone), in map order 0..L; they sum to K.
     * Shows which depth dominates the kernel. Holds (L+1) N x N float64 matrices.
     */
    public static List<INDArray> gramByMap(Point point) {
        int n = point.batch().size();
        List<INDArray> outer = new ArrayList<>();
        for (int i = 0; i < point.network().linearMaps().size(); i++) {
            outer.add(MapGrams.zeros(n));
        }
        return byMap(point, outer, MapGrams.zeros(n), null);
    }

    /** Fills {@code outer} (zeros, one per map) with each map's share of K; {@code inner} is scratch. */
    private static List<INDArray> byMap(Point point, List<INDArray> outer, INDArray inner, MapGrams.Work work) {
        int n = point.batch().size();
        int k = (int) point.outputs().columns();
        List<Linear> maps = point.network().linearMaps();
        INDArray e = Nd4j.create(point.dtype(), n, k);
        for (int c = 0; c < k; c++) {
            e.assign(0.0);
            e.getColumn(c).assign(1.0);
            for (LinearActivity act : point.pullback(e)) {
                MapGrams.outer(act.outputGradient(), outer.get(act.index()), 1.0, work);
            }
        }
        for (LinearActivity act : point.linearActivity()) {
            outer.get(act.index()).muli(MapGrams.inputGram(act.input(), maps.get(act.index()).hasBias(), inner, work));
        }
        return outer;
    }

    /** How far the kernel moved: ||K_t - K_0||_F / ||K_0||_F (0 in the lazy, infinite-width regime). */
    public static double drift(INDArray k0, INDArray kt) {
        sameShape(k0, kt);
        INDArray a = MapGrams.float64(k0);
        return MapGrams.float64(kt).sub(a).norm2Number().doubleValue() / a.norm2Number().doubleValue();
    }

    /**
     * Kernel alignment <K_0, K_t>_F / (||K_0||_F ||K_t||_F): 1 when the kernel only changed its scale,
     * which {@link #drift} alone would count as movement.
     */
    public static double alignment(INDArray k0, INDArray kt) {
        sameShape(k0, kt);
        INDArray a = MapGrams.float64(k0);
        INDArray b = MapGrams.float64(kt);
        return a.mul(b).sumNumber().doubleValue() / (a.norm2Number().doubleValue() * b.norm2Number().doubleValue());
    }

    private static void sameShape(INDArray a, INDArray b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("kernels: shapes " + java.util.Arrays.toString(a.shape()) + " and "
                    + java.util.Arrays.toString(b.shape()) + " differ; allowed: kernels on the same examples");
        }
    }
}
