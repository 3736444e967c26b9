package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The checks every module's passes must pass, on a small float64 network built around it: the gradient against
 * central differences of the loss, Hv against central differences of the gradient, and a block of directions
 * against the same directions one at a time. A new module type is tested by building a tiny network with it
 * and calling {@link #all}.
 */
public final class ModuleChecks {
    private ModuleChecks() {}

    /** A point in {@code mode} on a copy of {@code buffers} (null when the network has none), so no check changes them. */
    public static Point at(Network net, Batch batch, INDArray theta, INDArray buffers, Mode mode) {
        return net.at(batch, theta, buffers == null ? null : buffers.dup(), mode);
    }

    public static void all(Network net, Batch batch, INDArray theta, INDArray buffers, Mode mode, long seed) {
        gradientMatchesDifferences(net, batch, theta, buffers, mode, 1e-6);
        hvpMatchesDifferences(net, batch, theta, buffers, mode, seed, 1e-6);
        blockMatchesSingleDirections(net, batch, theta, buffers, mode, seed, 3, 1e-12);
    }

    public static void gradientMatchesDifferences(Network net, Batch batch, INDArray theta, INDArray buffers, Mode mode, double tol) {
        double[] g = at(net, batch, theta, buffers, mode).gradient().toDoubleVector();
        double h = 1e-6;
        double[] fd = new double[g.length];
        // one point moved from parameters to parameters (the buffers are only read): no buffers allocated per evaluation
        Point probe = at(net, batch, theta, buffers, mode);
        for (int i = 0; i < g.length; i++) {
            INDArray plus = theta.dup();
            plus.putScalar(i, theta.getDouble(i) + h);
            INDArray minus = theta.dup();
            minus.putScalar(i, theta.getDouble(i) - h);
            fd[i] = (probe.moveTo(plus).loss() - probe.moveTo(minus).loss()) / (2 * h);
        }
        double err = Fixtures.relativeError(g, fd);
        assertTrue(err <= tol, "gradient: relative error " + err + " against central differences");
    }

    public static void hvpMatchesDifferences(Network net, Batch batch, INDArray theta, INDArray buffers, Mode mode, long seed, double tol) {
        INDArray v = Fixtures.direction(net.paramCount(), seed, DataType.DOUBLE);
        double[] hv = at(net, batch, theta, buffers, mode).hvp(v).toDoubleVector();
        double h = 1e-5;
        INDArray gPlus = at(net, batch, theta.add(v.mul(h)), buffers, mode).gradient();
        INDArray gMinus = at(net, batch, theta.sub(v.mul(h)), buffers, mode).gradient();
        double[] fd = gPlus.sub(gMinus).divi(2 * h).toDoubleVector();
        double err = Fixtures.relativeError(hv, fd);
        assertTrue(err <= tol, "Hv: relative error " + err + " against central differences of the gradient");
    }

    public static void blockMatchesSingleDirections(Network net, Batch batch, INDArray theta, INDArray buffers, Mode mode, long seed,
                                                    int k, double tol) {
        Point point = at(net, batch, theta, buffers, mode);
        INDArray block = Nd4j.create(DataType.DOUBLE, k, net.paramCount());
        for (int j = 0; j < k; j++) {
            block.getRow(j).assign(Fixtures.direction(net.paramCount(), seed + 100 + j, DataType.DOUBLE));
        }
        INDArray out = Nd4j.create(DataType.DOUBLE, k, net.paramCount());
        point.hvpBlock(block, out);
        for (int j = 0; j < k; j++) {
            double[] single = point.hvp(block.getRow(j).dup()).toDoubleVector();
            double err = Fixtures.relativeError(out.getRow(j).toDoubleVector(), single);
            assertTrue(err <= tol, "block direction " + j + " of " + k + ": relative error " + err + " against a single Hv");
        }
    }
}
