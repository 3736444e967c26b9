package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthscope.study.OptimizerSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every update against steps worked out by hand: first steps as literal numbers, later steps by the
 * update's formula written out in plain doubles, on f(theta) = 1/2 sum a_i theta_i^2 (gradient a theta).
 */
class OptimizerTest {
    private static final double[] A = {1.0, 3.0, 0.5};
    private static final double[] THETA0 = {1.0, -2.0, 0.5};

    private static double[] grad(double[] theta) {
        double[] g = new double[theta.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = A[i] * theta[i];
        }
        return g;
    }

    /** theta after each of {@code steps} updates of the optimiser under test. */
    private static double[][] run(OptimizerSpec spec, int steps, DataType dtype) {
        Optimizer opt = Optimizer.of(spec);
        INDArray theta = Nd4j.createFromArray(THETA0.clone()).castTo(dtype);
        INDArray g = Nd4j.create(dtype, THETA0.length);
        double[][] out = new double[steps][];
        for (int t = 0; t < steps; t++) {
            g.assign(Nd4j.createFromArray(grad(theta.toDoubleVector())).castTo(dtype));
            INDArray before = g.dup();
            opt.step(theta, g, t);
            assertEquals(before, g, "the optimiser must not write to the gradient");
            out[t] = theta.toDoubleVector();
        }
        return out;
    }

    @Test
    void gradientDescentFirstStepByHand() {
        // g = (1, -6, 0.25); theta - 0.1 g
        assertArrayEquals(new double[] {0.9, -1.4, 0.475}, run(OptimizerSpec.of("gd", 0.1), 1, DataType.DOUBLE)[0], 1e-15);
        // The same in float32.
        assertArrayEquals(new double[] {0.9, -1.4, 0.475}, run(OptimizerSpec.of("gd", 0.1), 1, DataType.FLOAT)[0], 1e-6);
    }

