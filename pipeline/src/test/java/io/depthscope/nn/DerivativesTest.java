package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.probe.DenseHessian;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Gradients and Hessian-vector products against central finite differences, for every layer type. */
class DerivativesTest {
    static Stream<Arguments> configurations() {
        List<Arguments> list = new ArrayList<>();
        for (String arch : NetworkSpec.FULLY_CONNECTED) {
            for (String act : Activations.NAMES) {
                for (String loss : Loss.NAMES) {
                    for (boolean bias : new boolean[] {true, false}) {
                        list.add(Arguments.of(arch, act, loss, bias));
                    }
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} bias={3}")
    @MethodSource("configurations")
    void gradientMatchesCentralDifferences(String arch, String act, String lossName, boolean bias) {
        NetworkSpec spec = Fixtures.spec(arch, act, lossName, bias, 3);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 11, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 7, 12, DataType.DOUBLE);
        double[] g = net.at(batch, theta).gradient().toDoubleVector();
        double h = 1e-6;
        double[] fd = new double[g.length];
        // one point moved from parameters to parameters: the same arithmetic as a new point each time, without its buffers
        Point probe = net.at(batch, theta);
        for (int i = 0; i < g.length; i++) {
            INDArray plus = theta.dup();
            plus.putScalar(i, theta.getDouble(i) + h);
            INDArray minus = theta.dup();
            minus.putScalar(i, theta.getDouble(i) - h);
            fd[i] = (probe.moveTo(plus).loss() - probe.moveTo(minus).loss()) / (2 * h);
        }
        double err = Fixtures.relativeError(g, fd);
        assertTrue(err <= 1e-6, "relative error " + err);
    }

    @ParameterizedTest(name = "{0} {1} {2} bias={3}")
    @MethodSource("configurations")
    void hvpMatchesDifferencesOfGradients(String arch, String act, String lossName, boolean bias) {
        NetworkSpec spec = Fixtures.spec(arch, act, lossName, bias, 3);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 21, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 6, 22, DataType.DOUBLE);
        INDArray v = Fixtures.direction(net.paramCount(), 23, DataType.DOUBLE);
        double[] hv = net.at(batch, theta).hvp(v).toDoubleVector();
        double h = 1e-5;
        INDArray gPlus = net.at(batch, theta.add(v.mul(h))).gradient();
        INDArray gMinus = net.at(batch, theta.sub(v.mul(h))).gradient();
        double[] fd = gPlus.sub(gMinus).divi(2 * h).toDoubleVector();
        double err = Fixtures.relativeError(hv, fd);
        assertTrue(err <= 1e-6, "relative error " + err);
    }

    @ParameterizedTest(name = "{0} {1} {2} bias={3}")
    @MethodSource("configurations")
    void hvpIsSymmetricAndMatchesDenseHessian(String arch, String act, String lossName, boolean bias) {
        NetworkSpec spec = Fixtures.spec(arch, act, lossName, bias, 2);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 31, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 5, 32, DataType.DOUBLE);
        Point point = net.at(batch, theta);
        INDArray u = Fixtures.direction(net.paramCount(), 33, DataType.DOUBLE);
        INDArray v = Fixtures.direction(net.paramCount(), 34, DataType.DOUBLE);
        double uHv = dot(u, point.hvp(v));
        double vHu = dot(v, point.hvp(u));
        assertEquals(uHv, vHu, 1e-10 * Math.max(1, Math.abs(uHv)));

        // The dense Hessian from central differences of backpropagated gradients, independent of the R-operator.
        int p = (int) net.paramCount();
        double h = 1e-6;
        double[][] dense = new double[p][];
        Point probe = net.at(batch, theta);
        for (int j = 0; j < p; j++) {
            INDArray plus = theta.dup();
            plus.putScalar(j, theta.getDouble(j) + h);
            INDArray minus = theta.dup();
            minus.putScalar(j, theta.getDouble(j) - h);
            INDArray gPlus = probe.moveTo(plus).gradient().dup();
            dense[j] = gPlus.subi(probe.moveTo(minus).gradient()).divi(2 * h).toDoubleVector();
        }
        double asymmetry = 0;
        double[] expected = new double[p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                expected[i] += dense[j][i] * v.getDouble(j);
                asymmetry = Math.max(asymmetry, Math.abs(dense[i][j] - dense[j][i]));
            }
        }
        assertTrue(asymmetry < 1e-6, "the finite-difference Hessian is symmetric: " + asymmetry);
        double err = Fixtures.relativeError(point.hvp(v).toDoubleVector(), expected);
        assertTrue(err <= 1e-6, "relative error against the finite-difference Hessian " + err);
    }

    private static double dot(INDArray a, INDArray b) {
        return a.mul(b).sumNumber().doubleValue();
    }

    private static INDArray shift(INDArray theta, int i, double hi, int j, double hj) {
        INDArray t = theta.dup();
        t.putScalar(i, t.getDouble(i) + hi);
        t.putScalar(j, t.getDouble(j) + hj);
        return t;
    }

    @Test
    void denseHessianColumnsAreHessianVectorProducts() {
        NetworkSpec spec = Fixtures.spec("resmlp", "tanh", "cross_entropy", true, 2);
        Network net = Network.of(spec);
        Point point = net.at(Fixtures.batch(spec, 5, 41, DataType.DOUBLE), Fixtures.theta(net, 42, DataType.DOUBLE));
        INDArray dense = DenseHessian.of(point);
        INDArray v = Fixtures.direction(net.paramCount(), 43, DataType.DOUBLE);
        double err = Fixtures.relativeError(dense.mmul(v.reshape(-1, 1)).toDoubleVector(), point.hvp(v).toDoubleVector());
        assertTrue(err <= 1e-12, "relative error " + err);
    }

    @ParameterizedTest(name = "{0} {1} {2} bias={3}")
    @MethodSource("configurations")
    void gaussNewtonEqualsJacobianProduct(String arch, String act, String lossName, boolean bias) {
        // G = J^T H_f J with J = d f / d theta from finite differences of the outputs.
        NetworkSpec spec = Fixtures.spec(arch, act, lossName, bias, 2);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 51, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 4, 52, DataType.DOUBLE);
        Point point = net.at(batch, theta);
        INDArray v = Fixtures.direction(net.paramCount(), 53, DataType.DOUBLE);
        double h = 1e-5;
        INDArray jv = net.at(batch, theta.add(v.mul(h))).outputs().dup()
                .subi(net.at(batch, theta.sub(v.mul(h))).outputs()).divi(2 * h);
        // H_f (Jv) by differences of the loss gradient w.r.t. outputs, then J^T by the plain backward pass
        // is what gvp does; here check the scalar v.Gv = (Jv)^T H_f (Jv) instead, independently.
        double vGv = dot(v, point.gvp(v));
        double expected = quadraticInOutputs(lossName, point.outputs(), batch.targets(), jv);
        assertEquals(expected, vGv, 1e-6 * Math.max(1, Math.abs(expected)));
        assertTrue(vGv >= -1e-12, "the Gauss-Newton matrix of a convex loss is positive semi-definite");
    }

    /** r^T (d^2 Loss/df^2) r computed directly from the loss's closed form. */
    private static double quadraticInOutputs(String loss, INDArray f, INDArray y, INDArray r) {
        int n = (int) f.rows();
        int k = (int) f.columns();
        double total = 0;
        for (int i = 0; i < n; i++) {
            if ("mse".equals(loss)) {
                for (int c = 0; c < k; c++) {
                    total += r.getDouble(i, c) * r.getDouble(i, c);
                }
            } else {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    max = Math.max(max, f.getDouble(i, c));
                }
                double[] p = new double[k];
                double s = 0;
                for (int c = 0; c < k; c++) {
                    p[c] = Math.exp(f.getDouble(i, c) - max);
                    s += p[c];
                }
                double pr = 0;
                double prr = 0;
                for (int c = 0; c < k; c++) {
                    p[c] /= s;
                    pr += p[c] * r.getDouble(i, c);
                    prr += p[c] * r.getDouble(i, c) * r.getDouble(i, c);
                }
                total += prr - pr * pr;
            }
        }
        return total / n;
    }
}
