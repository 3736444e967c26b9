package io.depthscope.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The NTK Gram against dense Jacobians (exact backward passes and finite differences) and closed forms. */
class NtkTest {
    private static NetworkSpec spec(String arch, String act, boolean bias, int depth, int outputs) {
        // the kernel does not involve the loss; mse lets a backward pass compute one Jacobian row exactly
        return new NetworkSpec(arch, 4, 5, depth, outputs, act, bias, 0.7, "mse").validate();
    }

    static Stream<Arguments> configurations() {
        List<Arguments> list = new ArrayList<>();
        for (String arch : NetworkSpec.FULLY_CONNECTED) {
            for (boolean bias : new boolean[] {true, false}) {
                for (int k : new int[] {1, 3}) {
                    list.add(Arguments.of(arch, bias, k));
                }
            }
        }
        return list.stream();
    }

    /**
     * Row (n, c) of the Jacobian, df_c(x_n)/dtheta: the gradient of 1/2 ||f(x_n) - y||^2 on the one-example
     * batch x_n with y = f(x_n) - e_c, whose dLoss/df is exactly e_c.
     */
    private static double[][][] jacobianByBackward(Network net, Batch batch, INDArray theta) {
        int k = net.spec().outputDim();
        double[][][] j = new double[k][batch.size()][];
        for (int n = 0; n < batch.size(); n++) {
            Batch row = Loops.row(batch, n);
            INDArray f = net.at(row, theta).outputs().dup();
            for (int c = 0; c < k; c++) {
                INDArray y = f.dup();
                y.putScalar(0, c, f.getDouble(0, c) - 1.0);
                j[c][n] = net.at(new Batch(row.x(), y), theta).gradient().toDoubleVector();
            }
        }
        return j;
    }

    /** Row (n, c) by central differences of the outputs, one parameter at a time. */
    private static double[][][] jacobianByDifferences(Network net, Batch batch, INDArray theta, double h) {
        int k = net.spec().outputDim();
        int p = (int) net.paramCount();
        double[][][] j = new double[k][batch.size()][p];
        for (int q = 0; q < p; q++) {
            INDArray plus = theta.dup();
            plus.putScalar(q, theta.getDouble(q) + h);
            INDArray minus = theta.dup();
            minus.putScalar(q, theta.getDouble(q) - h);
            INDArray diff = net.at(batch, plus).outputs().sub(net.at(batch, minus).outputs()).divi(2 * h);
            for (int c = 0; c < k; c++) {
                for (int n = 0; n < batch.size(); n++) {
                    j[c][n][q] = diff.getDouble(n, c);
                }
            }
        }
        return j;
    }

