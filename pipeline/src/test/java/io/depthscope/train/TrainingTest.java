package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.data.MinibatchSampler;
import io.depthscope.data.SphereData;
import io.depthscope.nn.Batch;
import io.depthscope.nn.InitSpec;
import io.depthscope.nn.Initializers;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import io.depthscope.study.OptimizerSpec;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Optimisers on whole problems: least squares against its closed form, and networks through Point. */
class TrainingTest {
    private static final int ROWS = 12;
    private static final int COLS = 4;

    /** Minimises 1/2 |A theta - b|^2 from 0 with the gradient A^T (A theta - b) computed in ND4J. */
    private static double[] leastSquares(OptimizerSpec spec, int steps, DataType dtype, double[] a, double[] b) {
        INDArray am = RandomArrays.matrix(a, ROWS, COLS, dtype);
        INDArray bv = RandomArrays.matrix(b, ROWS, 1, dtype);
        INDArray theta = Nd4j.zeros(dtype, COLS);
        INDArray grad = Nd4j.zeros(dtype, COLS);
        Optimizer opt = Optimizer.of(spec);
        for (int t = 0; t < steps; t++) {
            INDArray residual = am.mmul(theta.reshape(COLS, 1)).subi(bv);
            grad.assign(am.transpose().mmul(residual).reshape(COLS));
            opt.step(theta, grad, t);
        }
        return theta.toDoubleVector();
    }

    @Test
    void gradientDescentAndMomentumReachTheLeastSquaresSolution() {
        SplittableRandom rng = Seeds.stream(5, "test-lstsq");
        double[] a = RandomArrays.gaussian(rng, ROWS * COLS, 1.0);
        double[] b = RandomArrays.gaussian(rng, ROWS, 1.0);
        RealMatrix am = new Array2DRowRealMatrix(ROWS, COLS);
        for (int i = 0; i < a.length; i++) {
            am.setEntry(i / COLS, i % COLS, a[i]);
        }
        double[] exact = new QRDecomposition(am).getSolver().solve(new ArrayRealVector(b)).toArray();
        double sMax = new SingularValueDecomposition(am).getSingularValues()[0];
        // lr = 1 / lambda_max(A^T A): GD contracts direction i by 1 - lambda_i / lambda_max per step, which
        // for this well-conditioned 12 x 4 problem gets within 1e-10 well inside the 1000 steps.
        double lr = 1.0 / (sMax * sMax);
        for (OptimizerSpec spec : new OptimizerSpec[] {OptimizerSpec.of("gd", lr), OptimizerSpec.of("momentum", lr).withMomentum(0.5),
                OptimizerSpec.of("nesterov", lr).withMomentum(0.5)}) {
            double[] got = leastSquares(spec, 1000, DataType.DOUBLE, a, b);
            for (int i = 0; i < COLS; i++) {
                assertEquals(exact[i], got[i], 1e-10, spec.kind() + " coordinate " + i);
            }
        }
        double[] f32 = leastSquares(OptimizerSpec.of("gd", lr), 1000, DataType.FLOAT, a, b);
        for (int i = 0; i < COLS; i++) {
            assertEquals(exact[i], f32[i], 1e-4 * (1 + Math.abs(exact[i])), "float32 coordinate " + i);
        }
    }

    @Test
    void aWideShallowNetworkFitsRandomLabelsByFullBatchGradientDescent() {
        // Du et al. (2018): with width 256 >> N = 20, full-batch GD drives the training loss of random
        // +-1 labels to ~0. lr = 0.05 was picked by trying (1.0 diverges); with it relu reaches 1e-3 in
        // ~340 steps and tanh in ~1650 on this seed, so 5000 leaves a margin for other BLAS roundings.
        Batch data = SphereData.randomSigns(20, 10, 3, DataType.DOUBLE);
        for (String activation : new String[] {"relu", "tanh"}) {
            Network net = Network.of(new NetworkSpec("mlp", 10, 256, 1, 1, activation, true, 1.0, "mse"));
            INDArray theta = Initializers.initialize(net, InitSpec.he(), 4, DataType.DOUBLE);
            Point point = net.at(data, theta);
            double initial = point.loss();
            Optimizer gd = Optimizer.of(OptimizerSpec.of("gd", 0.05));
            int step = 0;
            for (; step < 5000 && point.loss() > 1e-3; step++) {
                gd.step(theta, point.gradient(), step);
                point.moveTo(theta);
            }
            assertTrue(point.loss() <= 1e-3, activation + ": loss " + point.loss() + " after " + step + " steps (initial " + initial + ")");
        }
    }

    @Test
    void minibatchAdamAndMomentumLowerTheFullBatchLossOfANetwork() {
        Batch data = SphereData.randomSigns(32, 6, 8, DataType.DOUBLE);
        Network net = Network.of(new NetworkSpec("mlp", 6, 32, 2, 1, "tanh", true, 1.0, "mse"));
        for (OptimizerSpec spec : new OptimizerSpec[] {OptimizerSpec.of("adam", 0.01).withBatchSize(8),
                OptimizerSpec.of("sgd", 0.1).withBatchSize(8), OptimizerSpec.of("momentum", 0.05).withBatchSize(8)}) {
            INDArray theta = Initializers.initialize(net, InitSpec.lecun(), 6, DataType.DOUBLE);
            double initial = net.at(data, theta).loss();
            MinibatchSampler sampler = new MinibatchSampler(data.size(), spec.batchSize(), true, 7);
            Optimizer opt = Optimizer.of(spec);
            for (int t = 0; t < 400; t++) {
                Point p = net.at(MinibatchSampler.gather(data, sampler.batch(t)), theta);
                opt.step(theta, p.gradient(), t);
            }
            double last = net.at(data, theta).loss();
            assertTrue(last < 0.5 * initial, spec.kind() + ": full-batch loss " + initial + " -> " + last);
        }
    }
}
