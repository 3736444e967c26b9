package io.depthscope.diag;

import io.depthscope.data.MinibatchSampler;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.util.Seeds;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradient confusion between minibatches at fixed parameters: the mean gradients of {@code count}
 * minibatches of {@code batchSize} examples, drawn as a training run draws them (epoch permutations of
 * {@link MinibatchSampler}, drop_last) from the stream (seed, "minibatch-confusion"), so the draws do not
 * coincide with a training run's own batches of the same seed.
 */
public final class MinibatchConfusion {
    private MinibatchConfusion() {}

    /** The minibatches' mean gradients, each a float64 copy (the point reuses its buffer). */
    public static List<INDArray> gradients(Network net, Batch data, INDArray theta, int batchSize, int count, long seed) {
        if (count < 2) {
            throw new IllegalArgumentException("count: value " + count + " is not allowed; allowed: >= 2");
        }
        MinibatchSampler sampler = new MinibatchSampler(data.size(), batchSize, true, Seeds.derive(seed, "minibatch-confusion"));
        List<INDArray> out = new ArrayList<>();
        Point point = null;
        MinibatchSampler.Gatherer gatherer = new MinibatchSampler.Gatherer();
        for (int s = 0; s < count; s++) {
            Batch part = gatherer.gather(data, sampler.batch(s));
            point = point == null ? net.at(part, theta) : point.load(part, theta);
            out.add(MapGrams.float64(point.gradient()).dup());
        }
        return out;
    }

    /** The indices of the minibatches {@link #gradients} uses, in order (for checks and reports). */
    public static List<int[]> indices(int examples, int batchSize, int count, long seed) {
        MinibatchSampler sampler = new MinibatchSampler(examples, batchSize, true, Seeds.derive(seed, "minibatch-confusion"));
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            out.add(sampler.batch(s));
        }
        return out;
    }

    public static GradientConfusion of(Network net, Batch data, INDArray theta, int batchSize, int count, long seed) {
        return GradientConfusion.ofGradients(gradients(net, data, theta, batchSize, count, seed));
    }
}
