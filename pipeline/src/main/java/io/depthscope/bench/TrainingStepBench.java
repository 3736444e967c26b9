package io.depthscope.bench;

import io.depthscope.data.MinibatchSampler;
import io.depthscope.nn.Batch;
import io.depthscope.nn.InitSpec;
import io.depthscope.nn.Initializers;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import io.depthscope.study.OptimizerSpec;
import io.depthscope.train.Optimizer;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The trainer's overhead: one minibatch training step as {@code Trainer} takes it (sample the batch's
 * rows, gather them, load them into the point, forward and backward, momentum update) against one
 * forward and backward pass of the same batch alone. Fashion-MNIST-sized: 784 inputs, 10 classes,
 * cross-entropy, from a pool of synthetic examples (the data's values do not change the cost).
 */
public final class TrainingStepBench {
    /** Median seconds per forward+backward and per training step; their ratio is the trainer's overhead. */
    public record Result(DataType dtype, int width, int depth, int batch, int inputDim, long paramCount,
            double forwardBackwardSeconds, double stepSeconds) {
        public double overhead() {
            return stepSeconds / forwardBackwardSeconds;
        }

        public double stepsPerSecond() {
            return 1.0 / stepSeconds;
        }
    }

    private TrainingStepBench() {}

    public static Result run(int width, int depth, int batch, int pool, DataType dtype, int warmup, int repetitions, long seed) {
        int inputDim = 784;
        int classes = 10;
        NetworkSpec spec = new NetworkSpec("mlp", inputDim, width, depth, classes, "relu", true, 1.0, "cross_entropy").validate();
        Network net = Network.of(spec);
        SplittableRandom rng = Seeds.stream(seed, "bench-step-data");
        int[] labels = new int[pool];
        for (int i = 0; i < pool; i++) {
            labels[i] = rng.nextInt(classes);
        }
        Batch data = new Batch(RandomArrays.matrix(RandomArrays.gaussian(rng, pool * inputDim, 1.0), pool, inputDim, dtype),
                Batch.oneHot(labels, classes, dtype));
        INDArray theta = Initializers.initialize(net, InitSpec.he(), seed, dtype);
        Optimizer optimizer = Optimizer.of(OptimizerSpec.of("momentum", 0.01).withBatchSize(batch));
        MinibatchSampler sampler = new MinibatchSampler(pool, batch, true, seed);
        Point point = net.at(MinibatchSampler.gather(data, sampler.batch(0)), theta);

        MinibatchSampler.Gatherer gatherer = new MinibatchSampler.Gatherer(); // as the trainer gathers
        double[] bare = new double[repetitions];
        double[] step = new double[repetitions];
        for (int r = -warmup; r < repetitions; r++) {
            int s = r + warmup;
            long t0 = System.nanoTime();
            point.moveTo(theta);
            long t1 = System.nanoTime();
            Batch part = gatherer.gather(data, sampler.batch(s));
            point.load(part, theta);
            optimizer.step(theta, point.gradient(), s);
            long t2 = System.nanoTime();
            if (r >= 0) {
                bare[r] = (t1 - t0) * 1e-9;
                step[r] = (t2 - t1) * 1e-9;
            }
        }
        return new Result(dtype, width, depth, batch, inputDim, net.paramCount(), Benchmarks.median(bare), Benchmarks.median(step));
    }
}