    @Test
    void gradientDescentThreeStepsContractEachCoordinate() {
        // With gradient a theta, GD multiplies theta_i by (1 - lr a_i) each step.
        double[][] got = run(OptimizerSpec.of("gd", 0.1), 3, DataType.DOUBLE);
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(THETA0[i] * Math.pow(1 - 0.1 * A[i], t + 1), got[t][i], 1e-14);
            }
        }
    }

    @Test
    void weightDecayIsL2AddedToTheGradient() {
        // g + wd theta = (1 + 0.5, -6 - 1, 0.25 + 0.25) = (1.5, -7, 0.5); theta - 0.1 that
        double[] first = run(OptimizerSpec.of("gd", 0.1).withWeightDecay(0.5), 1, DataType.DOUBLE)[0];
        assertArrayEquals(new double[] {0.85, -1.3, 0.45}, first, 1e-15);
    }

    @Test
    void heavyBallByHand() {
        double lr = 0.1;
        double mu = 0.9;
        double[][] got = run(OptimizerSpec.of("momentum", lr).withMomentum(mu), 3, DataType.DOUBLE);
        // Step 1: v = g, so it is a GD step.
        assertArrayEquals(new double[] {0.9, -1.4, 0.475}, got[0], 1e-15);
        // Step 2: theta1 = (0.9, -1.4, 0.475), g1 = (0.9, -4.2, 0.2375), v = 0.9 (1, -6, 0.25) + g1
        // = (1.8, -9.6, 0.4625); theta2 = theta1 - 0.1 v = (0.72, -0.44, 0.42875).
        assertArrayEquals(new double[] {0.72, -0.44, 0.42875}, got[1], 1e-14);
        double[] theta = THETA0.clone();
        double[] v = new double[3];
        for (int t = 0; t < 3; t++) {
            double[] g = grad(theta);
            for (int i = 0; i < 3; i++) {
                v[i] = mu * v[i] + g[i];
                theta[i] -= lr * v[i];
            }
            assertArrayEquals(theta, got[t], 1e-14, "step " + t);
        }
    }

    @Test
    void nesterovByHand() {
        double lr = 0.1;
        double mu = 0.9;
        double[][] got = run(OptimizerSpec.of("nesterov", lr).withMomentum(mu), 3, DataType.DOUBLE);
        // Step 1: v = g, step = g + mu g = 1.9 g = (1.9, -11.4, 0.475); theta - 0.1 that.
        assertArrayEquals(new double[] {0.81, -0.86, 0.4525}, got[0], 1e-15);
        double[] theta = THETA0.clone();
        double[] v = new double[3];
        for (int t = 0; t < 3; t++) {
            double[] g = grad(theta);
            for (int i = 0; i < 3; i++) {
                v[i] = mu * v[i] + g[i];
                theta[i] -= lr * (g[i] + mu * v[i]);
            }
            assertArrayEquals(theta, got[t], 1e-14, "step " + t);
        }
    }

    @Test
    void adamByHand() {
        double lr = 0.05;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double[][] got = run(OptimizerSpec.of("adam", lr), 3, DataType.DOUBLE);
        // Step 1: m_hat = g and v_hat = g^2, so the step is lr g / (|g| + eps), lr sign(g) up to eps.
        assertArrayEquals(new double[] {0.95, -1.95, 0.45}, got[0], 1e-8);
        double[] theta = THETA0.clone();
        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= 3; t++) {
            double[] g = grad(theta);
            for (int i = 0; i < 3; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                theta[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
            assertArrayEquals(theta, got[t - 1], 1e-14, "step " + t);
        }
    }

    @Test
    void adamWeightDecayIsCoupledAndAdamwsIsDecoupled() {
        double lr = 0.05;
        double wd = 0.2;
        double[][] coupled = run(OptimizerSpec.of("adam", lr).withWeightDecay(wd), 2, DataType.DOUBLE);
        double[][] decoupled = run(OptimizerSpec.of("adamw", lr).withWeightDecay(wd), 2, DataType.DOUBLE);
        // adamw, step 1: theta (1 - lr wd) = 0.99 theta, then lr sign(g): (0.94, -1.93, 0.445).
        assertArrayEquals(new double[] {0.94, -1.93, 0.445}, decoupled[0], 1e-8);
        // adam, step 1: g + wd theta has the sign of g here, so again lr sign: (0.95, -1.95, 0.45).
        assertArrayEquals(new double[] {0.95, -1.95, 0.45}, coupled[0], 1e-8);
        double[] tc = THETA0.clone();
        double[] tw = THETA0.clone();
        double[][] mc = new double[2][3];
        double[][] mw = new double[2][3];
        for (int t = 1; t <= 2; t++) {
            double[] gc = grad(tc);
            double[] gw = grad(tw);
            for (int i = 0; i < 3; i++) {
                gc[i] += wd * tc[i];
                tw[i] *= 1 - lr * wd;
            }
            adamStep(tc, gc, mc, t, lr);
            adamStep(tw, gw, mw, t, lr);
            assertArrayEquals(tc, coupled[t - 1], 1e-14, "adam step " + t);
            assertArrayEquals(tw, decoupled[t - 1], 1e-14, "adamw step " + t);
        }
    }

    private static void adamStep(double[] theta, double[] g, double[][] mv, int t, double lr) {
        for (int i = 0; i < theta.length; i++) {
            mv[0][i] = 0.9 * mv[0][i] + 0.1 * g[i];
            mv[1][i] = 0.999 * mv[1][i] + 0.001 * g[i] * g[i];
            double denom = Math.sqrt(mv[1][i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
            theta[i] -= lr / (1 - Math.pow(0.9, t)) * mv[0][i] / denom;
        }
    }

    @Test
    void clippingRescalesTheGradientToTheGlobalNorm() {
        // |g| = |(1, -6, 0.25)| = sqrt(37.0625); clipped to norm 1 (torch's factor 1 / (|g| + 1e-6)).
        double norm = Math.sqrt(37.0625);
        double c = 1 / (norm + 1e-6);
        double[] first = run(OptimizerSpec.of("gd", 0.1).withClipNorm(1.0), 1, DataType.DOUBLE)[0];
        assertArrayEquals(new double[] {1 - 0.1 * c, -2 + 0.6 * c, 0.5 - 0.025 * c}, first, 1e-15);
        // A clip above the norm leaves the step alone.
        assertArrayEquals(new double[] {0.9, -1.4, 0.475}, run(OptimizerSpec.of("gd", 0.1).withClipNorm(10.0), 1, DataType.DOUBLE)[0],
                1e-15);
    }

    @Test
    void theScheduleSetsEachStepsLearningRate() {
        // Step schedule, every 1 step, gamma 0.5: lr 0.1 then 0.05; theta_i (1 - 0.1 a_i)(1 - 0.05 a_i).
        double[][] got = run(OptimizerSpec.of("gd", 0.1).withStepSchedule(1, 0.5), 2, DataType.DOUBLE);
        for (int i = 0; i < 3; i++) {
            assertEquals(THETA0[i] * (1 - 0.1 * A[i]) * (1 - 0.05 * A[i]), got[1][i], 1e-15);
        }
    }

    @Test
    void float32UpdatesAgreeWithFloat64ToSinglePrecision() {
        for (OptimizerSpec spec : new OptimizerSpec[] {OptimizerSpec.of("nesterov", 0.1), OptimizerSpec.of("momentum", 0.1),
                OptimizerSpec.of("adam", 0.05).withClipNorm(2.0), OptimizerSpec.of("adamw", 0.05)}) {
            double[][] f64 = run(spec, 4, DataType.DOUBLE);
            double[][] f32 = run(spec, 4, DataType.FLOAT);
            for (int t = 0; t < 4; t++) {
                assertArrayEquals(f64[t], f32[t], 1e-5, spec.kind() + " step " + t);
            }
        }
    }

    @Test
    void aMismatchedVectorIsRefused() {
        Optimizer opt = Optimizer.of(OptimizerSpec.of("momentum", 0.1));
        INDArray theta = Nd4j.createFromArray(1.0, 2.0);
        opt.step(theta, Nd4j.createFromArray(0.1, 0.1), 0);
        String msg = assertThrows(IllegalArgumentException.class,
                () -> opt.step(Nd4j.createFromArray(1.0, 2.0, 3.0), Nd4j.createFromArray(0.1, 0.1, 0.1), 1)).getMessage();
        assertEquals(true, msg.contains("vectors of 2"), msg);
    }
}
