package io.depthscope.diag;

import io.depthscope.nn.Point;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gradient confusion (De et al. 2020) of n gradients g_1..g_n, over the pairs i < j: SGD is slowed when
 * some pairs point against each other, <g_i, g_j> < -eta; -minInnerProduct is the smallest such eta.
 * Cosines take out the gradients' scale, which changes along training and with depth.
 *
 * @param meanSquaredNorm mean of ||g_i||^2, the scale against which the inner products are read
 * @param negativeFraction fraction of the pairs with a negative inner product
 */
public record GradientConfusion(int n, double minInnerProduct, double meanInnerProduct, double minCosine,
        double meanCosine, double meanSquaredNorm, double negativeFraction) {

    /** The confusion of the gradients whose Gram matrix (M_ij = <g_i, g_j>, n >= 2) is given. */
    public static GradientConfusion of(INDArray gram) {
        if (gram.rank() != 2 || gram.rows() != gram.columns() || gram.rows() < 2) {
            throw new IllegalArgumentException("gram: shape " + java.util.Arrays.toString(gram.shape())
                    + " is not allowed; allowed: a square matrix of at least 2 x 2");
        }
        double[][] m = gram.castTo(DataType.DOUBLE).toDoubleMatrix();
        int n = m.length;
        double minIp = Double.POSITIVE_INFINITY;
        double minCos = Double.POSITIVE_INFINITY;
        double sumIp = 0;
        double sumCos = 0;
        double sumSq = 0;
        long negative = 0;
        for (int i = 0; i < n; i++) {
            sumSq += m[i][i];
            for (int j = i + 1; j < n; j++) {
                double ip = m[i][j];
                double norms = Math.sqrt(m[i][i] * m[j][j]);
                // a zero gradient is orthogonal to every other: it neither helps nor hinders another example
                double cos = norms > 0 ? ip / norms : 0.0;
                minIp = Math.min(minIp, ip);
                minCos = Math.min(minCos, cos);
                sumIp += ip;
                sumCos += cos;
                if (ip < 0) {
                    negative++;
                }
            }
        }
        double pairs = n * (n - 1) / 2.0;
        return new GradientConfusion(n, minIp, sumIp / pairs, minCos, sumCos / pairs, sumSq / n, negative / pairs);
    }

    /** Within one batch: the per-example loss gradients of the point's examples. */
    public static GradientConfusion withinBatch(Point point) {
        return of(PerExampleGradients.gram(point));
    }

    /** Of the given flat gradients (e.g. minibatch mean gradients), through their float64 Gram G G^T. */
    public static GradientConfusion ofGradients(List<INDArray> gradients) {
        if (gradients.size() < 2) {
            throw new IllegalArgumentException("gradients: " + gradients.size() + " given; allowed: at least 2");
        }
        long p = gradients.get(0).length();
        INDArray g = Nd4j.create(DataType.DOUBLE, gradients.size(), p);
        for (int i = 0; i < gradients.size(); i++) {
            INDArray gi = gradients.get(i);
            if (gi.length() != p) {
                throw new IllegalArgumentException("gradients[" + i + "]: length " + gi.length() + " differs from gradients[0]'s " + p);
            }
            g.getRow(i).assign(gi.reshape(p));
        }
        return of(g.mmul(g.transpose()));
    }
}
