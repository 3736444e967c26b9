package io.depthscope.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The preallocated vectors of an optimiser, and the gradient preprocessing every kind shares: a copy of
 * the gradient, clipped to a global norm as torch.nn.utils.clip_grad_norm_ does (factor
 * clip / (norm + 1e-6) when that is below 1), then with L2 weight decay wd theta added.
 */
final class GradientWork {
    private final int vectors;
    private INDArray[] buffers;

    GradientWork(int vectors) {
        this.vectors = vectors;
    }

    /** Buffer i (zeroed at allocation); allocates all of them on first use and checks theta afterwards. */
    INDArray buffer(int i, INDArray theta, INDArray gradient) {
        if (buffers == null) {
            buffers = new INDArray[vectors];
            for (int j = 0; j < vectors; j++) {
                buffers[j] = Nd4j.zeros(theta.dataType(), theta.length());
            }
        }
        check(theta, gradient, buffers[0].dataType(), buffers[0].length());
        return buffers[i];
    }

    /** g = clip(gradient) + wd theta, written into {@code g}. */
    static INDArray effectiveGradient(INDArray g, INDArray theta, INDArray gradient, double clipNorm, double wd) {
        g.assign(gradient);
        if (clipNorm > 0) {
            double norm = gradient.norm2Number().doubleValue();
            double coef = clipNorm / (norm + 1e-6);
            if (coef < 1) {
                g.muli(coef);
            }
        }
        if (wd > 0) {
            Nd4j.getBlasWrapper().axpy(wd, theta, g);
        }
        return g;
    }

    private static void check(INDArray theta, INDArray gradient, DataType dtype, long n) {
        if (theta.length() != n || gradient.length() != n || theta.dataType() != dtype || gradient.dataType() != dtype) {
            throw new IllegalArgumentException("optimizer: theta (" + theta.length() + ", " + theta.dataType() + ") and gradient ("
                    + gradient.length() + ", " + gradient.dataType() + ") must match the optimiser's state; allowed: vectors of "
                    + n + " " + dtype);
        }
    }
}
