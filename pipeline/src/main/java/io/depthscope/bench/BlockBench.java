package io.depthscope.bench;

import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a block of k directions costs per direction against one Hv (issue 14: goal <= 0.6 at k = 8): {@link Point#hvpBlock}
 * on k directions and {@link Point#hvp} on one, at the same cached point of {@link Benchmarks}' network, data and
 * parameters, alternating within each repetition.
 */
public final class BlockBench {
    /** Issue 14's goal for the per-direction cost of a block of 8. */
    public static final double GOAL = 0.6;

    /** Median seconds of one Hv and of one block product of {@code k} directions, and the fastest of each. */
    public record Result(int k, int repetitions, double hvSeconds, double blockSeconds, double hvBestSeconds, double blockBestSeconds) {
        /** (block / k) / Hv. */
        public double perDirection() {
            return blockSeconds / k / hvSeconds;
        }
    }

    private BlockBench() {}

    public static Result run(Benchmarks.Config c, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("block: value " + k + " is not allowed; allowed: >= 1 directions");
        }
        Network net = Network.of(c.spec());
        Point point = net.at(Benchmarks.batch(c), Benchmarks.initialParameters(net, c.seed(), c.dtype()));
        int p = (int) net.paramCount();
        INDArray v = Benchmarks.direction(net, c);
        INDArray out = Nd4j.create(c.dtype(), p);
        // a contiguous [k, P] array of its own, as hvpBlock requires (RandomArrays.matrix gives a view of a vector)
        INDArray block = Nd4j.create(c.dtype(), k, p).assign(RandomArrays.matrix(RandomArrays.gaussian(Seeds.stream(c.seed(), "bench-block"), k * p, 1.0), k, p, c.dtype()));
        INDArray blockOut = Nd4j.create(c.dtype(), k, p);
        double[] hv = new double[c.repetitions()];
        double[] blockTimes = new double[c.repetitions()];
        for (int r = -c.warmup(); r < c.repetitions(); r++) {
            long t0 = System.nanoTime();
            point.hvp(v, out);
            long t1 = System.nanoTime();
            point.hvpBlock(block, blockOut);
            long t2 = System.nanoTime();
            if (r >= 0) {
                hv[r] = (t1 - t0) * 1e-9;
                blockTimes[r] = (t2 - t1) * 1e-9;
            }
        }
        return new Result(k, c.repetitions(), Benchmarks.median(hv), Benchmarks.median(blockTimes), Benchmarks.min(hv), Benchmarks.min(blockTimes));
    }
}