    /** K = sum_c J_c J_c^T. */
    private static double[] kernel(double[][][] jacobian) {
        int n = jacobian[0].length;
        double[][] k = new double[n][n];
        for (double[][] jc : jacobian) {
            double[][] g = Loops.gram(jc);
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    k[a][b] += g[a][b];
                }
            }
        }
        return Loops.flat(k);
    }

    @ParameterizedTest(name = "{0} bias={1} k={2}")
    @MethodSource("configurations")
    void matchesJacobianFromBackwardPasses(String arch, boolean bias, int k) {
        Network net = Network.of(spec(arch, "tanh", bias, 3, k));
        INDArray theta = Fixtures.theta(net, 101, DataType.DOUBLE);
        Batch batch = Fixtures.batch(net.spec(), 6, 102, DataType.DOUBLE);
        double[] actual = Ntk.gram(net.at(batch, theta)).reshape(-1).toDoubleVector();
        double err = Fixtures.relativeError(actual, kernel(jacobianByBackward(net, batch, theta)));
        assertTrue(err <= 1e-12, "relative error " + err);
    }

    @ParameterizedTest(name = "{0} {1} bias={2}")
    @CsvSource({"mlp, softplus, true", "resmlp, tanh, false", "resmlp, sigmoid, true"})
    void matchesJacobianFromFiniteDifferences(String arch, String act, boolean bias) {
        Network net = Network.of(spec(arch, act, bias, 3, 2));
        INDArray theta = Fixtures.theta(net, 111, DataType.DOUBLE);
        Batch batch = Fixtures.batch(net.spec(), 5, 112, DataType.DOUBLE);
        double[] actual = Ntk.gram(net.at(batch, theta)).reshape(-1).toDoubleVector();
        double err = Fixtures.relativeError(actual, kernel(jacobianByDifferences(net, batch, theta, 1e-5)));
        assertTrue(err <= 1e-8, "relative error " + err);
    }

    @ParameterizedTest(name = "{0} bias={1}")
    @CsvSource({"mlp, true", "mlp, false", "resmlp, true"})
    void lastMapContributesOutputsTimesHiddenGramPlusBias(String arch, boolean bias) {
        int k = 3;
        Network net = Network.of(spec(arch, "tanh", bias, 3, k));
        Point point = net.at(Fixtures.batch(net.spec(), 6, 122, DataType.DOUBLE), Fixtures.theta(net, 121, DataType.DOUBLE));
        // f_c = h . W_c + b_c: df_c/dW_c' = [c = c'] h, df_c/db_c' = [c = c'], so K_last = k (H H^T + [bias] 1 1^T)
        INDArray h = point.layerOutput(net.layers().size() - 2);
        INDArray expected = h.mmul(h.transpose()).addi(bias ? 1.0 : 0.0).muli(k);
        List<INDArray> byMap = Ntk.gramByMap(point);
        assertEquals(net.linearMaps().size(), byMap.size());
        double err = Fixtures.relativeError(byMap.get(byMap.size() - 1).reshape(-1).toDoubleVector(), expected.reshape(-1).toDoubleVector());
        assertTrue(err <= 1e-14, "relative error " + err);
        INDArray sum = byMap.get(0).dup();
        for (int i = 1; i < byMap.size(); i++) {
            sum.addi(byMap.get(i));
        }
        assertTrue(Fixtures.relativeError(sum.reshape(-1).toDoubleVector(), Ntk.gram(point).reshape(-1).toDoubleVector()) <= 1e-15);
    }

    @Test
    void oneHiddenLayerFirstMapClosedForm() {
        // f_c(x) = sum_j V_cj tanh(w_j . x + b_j) + c_c: the first map's kernel is
        // sum_c sum_j V_cj^2 (1 - h_mj^2)(1 - h_nj^2) (x_m . x_n + 1)
        int k = 2;
        Network net = Network.of(spec("mlp", "tanh", true, 1, k));
        INDArray theta = Fixtures.theta(net, 131, DataType.DOUBLE);
        Batch batch = Fixtures.batch(net.spec(), 6, 132, DataType.DOUBLE);
        Point point = net.at(batch, theta);
        double[][] v = net.layout().view(theta, "layers.1.weight").toDoubleMatrix();
        double[][] h = point.layerOutput(1).toDoubleMatrix();
        double[][] x = batch.x().toDoubleMatrix();
        int n = x.length;
        double[][] expected = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double s = 0;
                for (int c = 0; c < k; c++) {
                    for (int j = 0; j < h[0].length; j++) {
                        s += v[c][j] * v[c][j] * (1 - h[a][j] * h[a][j]) * (1 - h[b][j] * h[b][j]);
                    }
                }
                expected[a][b] = s * (Loops.dot(x[a], x[b]) + 1);
            }
        }
        double err = Fixtures.relativeError(Ntk.gramByMap(point).get(0).reshape(-1).toDoubleVector(), Loops.flat(expected));
        assertTrue(err <= 1e-13, "relative error " + err);
    }

    @Test
    void pullbacksLeaveThePointIntact() {
        Network net = Network.of(Fixtures.spec("resmlp", "softplus", "cross_entropy", true, 3));
        INDArray theta = Fixtures.theta(net, 141, DataType.DOUBLE);
        Batch batch = Fixtures.batch(net.spec(), 6, 142, DataType.DOUBLE);
        INDArray v = Fixtures.direction(net.paramCount(), 143, DataType.DOUBLE);
        Point fresh = net.at(batch, theta);
        double[] hv = fresh.hvp(v).toDoubleVector();
        double[] gram = PerExampleGradients.gram(fresh).reshape(-1).toDoubleVector();
        Point point = net.at(batch, theta);
        Ntk.gram(point);
        assertEquals(0.0, Fixtures.relativeError(point.gradient().toDoubleVector(), fresh.gradient().toDoubleVector()), 0.0);
        assertEquals(0.0, Fixtures.relativeError(PerExampleGradients.gram(point).reshape(-1).toDoubleVector(), gram), 0.0);
        assertTrue(Fixtures.relativeError(point.hvp(v).toDoubleVector(), hv) <= 1e-14);
    }

    @Test
    void spectrumOfKnownMatrices() {
        NtkGram g = NtkGram.of(Nd4j.createFromArray(new double[][] {{2, 1, 0}, {1, 2, 0}, {0, 0, 4}}), 1);
        assertEquals(1.0, g.lambdaMin(), 1e-14);
        assertEquals(4.0, g.lambdaMax(), 1e-14);
        assertEquals(4.0, g.conditionNumber(), 1e-13);
        assertEquals(8.0, g.trace(), 0.0);
        assertEquals(Math.sqrt(26.0), g.frobenius(), 1e-14);
        NtkGram singular = NtkGram.of(Nd4j.createFromArray(new double[][] {{1, -1}, {-1, 1}}), 1);
        assertEquals(0.0, singular.lambdaMin(), 1e-15);
        assertEquals(2.0, singular.lambdaMax(), 1e-14);
        assertTrue(singular.conditionNumber() > 1e14, "condition number " + singular.conditionNumber());
    }

    @Test
    void kernelOfAPointIsPositiveSemidefiniteWithTheJacobianTrace() {
        Network net = Network.of(spec("mlp", "tanh", true, 3, 3));
        INDArray theta = Fixtures.theta(net, 151, DataType.DOUBLE);
        Batch batch = Fixtures.batch(net.spec(), 6, 152, DataType.DOUBLE);
        NtkGram g = NtkGram.at(net.at(batch, theta));
        double squaredJacobian = 0;
        for (double[][] jc : jacobianByBackward(net, batch, theta)) {
            for (double[] row : jc) {
                squaredJacobian += Loops.dot(row, row);
            }
        }
        assertEquals(squaredJacobian, g.trace(), 1e-12 * squaredJacobian);
        assertEquals(3, g.outputs());
        assertTrue(g.lambdaMin() > 0, "6 examples, 103 parameters: K is nonsingular, lambda_min " + g.lambdaMin());
        assertEquals(g.lambdaMax() / g.lambdaMin(), g.conditionNumber(), 1e-12 * g.conditionNumber());
    }

    @Test
    void driftAndAlignmentOfScaledAndMovedKernels() {
        INDArray k0 = Nd4j.createFromArray(new double[][] {{2, 1}, {1, 3}});
        assertEquals(0.0, Ntk.drift(k0, k0.dup()), 0.0);
        assertEquals(1.0, Ntk.drift(k0, k0.mul(2)), 1e-15);
        assertEquals(1.0, Ntk.alignment(k0, k0.mul(2)), 1e-15);
        // first order in the step: halving a small gradient step halves the drift
        Network net = Network.of(Fixtures.spec("mlp", "tanh", "mse", true, 3));
        INDArray theta = Fixtures.theta(net, 161, DataType.DOUBLE);
        Batch batch = Fixtures.batch(net.spec(), 6, 162, DataType.DOUBLE);
        Point point = net.at(batch, theta);
        INDArray k = Ntk.gram(point);
        INDArray step = point.gradient().dup();
        double big = Ntk.drift(k, Ntk.gram(net.at(batch, theta.sub(step.mul(2e-4)))));
        double small = Ntk.drift(k, Ntk.gram(net.at(batch, theta.sub(step.mul(1e-4)))));
        assertTrue(small > 0);
        assertEquals(2.0, big / small, 1e-2, "drift " + small + " then " + big);
    }
}
