package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.ParamLayout;
import io.depthscope.nn.Point;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** H = G + R along Ritz vectors and along directions where R vanishes for a reason we can state. */
class CurvatureSplitTest {
    private static final NetworkSpec SPEC = LanczosTest.MSE;

    /**
     * Along a Ritz vector y (unit, in the Krylov space) y^T H y is the Ritz value exactly, since
     * Q H Q^T = T: a check that the Ritz vector is assembled from the right eigenvector of T. The
     * Gauss-Newton part of an mse loss is a sum of squares, so it is >= 0; R takes the rest.
     */
    @Test
    void ritzVectorsCarryTheirRitzValueSplitIntoGaussNewtonAndRest() {
        Point point = LanczosTest.point(SPEC, DataType.DOUBLE);
        LanczosResult r = Lanczos.run(SymmetricOperator.hessian(point), 40, 3001, true);
        double scale = Math.abs(r.ritz().values()[r.steps() - 1]);
        List<CurvatureSplit> top = CurvatureSplit.largest(point, r, 3);
        List<CurvatureSplit> bottom = CurvatureSplit.smallest(point, r, 2);
        assertEquals(3, top.size());
        assertEquals(2, bottom.size());
        assertTrue(top.get(0).ritzValue() >= top.get(1).ritzValue() && top.get(1).ritzValue() >= top.get(2).ritzValue());
        assertTrue(bottom.get(0).ritzValue() <= bottom.get(1).ritzValue());
        for (CurvatureSplit s : List.of(top.get(0), top.get(1), top.get(2), bottom.get(0), bottom.get(1))) {
            assertEquals(s.ritzValue(), s.hessian(), 1e-10 * scale, "y^T H y = Ritz value");
            assertTrue(s.gaussNewton() >= -1e-12 * scale, "G is positive semidefinite: " + s.gaussNewton());
            assertEquals(s.hessian(), s.gaussNewton() + s.remainder(), 1e-14 * scale);
        }
        // the most negative curvature can only come from R
        if (bottom.get(0).ritzValue() < 0) {
            assertTrue(bottom.get(0).remainder() < 0);
        }
    }

    /**
     * mse is quadratic in f and f is linear in the output layer (W_L, b_L), so on that block R = 0 and
     * v^T H v = v^T G v = mean_n ||V a_n + c||^2 for v = (V, c), a the last hidden output. On the first
     * layer of a tanh network R does not vanish, so the check can tell the two apart.
     */
    @Test
    void remainderVanishesOnTheOutputLayerOfAnMseNetwork() {
        Point point = LanczosTest.point(SPEC, DataType.DOUBLE);
        Network net = point.network();
        ParamLayout.Entry w = net.layout().entry("layers." + SPEC.depth() + ".weight");
        ParamLayout.Entry b = net.layout().entry("layers." + SPEC.depth() + ".bias");
        SplittableRandom rng = new SplittableRandom(3011);
        INDArray v = Nd4j.create(DataType.DOUBLE, point.paramCount());
        for (ParamLayout.Entry e : List.of(w, b)) {
            for (long i = e.offset(); i < e.offset() + e.size(); i++) {
                v.putScalar(i, rng.nextGaussian());
            }
        }
        double[] forms = CurvatureSplit.quadraticForms(point, v);
        INDArray a = point.layerOutput(net.layers().size() - 2);
        INDArray mapped = a.mmul(net.layout().view(v, w).transpose()).addiRowVector(net.layout().view(v, b));
        double vv = v.norm2Number().doubleValue() * v.norm2Number().doubleValue();
        double expected = mapped.mul(mapped).sumNumber().doubleValue() / a.rows() / vv;
        assertEquals(expected, forms[0], 1e-12 * expected, "v^T H v in closed form");
        assertEquals(forms[0], forms[1], 1e-12 * expected, "v^T G v = v^T H v: R = 0 on the output layer");

        ParamLayout.Entry w0 = net.layout().entry("layers.0.weight");
        INDArray u = Nd4j.create(DataType.DOUBLE, point.paramCount());
        for (long i = w0.offset(); i < w0.offset() + w0.size(); i++) {
            u.putScalar(i, rng.nextGaussian());
        }
        double[] first = CurvatureSplit.quadraticForms(point, u);
        assertTrue(Math.abs(first[0] - first[1]) > 1e-3 * Math.abs(first[0]), "R != 0 on the first layer: H " + first[0] + ", G " + first[1]);
    }

    /**
     * At a perfect fit (targets = outputs) every residual dLoss/df is 0, so R = 0 everywhere: H = G, its
     * Ritz vectors have no remainder and no negative curvature, and the ratio |lambda_min|/lambda_max is ~0.
     */
    @Test
    void perfectFitHasNoRemainder() {
        Network net = Network.of(SPEC);
        Batch batch = Fixtures.batch(SPEC, 12, 3021, DataType.DOUBLE);
        INDArray theta = Fixtures.theta(net, 3022, DataType.DOUBLE);
        Batch fitted = new Batch(batch.x(), net.at(batch, theta).outputs().dup());
        Point point = net.at(fitted, theta);
        assertEquals(0.0, point.loss(), 1e-30);
        LanczosResult r = Lanczos.run(SymmetricOperator.hessian(point), 60, 3023, true);
        double scale = r.ritz().values()[r.steps() - 1];
        for (CurvatureSplit s : CurvatureSplit.largest(point, r, 3)) {
            assertEquals(0.0, s.remainder(), 1e-12 * scale, "R = 0 at a perfect fit");
            assertEquals(s.ritzValue(), s.gaussNewton(), 1e-10 * scale);
        }
        TopEigenvalues top = r.top(1);
        assertTrue(top.lambdaMin() >= -1e-10 * scale, "H = G is PSD: lambda_min " + top.lambdaMin());
        assertTrue(top.negativeToPositiveRatio() <= 1e-10);
    }
}
