package io.depthscope.data;

import io.depthscope.nn.Batch;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * He et al.'s (2016, Sec. 4.2) CIFAR augmentation of a training minibatch: each image is padded with
 * {@link #PADDING} zero pixels on every side, a crop of its own size is taken at a uniformly random offset, and
 * the crop is flipped left to right with probability 1/2. The draws come from the stream given, so a run's
 * minibatch at step k is augmented the same way on every machine.
 */
public final class Augmentation {
    public static final int PADDING = 4;

    private Augmentation() {}

    /** The minibatch with every image of {@code shape} [C, H, W] cropped and flipped; targets unchanged. */
    public static Batch cropAndFlip(Batch part, int[] shape, SplittableRandom rng) {
        int c = shape[0];
        int h = shape[1];
        int w = shape[2];
        int d = c * h * w;
        int n = part.size();
        double[] x = part.x().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').reshape((long) n * d).toDoubleVector();
        double[] out = new double[x.length];
        for (int i = 0; i < n; i++) {
            // offsets in the padded image: row dy, column dx of 0..2 PADDING; then the flip
            int dy = rng.nextInt(2 * PADDING + 1) - PADDING;
            int dx = rng.nextInt(2 * PADDING + 1) - PADDING;
            boolean flip = rng.nextBoolean();
            for (int ch = 0; ch < c; ch++) {
                int base = i * d + ch * h * w;
                for (int r = 0; r < h; r++) {
                    int sr = r + dy;
                    for (int col = 0; col < w; col++) {
                        int sc = (flip ? w - 1 - col : col) + dx;
                        out[base + r * w + col] = sr < 0 || sr >= h || sc < 0 || sc >= w ? 0.0 : x[base + sr * w + sc];
                    }
                }
            }
        }
        INDArray ax = Nd4j.createFromArray(out).reshape(part.x().shape()).castTo(part.x().dataType());
        return new Batch(ax, part.targets());
    }
}
