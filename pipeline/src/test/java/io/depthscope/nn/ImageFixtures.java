package io.depthscope.nn;

import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Small image networks, their parameters and batches, for the tests of the convolution and pooling modules. */
final class ImageFixtures {
    private ImageFixtures() {}

    static Network mse(Module... modules) {
        return new Network(null, List.of(modules), Loss.of("mse"));
    }

    static ElementwiseActivation tanh(Module before) {
        return Activations.create("tanh", before.outputShape());
    }

    /** Gaussian weights of variance 1.7 / fan_in (fan_in = the product of a weight's shape after its first axis), biases of scale 0.1. */
    static INDArray theta(Network net, long seed, DataType dtype) {
        SplittableRandom rng = Seeds.stream(seed, "image-theta");
        double[] t = new double[(int) net.paramCount()];
        for (ParamLayout.Entry e : net.layout().entries()) {
            long[] shape = e.shape();
            long fanIn = 1;
            for (int d = 1; d < shape.length; d++) {
                fanIn *= shape[d];
            }
            double std = shape.length >= 2 ? 1.3 / Math.sqrt(fanIn) : 0.1;
            for (long i = e.offset(); i < e.offset() + e.size(); i++) {
                t[(int) i] = std * rng.nextGaussian();
            }
        }
        return RandomArrays.vector(t, dtype);
    }

    /** n examples of standard normal inputs and regression targets. */
    static Batch batch(Network net, int n, long seed, DataType dtype) {
        SplittableRandom rng = Seeds.stream(seed, "image-batch");
        int in = (int) Module.size(net.inputShape());
        int out = (int) Module.size(net.outputShape());
        INDArray x = RandomArrays.matrix(RandomArrays.gaussian(rng, n * in, 1.0), n, in, dtype);
        INDArray y = RandomArrays.matrix(RandomArrays.gaussian(rng, n * out, 1.0), n, out, dtype);
        return new Batch(x, y);
    }

    /**
     * The module checks (gradient and Hv against differences, a block against single directions) in train mode, on
     * each of the convolution kernels.
     */
    static void check(Network net, int n, long seed) {
        INDArray theta = theta(net, seed, DataType.DOUBLE);
        Batch batch = batch(net, n, seed + 1, DataType.DOUBLE);
        for (ConvKernels kernels : ConvKernels.values()) {
            try (ConvKernels.Scope ignored = ConvKernels.using(kernels)) {
                ModuleChecks.all(net, batch, theta, null, Mode.TRAIN, seed + 2);
            }
        }
    }
}
