package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two convolution kernels against each other on one network, every pass a point runs through a convolution:
 * loss, gradient, Hv, a block of Hv, Gv (the transposed Jacobian) and input tangents (the R-pass with no parameter
 * direction). The first convolution has a bias, stride 2 and no R-input (its R{a} is zero); the second has none of
 * these. The checks against differences and PyTorch run on both kernels elsewhere (ImageFixtures.check,
 * TorchCnnReferenceTest).
 */
class ConvKernelsTest {
    static Network network() {
        Conv2d c0 = new Conv2d("c0", 0, 3, 5, 3, 2, 1, true, 11, 9);
        Conv2d c1 = new Conv2d("c1", 1, 5, 4, 3, 1, 1, false, 6, 5);
        Flatten flat = new Flatten(c1.outputShape());
        return ImageFixtures.mse(c0, ImageFixtures.tanh(c0), c1, ImageFixtures.tanh(c1), flat, new Linear("fc", 2, 120, 3, true));
    }

    /** Every output of the passes above, in one list, computed on {@code kernels}. */
    static List<double[]> passes(ConvKernels kernels, DataType dtype) {
        Network net = network();
        INDArray theta = ImageFixtures.theta(net, 5, DataType.DOUBLE).castTo(dtype);
        Batch batch = ImageFixtures.batch(net, 6, 6, DataType.DOUBLE).as(dtype);
        INDArray v = Fixtures.direction(net.paramCount(), 7, DataType.DOUBLE).castTo(dtype);
        INDArray block = Nd4j.create(dtype, 3, net.paramCount());
        for (int j = 0; j < 3; j++) {
            block.getRow(j).assign(Fixtures.direction(net.paramCount(), 8 + j, DataType.DOUBLE));
        }
        int rows = 2 * batch.size();
        INDArray tangents = RandomArrays.matrix(RandomArrays.gaussian(Seeds.stream(9, "tangents"), rows * (int) batch.inputDim(), 1.0),
                rows, (int) batch.inputDim(), dtype);
        try (ConvKernels.Scope ignored = ConvKernels.using(kernels)) {
            Point p = net.at(batch, theta);
            INDArray out = Nd4j.create(dtype, 3, net.paramCount());
            p.hvpBlock(block, out);
            List<INDArray> rs = p.inputTangents(tangents);
            return List.of(new double[] {p.loss()}, p.gradient().toDoubleVector(), p.hvp(v).toDoubleVector(),
                    out.reshape(-1).toDoubleVector(), p.gvp(v).toDoubleVector(), rs.get(rs.size() - 1).reshape(-1).toDoubleVector(),
                    rs.get(0).reshape(-1).toDoubleVector());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"DOUBLE, 1e-12", "FLOAT, 2e-5"})
    void bothKernelsGiveTheSameNumbers(DataType dtype, double tol) {
        List<double[]> im2col = passes(ConvKernels.IM2COL, dtype);
        List<double[]> ops = passes(ConvKernels.LIBND4J, dtype);
        String[] names = {"loss", "gradient", "Hv", "block of 3 Hv", "Gv", "output tangents", "first conv's tangents"};
        for (int i = 0; i < names.length; i++) {
            double err = Fixtures.relativeError(ops.get(i), im2col.get(i));
            System.out.printf("kernels %s %s: relative difference %.1e%n", dtype, names[i], err);
            assertTrue(err <= tol, dtype + " " + names[i] + ": libnd4j against im2col " + err);
        }
    }

    @Test
    void float32FollowsTheBinaryAndFloat64IsIm2col() {
        assertEquals(ConvKernels.IM2COL, ConvKernels.forDtype(DataType.DOUBLE));
        boolean onednn = io.depthscope.util.Provenance.current().backend().contains("onednn");
        assertEquals(onednn ? ConvKernels.LIBND4J : ConvKernels.IM2COL, ConvKernels.forDtype(DataType.FLOAT));
        try (ConvKernels.Scope outer = ConvKernels.using(ConvKernels.LIBND4J)) {
            assertEquals(ConvKernels.LIBND4J, ConvKernels.forDtype(DataType.DOUBLE));
            try (ConvKernels.Scope inner = ConvKernels.using(ConvKernels.IM2COL)) {
                assertEquals(ConvKernels.IM2COL, ConvKernels.forDtype(DataType.FLOAT));
            }
            assertEquals(ConvKernels.LIBND4J, ConvKernels.forDtype(DataType.DOUBLE));
        }
        assertEquals(ConvKernels.IM2COL, ConvKernels.forDtype(DataType.DOUBLE));
    }
}
