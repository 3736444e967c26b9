package io.depthscope.nn;

import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Small random networks, parameters and batches for derivative tests. */
public final class Fixtures {
    private Fixtures() {}

    public static NetworkSpec spec(String arch, String activation, String loss, boolean bias, int depth) {
        int out = "cross_entropy".equals(loss) ? 3 : 2;
        return new NetworkSpec(arch, 4, 5, depth, out, activation, bias, 0.7, loss);
    }

    /** Gaussian parameters with variance 1/fan_in (and biases of scale 0.1, so biases matter). */
    public static INDArray theta(Network net, long seed, DataType dtype) {
        SplittableRandom rng = Seeds.stream(seed, "test-theta");
        double[] t = new double[(int) net.paramCount()];
        for (ParamLayout.Entry e : net.layout().entries()) {
            double std = e.shape().length == 2 ? 1.0 / Math.sqrt(e.shape()[1]) : 0.1;
            for (long i = e.offset(); i < e.offset() + e.size(); i++) {
                t[(int) i] = std * 1.3 * rng.nextGaussian();
            }
        }
        return RandomArrays.vector(t, dtype);
    }

    public static Batch batch(NetworkSpec spec, int n, long seed, DataType dtype) {
        SplittableRandom rng = Seeds.stream(seed, "test-batch");
        INDArray x = RandomArrays.matrix(RandomArrays.gaussian(rng, n * spec.inputDim(), 1.0), n, spec.inputDim(), dtype);
        INDArray y;
        if ("cross_entropy".equals(spec.loss())) {
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = rng.nextInt(spec.outputDim());
            }
            y = Batch.oneHot(labels, spec.outputDim(), dtype);
        } else {
            y = RandomArrays.matrix(RandomArrays.gaussian(rng, n * spec.outputDim(), 1.0), n, spec.outputDim(), dtype);
        }
        return new Batch(x, y);
    }

    public static INDArray direction(long p, long seed, DataType dtype) {
        return RandomArrays.vector(RandomArrays.gaussian(Seeds.stream(seed, "test-direction"), (int) p, 1.0), dtype);
    }

    public static double relativeError(double[] a, double[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += b[i] * b[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-300);
    }
}
