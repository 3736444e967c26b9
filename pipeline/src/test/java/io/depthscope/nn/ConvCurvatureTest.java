package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.probe.DenseHessian;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The Hessian of conv networks as a whole: dense and symmetric, and the same in float32 up to its rounding. */
class ConvCurvatureTest {
    /** One Conv2d with two filters on 4x4 images, tanh, flatten, linear: P = 86. */
    @Test
    void denseHessianIsSymmetricAndMatchesHvAndDifferences() {
        Conv2d conv = new Conv2d("conv", 0, 1, 2, 3, 1, 1, true, 4, 4);
        Network net = ImageFixtures.mse(conv, ImageFixtures.tanh(conv), new Flatten(conv.outputShape()), new Linear("fc", 1, 32, 2, true));
        int p = (int) net.paramCount();
        INDArray theta = ImageFixtures.theta(net, 81, DataType.DOUBLE);
        Batch batch = ImageFixtures.batch(net, 3, 82, DataType.DOUBLE);
        Point point = net.at(batch, theta);

        INDArray raw = Nd4j.create(DataType.DOUBLE, p, p);
        for (int j = 0; j < p; j++) {
            INDArray e = Nd4j.create(DataType.DOUBLE, p);
            e.putScalar(j, 1.0);
            raw.putColumn(j, point.hvp(e));
        }
        double norm = raw.norm2Number().doubleValue();
        double asymmetry = raw.sub(raw.transpose()).norm2Number().doubleValue() / norm;
        assertTrue(asymmetry <= 1e-13, "asymmetry " + asymmetry);

        INDArray dense = DenseHessian.of(point);
        double vsColumns = dense.sub(raw).norm2Number().doubleValue() / norm;
        assertTrue(vsColumns <= 1e-13, "DenseHessian against Hv columns " + vsColumns);

        INDArray v = Fixtures.direction(p, 83, DataType.DOUBLE);
        double vsProduct = Fixtures.relativeError(point.hvp(v).toDoubleVector(), dense.mmul(v.reshape(p, 1)).reshape(p).toDoubleVector());
        assertTrue(vsProduct <= 1e-13, "H v against Hv " + vsProduct);

        // columns of a conv weight, the conv bias and the linear weight against differences of the gradient
        double h = 1e-5;
        for (int j : new int[] {0, 7, 18, 19, 40}) {
            INDArray plus = theta.dup();
            plus.putScalar(j, theta.getDouble(j) + h);
            INDArray minus = theta.dup();
            minus.putScalar(j, theta.getDouble(j) - h);
            double[] fd = net.at(batch, plus).gradient().sub(net.at(batch, minus).gradient()).divi(2 * h).toDoubleVector();
            double err = Fixtures.relativeError(dense.getColumn(j).toDoubleVector(), fd);
            assertTrue(err <= 1e-7, "column " + j + " against differences of the gradient: " + err);
        }
    }

    /**
     * The Gauss-Newton product, which runs every module's transposed Jacobian, against an independent route: with
     * mse, Gv = (1/N) J^T J v is the gradient at the same parameters on the targets f - J v, with J v by central
     * differences of the outputs. On both PyTorch networks (conv_stride_pool; resnet8_nobn's modules under mse).
     */
    @Test
    void gaussNewtonMatchesTheGradientOnLinearisedTargets() {
        Network pools = TorchCnnModulesTest.convStridePool();
        TorchCnnModulesTest.Loaded f = TorchCnnModulesTest.load(pools, "conv_stride_pool");
        assertGaussNewton(pools, f.batch(), f.theta(), f.v());
        Network resnet = new Network(null, TorchCnnModulesTest.resnet8NoBn().layers(), Loss.of("mse"));
        TorchCnnModulesTest.Loaded r = TorchCnnModulesTest.load(TorchCnnModulesTest.resnet8NoBn(), "resnet8_nobn");
        Batch batch = new Batch(r.batch().x(), Nd4j.randn(DataType.DOUBLE, 8, 10));
        assertGaussNewton(resnet, batch, r.theta(), r.v());
    }

    private static void assertGaussNewton(Network net, Batch batch, INDArray theta, INDArray v) {
        Point point = net.at(batch, theta);
        double h = 1e-5;
        INDArray jv = net.at(batch, theta.add(v.mul(h))).outputs().sub(net.at(batch, theta.sub(v.mul(h))).outputs()).divi(2 * h);
        INDArray linearised = point.outputs().sub(jv);
        double[] expected = net.at(new Batch(batch.x(), linearised), theta).gradient().toDoubleVector();
        double err = Fixtures.relativeError(point.gvp(v).toDoubleVector(), expected);
        assertTrue(err <= 1e-7, "Gv against the gradient on f - Jv: relative error " + err);
    }

    /** The PyTorch conv_stride_pool network in float32 against float64: loss, gradient, Hv and a block of Hv. */
    @Test
    void float32AgreesWithFloat64() {
        Network net = TorchCnnModulesTest.convStridePool();
        TorchCnnModulesTest.Loaded f = TorchCnnModulesTest.load(net, "conv_stride_pool");
        Point p64 = net.at(f.batch(), f.theta());
        Point p32 = net.at(f.batch().as(DataType.FLOAT), f.theta().castTo(DataType.FLOAT));
        double lossErr = Math.abs(p32.loss() - p64.loss()) / Math.abs(p64.loss());
        double gradErr = Fixtures.relativeError(p32.gradient().toDoubleVector(), p64.gradient().toDoubleVector());
        double hvErr = Fixtures.relativeError(p32.hvp(f.v().castTo(DataType.FLOAT)).toDoubleVector(), p64.hvp(f.v()).toDoubleVector());
        INDArray block = Nd4j.create(DataType.DOUBLE, 2, net.paramCount());
        block.getRow(0).assign(f.v());
        block.getRow(1).assign(Fixtures.direction(net.paramCount(), 91, DataType.DOUBLE));
        INDArray out64 = Nd4j.create(DataType.DOUBLE, 2, net.paramCount());
        INDArray out32 = Nd4j.create(DataType.FLOAT, 2, net.paramCount());
        p64.hvpBlock(block, out64);
        p32.hvpBlock(block.castTo(DataType.FLOAT), out32);
        double blockErr = Fixtures.relativeError(out32.reshape(-1).toDoubleVector(), out64.reshape(-1).toDoubleVector());
        String what = "float32 against float64: loss " + lossErr + ", gradient " + gradErr + ", Hv " + hvErr + ", block " + blockErr;
        System.out.println(what);
        assertTrue(lossErr <= 1e-5 && gradErr <= 1e-4 && hvErr <= 1e-4 && blockErr <= 1e-4, what);
        assertTrue(lossErr > 0 || gradErr > 0, "the float32 run should round differently: " + what);
    }
}
