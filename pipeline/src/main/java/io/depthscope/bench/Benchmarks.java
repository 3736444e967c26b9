package io.depthscope.bench;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Linear;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.ParamLayout;
import io.depthscope.nn.Point;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Wall-clock cost of a gradient (forward + backward at new parameters, {@link Point#moveTo}) and of an exact
 * Hessian-vector product at a cached point ({@link Point#hvp(INDArray, INDArray)} into a preallocated
 * vector), and, as a yardstick, the time of the same matrix products done bare in the same process.
 *
 * <p>Gradient and Hv calls alternate within each repetition, so a load change on a shared machine hits
 * both and their ratio stays meaningful; medians discard the outliers such changes cause.
 */
public final class Benchmarks {
    /** What to time: an mlp of {@code depth} hidden layers of {@code width}, on a batch of {@code batch}. */
    public record Config(int inputDim, int width, int depth, int outputDim, int batch, String activation,
                         DataType dtype, int warmup, int repetitions, long seed) {
        public Config {
            if (warmup < 0) {
                throw new IllegalArgumentException("warmup: value " + warmup + " is not allowed; allowed: >= 0");
            }
            if (repetitions < 1) {
                throw new IllegalArgumentException("repetitions: value " + repetitions + " is not allowed; allowed: >= 1");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch: value " + batch + " is not allowed; allowed: >= 1");
            }
            if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
                throw new IllegalArgumentException("dtype: " + dtype + " is not supported; allowed: float32, float64");
            }
        }

        public NetworkSpec spec() {
            return new NetworkSpec("mlp", inputDim, width, depth, outputDim, activation, true, 1.0, "mse").validate();
        }
    }

    /**
     * Median seconds per call, and the fastest call ({@code best}): on a shared machine the minimum is the
     * least disturbed by other processes, so before/after comparisons of the engine use it. {@code gemmGradient} and {@code gemmHvp} are the summed medians of the
     * matrix products each call performs, timed alone on buffers of the same shapes: the floor the engine
     * cannot go below with this BLAS, so (call - floor) is the engine's own overhead.
     */
    public record Result(Config config, long paramCount, double gradientSeconds, double hvpSeconds,
                         double gradientBestSeconds, double hvpBestSeconds, double gemmGradientSeconds, double gemmHvpSeconds, int gemmsPerGradient, int gemmsPerHvp) {
        public double ratio() {
            return hvpSeconds / gradientSeconds;
        }
    }

    private Benchmarks() {}

    /** The per-layer-type breakdown of a gradient and an Hv for the same network, data and direction as {@link #run}. */
    public static java.util.List<Profile.Entry> profile(Config c) {
        Network net = Network.of(c.spec());
        Batch batch = batch(c);
        INDArray v = direction(net, c);
        return Profile.of(net, batch, initialParameters(net, c.seed(), c.dtype()), v,
                Nd4j.create(c.dtype(), net.paramCount()), c.warmup(), c.repetitions());
    }

    /** The bench's data: Gaussian inputs and targets from the stream (seed, "bench-data"). */
    static Batch batch(Config c) {
        SplittableRandom rng = Seeds.stream(c.seed(), "bench-data");
        INDArray x = RandomArrays.matrix(RandomArrays.gaussian(rng, c.batch() * c.inputDim(), 1.0), c.batch(), c.inputDim(), c.dtype());
        INDArray y = RandomArrays.matrix(RandomArrays.gaussian(rng, c.batch() * c.outputDim(), 1.0), c.batch(), c.outputDim(), c.dtype());
        return new Batch(x, y);
    }

    static INDArray direction(Network net, Config c) {
        return RandomArrays.vector(RandomArrays.gaussian(Seeds.stream(c.seed(), "bench-v"), (int) net.paramCount(), 1.0), c.dtype());
    }

    public static Result run(Config c) {
        return run(c, c.repetitions(), Peer.NONE);
    }

    /** As {@link #run(Config)}, taking turns with {@code peer} after every {@code roundSize} calls (see {@link Peer#interleave}). */
    public static Result run(Config c, int roundSize, Peer peer) {
        Products p = Products.of(c);
        double[] grad = new double[c.repetitions()];
        double[] hv = new double[c.repetitions()];
        Peer.interleave(c.warmup(), c.repetitions(), roundSize, peer, r -> p.call(r, grad, hv));
        GemmFloor floor = GemmFloor.measure(p.net(), c.batch(), c.dtype(), c.warmup(), c.repetitions());
        return new Result(c, p.net().paramCount(), median(grad), median(hv), min(grad), min(hv),
                floor.gradientSeconds(), floor.hvpSeconds(), floor.gradientCount(), floor.hvpCount());
    }

    /**
     * The bench's mlp for {@code c}: a point for gradients and one for Hv on its batch, the two parameter vectors the gradient
     * alternates between (so moveTo really recomputes a different point), a direction and the Hv's result.
     */
    private record Products(Network net, Point gradPoint, Point hvPoint, INDArray theta, INDArray thetaB, INDArray v, INDArray out) {
        static Products of(Config c) {
            Network net = Network.of(c.spec());
            Batch batch = batch(c);
            INDArray theta = initialParameters(net, c.seed(), c.dtype());
            INDArray thetaB = theta.add(RandomArrays.vector(RandomArrays.gaussian(Seeds.stream(c.seed(), "bench-shift"),
                    (int) net.paramCount(), 1e-3), c.dtype()));
            return new Products(net, net.at(batch, theta), net.at(batch, theta), theta, thetaB, direction(net, c),
                    Nd4j.create(c.dtype(), net.paramCount()));
        }

        /** Call r of the products ({@link #timeProducts}); a negative r is untimed. */
        void call(int r, double[] grad, double[] hv) {
            timeProducts(gradPoint, hvPoint, theta, thetaB, v, out, r, grad, hv);
        }
    }

    /** Rejects a JIT warm-up that is negative, infinite or not a number, so a caller can fail before anything starts. */
    public static void checkWarmUp(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("jit-warmup: value " + seconds + " is not allowed; allowed: >= 0 seconds");
        }
    }

    /**
     * Gradients and Hv on {@code c}'s network, untimed, for at least {@code seconds} (and at least one pair); returns the
     * pairs done. The JVM interprets ND4J's Java side of each call (shape checks, op descriptors, the native call) until
     * its compilers have seen it thousands of times, and an Hv makes about a hundred such calls: measured on the 2-core
     * machine, a float32 256x256 product took 0.42 ms for its first 20 calls and 0.16 ms after 1,800, and the bench's
     * float32 Hv 17-18 ms after 5 warm-up calls against 13.7-13.9 ms after 60. Gradient and Hv pairs back to back from a
     * fresh JVM: the Hv's median over 25 pairs was 20.4 ms at 1 s, 14.0 at 3 s, 11.9 at 9 s and 11.4-11.6 from 12 s on, so
     * bench's default is 10 s. A study is past this within its first seconds of work; a bench that timed the interpreter
     * would compare a cold JVM with PyTorch's compiled C++.
     */
    public static int warmUp(Config c, double seconds) {
        checkWarmUp(seconds);
        Products p = Products.of(c);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int pairs = 0;
        do {
            p.call(-1 - pairs, null, null);
            pairs++;
        } while (System.nanoTime() < end);
        return pairs;
    }

    /**
     * Call r of the products: a gradient at new parameters (the point moves between two parameter vectors, so each
     * call recomputes) and then an Hv at a cached point; a negative r is a warm-up call, not recorded.
     */
    static void timeProducts(Point gradPoint, Point hvPoint, INDArray theta, INDArray thetaB, INDArray v, INDArray out,
                             int r, double[] grad, double[] hv) {
        INDArray t = (r & 1) == 0 ? theta : thetaB;
        long t0 = System.nanoTime();
        gradPoint.moveTo(t);
        long t1 = System.nanoTime();
        hvPoint.hvp(v, out);
        long t2 = System.nanoTime();
        if (r >= 0) {
            grad[r] = (t1 - t0) * 1e-9;
            hv[r] = (t2 - t1) * 1e-9;
        }
    }

    /** Weights N(0, 1/fan_in) (LeCun), biases zero: activations neither vanish nor saturate at depth 8. */
    static INDArray initialParameters(Network net, long seed, DataType dtype) {
        SplittableRandom rng = Seeds.stream(seed, "bench-theta");
        double[] t = new double[(int) net.paramCount()];
        for (ParamLayout.Entry e : net.layout().entries()) {
            if (e.shape().length == 2) {
                double std = 1.0 / Math.sqrt(e.shape()[1]);
                for (long i = e.offset(); i < e.offset() + e.size(); i++) {
                    t[(int) i] = std * rng.nextGaussian();
                }
            }
        }
        return RandomArrays.vector(t, dtype);
    }

    static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    public static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /**
     * The matrix products of a gradient and of an Hv, timed alone. Per linear map z = a W^T (a [N, in],
     * W [out, in]) there are three shapes: forward a W^T ("NT"), weight gradient dz^T a ("TN") and input
     * gradient dz W ("NN"). A gradient does NT + TN (+ NN above the first map); an Hv does each twice
     * (the R-pass has a second term wherever R{a} or V enters), except the first map's single NT and TN.
     */
    record GemmFloor(double gradientSeconds, double hvpSeconds, int gradientCount, int hvpCount) {
        static GemmFloor measure(Network net, int n, DataType dtype, int warmup, int repetitions) {
            double grad = 0;
            double hv = 0;
            int gradCount = 0;
            int hvCount = 0;
            for (Linear map : net.linearMaps()) {
                int in = map.inputDim();
                int out = map.outputDim();
                INDArray a = Nd4j.rand(dtype, n, in);
                INDArray w = Nd4j.rand(dtype, out, in);
                INDArray dz = Nd4j.rand(dtype, n, out);
                INDArray z = Nd4j.create(dtype, n, out);
                INDArray g = Nd4j.create(dtype, out, in);
                INDArray da = Nd4j.create(dtype, n, in);
                double nt = time(() -> Nd4j.gemm(a, w, z, false, true, 1.0, 0.0), warmup, repetitions);
                double tn = time(() -> Nd4j.gemm(dz, a, g, true, false, 1.0, 0.0), warmup, repetitions);
                double nn = time(() -> Nd4j.gemm(dz, w, da, false, false, 1.0, 0.0), warmup, repetitions);
                boolean first = map.index() == 0;
                grad += nt + tn + (first ? 0 : nn);
                gradCount += first ? 2 : 3;
                hv += first ? nt + tn : 2 * (nt + tn + nn);
                hvCount += first ? 2 : 6;
            }
            return new GemmFloor(grad, hv, gradCount, hvCount);
        }

        /** Median seconds of {@code op} over {@code repetitions} calls after {@code warmup} untimed ones. */
        static double time(Runnable op, int warmup, int repetitions) {
            double[] t = new double[repetitions];
            for (int r = -warmup; r < repetitions; r++) {
                long t0 = System.nanoTime();
                op.run();
                long t1 = System.nanoTime();
                if (r >= 0) {
                    t[r] = (t1 - t0) * 1e-9;
                }
            }
            return median(t);
        }
    }
}
