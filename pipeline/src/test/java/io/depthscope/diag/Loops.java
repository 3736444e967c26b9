package io.depthscope.diag;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The slow references: one single-example batch per example (its mean loss is that example's loss). */
final class Loops {
    private Loops() {}

    static Batch row(Batch batch, int i) {
        return new Batch(batch.x().getRow(i, true).dup(), batch.targets().getRow(i, true).dup());
    }

    /** g_i = d loss_i / d theta for every example, from N separate one-example points, [N][P]. */
    static double[][] perExampleGradients(Network net, Batch batch, INDArray theta) {
        double[][] g = new double[batch.size()][];
        for (int i = 0; i < g.length; i++) {
            g[i] = net.at(row(batch, i), theta).gradient().toDoubleVector();
        }
        return g;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[][] gram(double[][] rows) {
        int n = rows.length;
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i][j] = dot(rows[i], rows[j]);
            }
        }
        return m;
    }

    static double[] flat(double[][] m) {
        return Nd4j.createFromArray(m).reshape(-1).toDoubleVector();
    }

    static INDArray matrix(double[][] m) {
        return Nd4j.createFromArray(m).castTo(DataType.DOUBLE);
    }
}
