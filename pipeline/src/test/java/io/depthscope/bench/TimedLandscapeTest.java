package io.depthscope.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.probe.Hutchinson;
import io.depthscope.probe.HessianMoments;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The timing wrapper changes no number, counts every product an estimator asks for, and times only those. */
class TimedLandscapeTest {
    private static final Benchmarks.Config C = new Benchmarks.Config(3, 5, 2, 2, 7, "tanh", DataType.DOUBLE, 0, 1, 4L);

    private static Point point() {
        Network net = Network.of(C.spec());
        return net.at(Benchmarks.batch(C), Benchmarks.initialParameters(net, C.seed(), C.dtype()));
    }

    @Test
    void productsAreTheWrappedOnesAndAreCounted() {
        Point point = point();
        TimedLandscape timed = new TimedLandscape(point);
        INDArray v = Benchmarks.direction(point.network(), C);
        assertEquals(point.hvp(v), timed.hvp(v));
        assertEquals(point.gvp(v), timed.gvp(v));
        INDArray block = Nd4j.vstack(v, v.mul(-2.0));
        INDArray ours = Nd4j.create(DataType.DOUBLE, 2, point.paramCount());
        INDArray theirs = Nd4j.create(DataType.DOUBLE, 2, point.paramCount());
        point.hvpBlock(block, theirs);
        timed.hvpBlock(block, ours);
        assertEquals(theirs, ours);
        assertEquals(3, timed.products());
        assertTrue(timed.productSeconds() > 0);
        timed.reset();
        assertEquals(0, timed.products());
        assertEquals(0.0, timed.productSeconds());
    }

    @Test
    void anEstimatorsProductsAreAllCountedAndItsNumbersUnchanged() {
        Point point = point();
        TimedLandscape timed = new TimedLandscape(point);
        long t0 = System.nanoTime();
        HessianMoments wrapped = Hutchinson.estimate(timed, 4, 11L, Hutchinson.Distribution.RADEMACHER);
        double whole = (System.nanoTime() - t0) * 1e-9;
        assertEquals(Hutchinson.estimate(point, 4, 11L, Hutchinson.Distribution.RADEMACHER), wrapped);
        assertEquals(8, timed.products(), "two products per probe");
        assertTrue(timed.productSeconds() > 0 && timed.productSeconds() < whole, timed.productSeconds() + " of " + whole);
    }
}
