package io.depthscope.bench;

import io.depthscope.diag.Ntk;
import io.depthscope.diag.PerExampleGradients;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The diagnostics' cost against one batch gradient (forward + backward at new parameters): the per-example
 * gradient Gram and the NTK Gram, each from a point whose passes are done, and optionally the per-example
 * gradients materialised [N, P]. The goal is a Gram for at most 3x a gradient, passes included.
 * Calls alternate within each repetition, as in {@link Benchmarks}, so load changes hit all of them.
 */
public final class PerExampleBench {
    /**
     * Median seconds per call; materialiseSeconds is NaN when not timed. The Gram and NTK times exclude
     * the forward and backward passes they start from.
     */
    public record Result(Benchmarks.Config config, long paramCount, double gradientSeconds, double gramSeconds,
            double ntkSeconds, double materialiseSeconds) {
        /** (passes + per-example Gram) / passes: what a Gram costs from scratch, in gradients. */
        public double gramRatio() {
            return (gradientSeconds + gramSeconds) / gradientSeconds;
        }

        public double ntkRatio() {
            return (gradientSeconds + ntkSeconds) / gradientSeconds;
        }

        public double materialiseRatio() {
            return (gradientSeconds + materialiseSeconds) / gradientSeconds;
        }
    }

    private PerExampleBench() {}

    public static Result run(Benchmarks.Config c, boolean materialise) {
        Network net = Network.of(c.spec());
        Batch batch = Benchmarks.batch(c);
        INDArray theta = Benchmarks.initialParameters(net, c.seed(), c.dtype());
        INDArray thetaB = theta.add(RandomArrays.vector(RandomArrays.gaussian(Seeds.stream(c.seed(), "bench-shift"),
                (int) net.paramCount(), 1e-3), c.dtype()));
        Point point = net.at(batch, theta);
        double[] grad = new double[c.repetitions()];
        double[] gram = new double[c.repetitions()];
        double[] ntk = new double[c.repetitions()];
        double[] mat = new double[c.repetitions()];
        for (int r = -c.warmup(); r < c.repetitions(); r++) {
            long t0 = System.nanoTime();
            point.moveTo((r & 1) == 0 ? theta : thetaB);
            long t1 = System.nanoTime();
            PerExampleGradients.gram(point);
            long t2 = System.nanoTime();
            Ntk.gram(point);
            long t3 = System.nanoTime();
            if (materialise) {
                PerExampleGradients.materialise(point, Long.MAX_VALUE);
            }
            long t4 = System.nanoTime();
            if (r >= 0) {
                grad[r] = (t1 - t0) * 1e-9;
                gram[r] = (t2 - t1) * 1e-9;
                ntk[r] = (t3 - t2) * 1e-9;
                mat[r] = (t4 - t3) * 1e-9;
            }
        }
        return new Result(c, net.paramCount(), Benchmarks.median(grad), Benchmarks.median(gram), Benchmarks.median(ntk),
                materialise ? Benchmarks.median(mat) : Double.NaN);
    }

    /** width depth batch dtype [materialise]: prints one line of medians and ratios. */
    public static void main(String[] args) {
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        DataType dtype = args.length > 3 && args[3].equals("float32") ? DataType.FLOAT : DataType.DOUBLE;
        boolean materialise = args.length > 4 && Boolean.parseBoolean(args[4]);
        Benchmarks.Config c = new Benchmarks.Config(256, width, depth, 10, n, "tanh", dtype, 3, 15, 0);
        Result r = run(c, materialise);
        System.out.printf("%s width=%d depth=%d batch=%d P=%d gradient=%.4fs gram=%.4fs (%.2fx) ntk=%.4fs (%.2fx) materialise=%.4fs (%.2fx)%n",
                dtype, width, depth, n, r.paramCount(), r.gradientSeconds(), r.gramSeconds(), r.gramRatio(),
                r.ntkSeconds(), r.ntkRatio(), r.materialiseSeconds(), r.materialiseRatio());
    }
}
