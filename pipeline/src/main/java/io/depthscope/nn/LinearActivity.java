package io.depthscope.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one linear map z = a W^T + b saw in the last forward and backward pass: its input a [N, in] and
 * dLoss/dz [N, out]. Row n of dLoss/dz times N is example n's own loss gradient, so per-example
 * gradients and their Gram matrices follow without a pass per example: <g_i, g_j> over W is
 * (dz_i . dz_j)(a_i . a_j). This holds because a linear map uses its weight once per example.
 */
public record LinearActivity(Linear map, INDArray input, INDArray outputGradient) {
    public int index() {
        return map.index();
    }
}
