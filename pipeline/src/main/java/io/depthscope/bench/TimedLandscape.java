package io.depthscope.bench;

import io.depthscope.nn.Landscape;
import io.depthscope.nn.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A landscape that times the curvature products an estimator asks of it: the seconds spent inside its Hv, block and
 * Gauss-Newton products since the last {@link #reset}, so that an estimator's whole time splits into its products and its
 * own work (draws, dot products, reorthogonalisation). Everything else is the wrapped landscape's, untimed.
 */
final class TimedLandscape implements Landscape {
    private final Landscape inner;
    private long nanos;
    private int products;

    TimedLandscape(Landscape inner) {
        this.inner = inner;
    }

    /** Seconds inside products since the last reset. */
    double productSeconds() {
        return nanos * 1e-9;
    }

    /** Products (a block of k counts once) since the last reset. */
    int products() {
        return products;
    }

    void reset() {
        nanos = 0;
        products = 0;
    }

    @Override
    public Network network() {
        return inner.network();
    }

    @Override
    public DataType dtype() {
        return inner.dtype();
    }

    @Override
    public long paramCount() {
        return inner.paramCount();
    }

    @Override
    public int batchSize() {
        return inner.batchSize();
    }

    @Override
    public INDArray theta() {
        return inner.theta();
    }

    @Override
    public double loss() {
        return inner.loss();
    }

    @Override
    public INDArray gradient() {
        return inner.gradient();
    }

    @Override
    public Landscape moveTo(INDArray theta) {
        inner.moveTo(theta);
        return this;
    }

    @Override
    public void hvp(INDArray v, INDArray out) {
        long t0 = System.nanoTime();
        inner.hvp(v, out);
        add(t0);
    }

    @Override
    public void hvpBlock(INDArray v, INDArray out) {
        long t0 = System.nanoTime();
        inner.hvpBlock(v, out);
        add(t0);
    }

    @Override
    public void gvp(INDArray v, INDArray out) {
        long t0 = System.nanoTime();
        inner.gvp(v, out);
        add(t0);
    }

    private void add(long t0) {
        nanos += System.nanoTime() - t0;
        products++;
    }
}
