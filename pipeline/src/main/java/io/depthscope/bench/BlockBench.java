package io.depthscope.bench;

import io.depthscope.nn.Linear;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
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

    /**
     * Median seconds of one Hv and of one block product of {@code k} directions, and the fastest of each; and the floors their
     * matrix products set, each timed alone on buffers of the same shapes ({@link GemmFloors}).
     */
    public record Result(int k, int repetitions, int warmUpPairs, double hvSeconds, double blockSeconds, double hvBestSeconds,
                         double blockBestSeconds, GemmFloors floors) {
        /** (block / k) / Hv. */
        public double perDirection() {
            return blockSeconds / k / hvSeconds;
        }

        /** The block's matrix products alone, per direction, over one Hv: what the block would cost with no other work. */
        public double gemmPerDirection() {
            return floors.blockSeconds() / k / hvSeconds;
        }
    }

    /**
     * The matrix products of one Hv ({@code singleSeconds}) and of a block of k ({@code blockSeconds}), timed alone on buffers
     * of their shapes. Per linear map z = a W^T (a [N, in], W [out, in]), an Hv's R-pass takes a V^T and R{a} W^T forward,
     * R{dz}^T a, dz^T R{a} and R{dz} W, dz V backward (the first map only the two with V, since R{a} = 0 there). A block runs
     * the products with W once over its k N rows, and each of the four that pair a direction's own V, R{a} or R{dz} with the
     * point's a or dz once over all k directions ({@code LinearBlock}), e.g. a [V_1; ...; V_k]^T, [N, in] x [in, k out] (with a
     * bias, [a, 1] [V, c]^T, one column more). The copies that move a block's rows between those products' layouts are not
     * counted: this is the floor the block's products set with this BLAS.
     */
    public record GemmFloors(double singleSeconds, double blockSeconds) {
        static GemmFloors measure(Network net, int n, int k, DataType dtype, int warmup, int repetitions) {
            double single = 0;
            double block = 0;
            for (Linear map : net.linearMaps()) {
                int in = map.inputDim();
                int out = map.outputDim();
                boolean first = map.index() == 0;
                double nt = time(dtype, new long[] {n, in}, new long[] {out, in}, false, true, warmup, repetitions);
                double tn = time(dtype, new long[] {n, out}, new long[] {n, in}, true, false, warmup, repetitions);
                double nn = time(dtype, new long[] {n, out}, new long[] {out, in}, false, false, warmup, repetitions);
                int width = map.hasBias() ? in + 1 : in; // the block's products carry the bias as a column of ones on a
                double ntAll = time(dtype, new long[] {n, width}, new long[] {(long) k * out, width}, false, true, warmup, repetitions);
                double tnAllOut = time(dtype, new long[] {n, (long) k * out}, new long[] {n, width}, true, false, warmup, repetitions);
                single += first ? nt + tn : 2 * (nt + tn + nn);
                if (first) {
                    block += ntAll + tnAllOut;
                    continue;
                }
                double ntRows = time(dtype, new long[] {(long) k * n, in}, new long[] {out, in}, false, true, warmup, repetitions);
                double nnRows = time(dtype, new long[] {(long) k * n, out}, new long[] {out, in}, false, false, warmup, repetitions);
                double tnAllIn = time(dtype, new long[] {n, out}, new long[] {n, (long) k * in}, true, false, warmup, repetitions);
                double nnAll = time(dtype, new long[] {n, out}, new long[] {out, (long) k * in}, false, false, warmup, repetitions);
                block += ntAll + tnAllOut + tnAllIn + nnAll + ntRows + nnRows;
            }
            return new GemmFloors(single, block);
        }

        /** Median seconds of op(A) op(B) for random A and B of these shapes, into a fresh C. */
        private static double time(DataType dtype, long[] aShape, long[] bShape, boolean transA, boolean transB, int warmup, int repetitions) {
            INDArray a = Nd4j.rand(dtype, aShape);
            INDArray b = Nd4j.rand(dtype, bShape);
            INDArray c = Nd4j.create(dtype, transA ? aShape[1] : aShape[0], transB ? bShape[0] : bShape[1]);
            return Benchmarks.GemmFloor.time(() -> Nd4j.gemm(a, b, c, transA, transB, 1.0, 0.0), warmup, repetitions);
        }
    }

    private BlockBench() {}

    /**
     * Times {@code c.repetitions()} pairs of one Hv and one block of {@code k}, after {@code c.warmup()} untimed pairs and then
     * more until {@code jitWarmupSeconds} have passed: the block's own code path is compiled by the JVM only after some calls,
     * as the single products' is by {@link Benchmarks#warmUp}, and a block timed cold read 0.59-0.61 of an Hv per direction
     * where the same block warm read 0.52-0.56.
     */
    public static Result run(Benchmarks.Config c, int k, double jitWarmupSeconds) {
        if (k < 1) {
            throw new IllegalArgumentException("block: value " + k + " is not allowed; allowed: >= 1 directions");
        }
        Benchmarks.checkWarmUp(jitWarmupSeconds);
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
        long warmEnd = System.nanoTime() + (long) (jitWarmupSeconds * 1e9);
        int warmUpPairs = 0;
        for (int r = -c.warmup(); r < c.repetitions(); r++) {
            long t0 = System.nanoTime();
            point.hvp(v, out);
            long t1 = System.nanoTime();
            point.hvpBlock(block, blockOut);
            long t2 = System.nanoTime();
            if (r >= 0) {
                hv[r] = (t1 - t0) * 1e-9;
                blockTimes[r] = (t2 - t1) * 1e-9;
            } else {
                warmUpPairs++;
                if (r == -1 && t2 < warmEnd) {
                    r--; // one more untimed pair until the warm-up's time is up
                }
            }
        }
        GemmFloors floors = GemmFloors.measure(net, c.batch(), k, c.dtype(), Math.max(1, c.warmup()), c.repetitions());
        return new Result(k, c.repetitions(), warmUpPairs, Benchmarks.median(hv), Benchmarks.median(blockTimes), Benchmarks.min(hv),
                Benchmarks.min(blockTimes), floors);
    }
}
