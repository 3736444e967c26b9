package io.depthscope.bench;

import io.depthscope.nn.Batch;
import io.depthscope.nn.InitSpec;
import io.depthscope.nn.Initializers;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The products of {@link Benchmarks} on He et al.'s CIFAR ResNet (issue 14): a gradient at new parameters
 * ({@link Point#moveTo}) and an exact Hv at a cached point, with BatchNorm in train mode (the batch is one
 * normalisation group, as a training minibatch is), on Gaussian 3x32x32 images with uniform random labels,
 * cross-entropy, He-normal weights (akamaster's Kaiming normal), BatchNorm's start (weight 1, bias 0).
 * {@code tools/torch_cnn_bench.py} builds the same network in PyTorch (tools/torch_models.py's resnet).
 */
public final class CnnBench {
    /** The image shape of CIFAR-10. */
    public static final List<Integer> INPUT_SHAPE = List.of(3, 32, 32);
    public static final int CLASSES = 10;

    /** ResNet-(depth) with filters width, 2 width, 4 width on a batch of {@code batch} images. */
    public record Config(int depth, int width, int batch, DataType dtype, int warmup, int repetitions, long seed) {
        public Config {
            if (warmup < 0) {
                throw new IllegalArgumentException("cnn-warmup: value " + warmup + " is not allowed; allowed: >= 0");
            }
            if (repetitions < 1) {
                throw new IllegalArgumentException("cnn-repetitions: value " + repetitions + " is not allowed; allowed: >= 1");
            }
            if (batch < 2) {
                throw new IllegalArgumentException("cnn-batch: value " + batch + " is not allowed; allowed: >= 2 (train-mode BatchNorm needs two examples)");
            }
            if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
                throw new IllegalArgumentException("dtype: " + dtype + " is not supported; allowed: float32, float64");
            }
        }

        /** Issue 14's case: ResNet-20, width 16, batch 128, float32. */
        public static Config resnet20(int batch, int warmup, int repetitions, long seed) {
            return new Config(20, 16, batch, DataType.FLOAT, warmup, repetitions, seed);
        }

        public NetworkSpec spec() {
            int inputDim = INPUT_SHAPE.stream().mapToInt(Integer::intValue).reduce(1, Math::multiplyExact);
            return new NetworkSpec("resnet", inputDim, width, depth, CLASSES, "relu", true, 1.0, "cross_entropy",
                    INPUT_SHAPE, true, "A").validate();
        }
    }

    /** Every timed call's seconds, in call order. */
    public record Result(Config config, long paramCount, double[] gradientSeconds, double[] hvpSeconds) {
        public double gradientMedian() {
            return Benchmarks.median(gradientSeconds);
        }

        public double hvpMedian() {
            return Benchmarks.median(hvpSeconds);
        }

        public double gradientBest() {
            return Benchmarks.min(gradientSeconds);
        }

        public double hvpBest() {
            return Benchmarks.min(hvpSeconds);
        }

        /** Issue 14's first ratio: Hv over gradient (goal <= 2). */
        public double ratio() {
            return hvpMedian() / gradientMedian();
        }
    }

    private CnnBench() {}

    /** Gaussian images from the stream (seed, "bench-cnn-data") and one-hot labels drawn uniformly from the same stream. */
    static Batch batch(Config c) {
        SplittableRandom rng = Seeds.stream(c.seed(), "bench-cnn-data");
        int inputDim = c.spec().inputDim();
        INDArray x = RandomArrays.matrix(RandomArrays.gaussian(rng, c.batch() * inputDim, 1.0), c.batch(), inputDim, c.dtype());
        double[] y = new double[c.batch() * CLASSES];
        for (int n = 0; n < c.batch(); n++) {
            y[n * CLASSES + rng.nextInt(CLASSES)] = 1.0;
        }
        return new Batch(x, RandomArrays.matrix(y, c.batch(), CLASSES, c.dtype()));
    }

    public static Result run(Config c) {
        return run(c, 1, Peer.NONE);
    }

    /** Gradient and Hv alternating within each call, and with {@code peer} after every {@code roundSize} calls. */
    public static Result run(Config c, int roundSize, Peer peer) {
        Network net = Network.of(c.spec());
        Batch batch = batch(c);
        INDArray theta = Initializers.initialize(net, InitSpec.he(), c.seed(), c.dtype());
        INDArray thetaB = theta.add(RandomArrays.vector(RandomArrays.gaussian(Seeds.stream(c.seed(), "bench-shift"),
                (int) net.paramCount(), 1e-3), c.dtype()));
        // train mode reads the buffers only for their shape: a forward normalises by the batch's own statistics
        Point gradPoint = net.at(batch, theta, net.initialBuffers(c.dtype()), Mode.TRAIN);
        Point hvPoint = net.at(batch, theta, net.initialBuffers(c.dtype()), Mode.TRAIN);
        INDArray v = RandomArrays.vector(RandomArrays.gaussian(Seeds.stream(c.seed(), "bench-v"), (int) net.paramCount(), 1.0), c.dtype());
        INDArray out = Nd4j.create(c.dtype(), net.paramCount());
        double[] grad = new double[c.repetitions()];
        double[] hv = new double[c.repetitions()];
        Peer.interleave(c.warmup(), c.repetitions(), roundSize, peer,
                r -> Benchmarks.timeProducts(gradPoint, hvPoint, theta, thetaB, v, out, r, grad, hv));
        return new Result(c, net.paramCount(), grad, hv);
    }
}
