package io.depthscope.train;

import io.depthscope.nn.Network;
import io.depthscope.nn.ParamLayout;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gaussian initialisation N(0, sigma2 / fan_in) for every weight matrix and zero biases. sigma2 = 1 is
 * LeCun's, 2 is He's, and 1/kappa is De et al.'s N(0, 1/(kappa fan_in)). Draws come from the stream
 * (seed, "init", linear map index), so one map's weights do not depend on another map's size.
 */
public final class Initializer {
    private Initializer() {}

    public static INDArray gaussian(Network network, double sigma2, long seed, DataType dtype) {
        if (!(sigma2 > 0) || !Double.isFinite(sigma2)) {
            throw new IllegalArgumentException("init.sigma2: value " + sigma2 + " is not allowed; allowed: a finite number > 0");
        }
        double[] theta = new double[Math.toIntExact(network.paramCount())];
        for (ParamLayout.Entry e : network.layout().entries()) {
            if (e.shape().length != 2) {
                continue; // biases start at zero
            }
            long fanIn = e.shape()[1];
            double std = Math.sqrt(sigma2 / fanIn);
            SplittableRandom rng = Seeds.stream(seed, "init", e.layer(), e.offset());
            for (long i = e.offset(); i < e.offset() + e.size(); i++) {
                theta[(int) i] = std * rng.nextGaussian();
            }
        }
        return RandomArrays.vector(theta, dtype);
    }
}
