package io.depthscope.diag;

import io.depthscope.nn.Linear;
import io.depthscope.nn.LinearActivity;
import io.depthscope.nn.ParamLayout;
import io.depthscope.nn.Point;
import io.depthscope.util.ThreadWork;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-example loss gradients g_n = d loss_n / d theta at a point, from its one batched forward and
 * backward pass. The point's loss is the batch mean, so row n of each map's dLoss/dz times N is example
 * n's own dloss_n/dz; no pass per example is needed.
 */
public final class PerExampleGradients {
    /** Above this many entries (N x P) the per-example gradients are not materialised. */
    public static final long MAX_ENTRIES = 50_000_000L;

    /** The Gram's scratch, borrowed from the thread's previous Gram (see {@link MapGrams.Work}). */
    private static final ThreadWork WORK = new ThreadWork();

    private PerExampleGradients() {}

    /** M_mn = <g_m, g_n>, [N, N] float64, summed map by map as (DZ DZ^T) . (A A^T + bias). */
    public static INDArray gram(Point point) {
        int n = point.batch().size();
        List<Linear> maps = point.network().linearMaps();
        List<LinearActivity> acts = point.linearActivity();
        MapGrams.Work work = new MapGrams.Work(WORK, n, 2, acts);
        INDArray m = MapGrams.zeros(n);
        INDArray outer = work.matrix(n, n);
        INDArray inner = work.matrix(n, n);
        for (LinearActivity act : acts) {
            MapGrams.outer(act.outputGradient(), outer, 0.0, work);
            MapGrams.inputGram(act.input(), maps.get(act.index()).hasBias(), inner, work);
            m.addi(outer.muli(inner));
        }
        // DZ = N dLoss/dz, and the Gram is quadratic in DZ
        return m.muli((double) n * n);
    }

    /**
     * The per-example gradients as rows [N, P] float64, in the flat parameter order. For tests and small
     * networks: it costs N x P memory, which {@link #gram} avoids.
     */
    public static INDArray materialise(Point point) {
        return materialise(point, MAX_ENTRIES);
    }

    /** As {@link #materialise(Point)} with a limit of one's own (benchmarks time the full-size case). */
    public static INDArray materialise(Point point, long maxEntries) {
        int n = point.batch().size();
        long p = point.paramCount();
        if ((long) n * p > maxEntries) {
            throw new IllegalArgumentException("per-example gradients: " + n + " x " + p + " entries is too large; allowed: <= "
                    + maxEntries + " (use the Gram matrix instead)");
        }
        ParamLayout layout = point.network().layout();
        List<Linear> maps = point.network().linearMaps();
        INDArray out = Nd4j.create(DataType.DOUBLE, n, p);
        for (LinearActivity act : point.linearActivity()) {
            INDArray a = MapGrams.float64(act.input());
            INDArray dz = MapGrams.float64(act.outputGradient()).mul((double) n);
            long in = a.columns();
            long o = dz.columns();
            // the outer products dz_n a_n^T of all examples at once: [N, out, 1] * [N, 1, in], row-major like W
            INDArray w = dz.reshape('c', n, o, 1).mul(a.reshape('c', n, 1, in));
            ParamLayout.Entry we = layout.entry(act.map().weightName());
            window(out, we).assign(w.reshape('c', n, o * in));
            if (maps.get(act.index()).hasBias()) {
                window(out, layout.entry(act.map().biasName())).assign(dz);
            }
        }
        return out;
    }

    private static INDArray window(INDArray rows, ParamLayout.Entry e) {
        return rows.get(NDArrayIndex.all(), NDArrayIndex.interval(e.offset(), e.offset() + e.size()));
    }
}
