package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * He et al.'s parameter-free shortcut, option A, as akamaster's CIFAR ResNet: x[:, :, ::s, ::s] with its channels
 * padded by zeros, (out - in) / 2 (floor) before them and the rest after. [N, in, H, W] -> [N, out, ceil(H / s),
 * ceil(W / s)]. Linear: the R-pass is the same map of R{in}, and the backward passes put the middle channels of the
 * output gradient back on the stride grid (zero elsewhere). Each map runs once over a whole stacked block; the
 * padding channels and the off-grid pixels of its buffers are never written, so they stay zero.
 */
public final class ShortcutA implements Module {
    private final int in;
    private final int out;
    private final int stride;
    private final int inHeight;
    private final int inWidth;
    private final int outHeight;
    private final int outWidth;
    private final int before;

    public ShortcutA(int inChannels, int outChannels, int stride, int inHeight, int inWidth) {
        if (inChannels < 1 || outChannels < inChannels || stride < 1 || inHeight < 1 || inWidth < 1) {
            throw new IllegalArgumentException("shortcut A: channels " + inChannels + " -> " + outChannels + ", stride " + stride
                    + ", input " + inHeight + "x" + inWidth + "; allowed: 1 <= in <= out channels, stride and sizes >= 1");
        }
        this.in = inChannels;
        this.out = outChannels;
        this.stride = stride;
        this.inHeight = inHeight;
        this.inWidth = inWidth;
        this.outHeight = (inHeight + stride - 1) / stride;
        this.outWidth = (inWidth + stride - 1) / stride;
        this.before = (outChannels - inChannels) / 2;
    }

    @Override
    public long[] inputShape() {
        return new long[] {in, inHeight, inWidth};
    }

    @Override
    public long[] outputShape() {
        return new long[] {out, outHeight, outWidth};
    }

    @Override
    public List<ParamShape> params() {
        return List.of();
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        return new Pass(batchSize, dtype);
    }

    /** The input's stride grid x[:, :, ::s, ::s]. */
    private INDArray grid(INDArray x) {
        return Views.grid(x, 0, 0, stride, stride, outHeight, outWidth);
    }

    /** The output's channels that carry the input, [before, before + in). */
    private INDArray middle(INDArray y) {
        return y.get(NDArrayIndex.all(), NDArrayIndex.interval(before, before + in), NDArrayIndex.all(), NDArrayIndex.all());
    }

    private final class Pass extends LinearMapPass {
        Pass(int n, DataType dtype) {
            super(n, dtype, inputShape(), outputShape());
        }

        @Override
        protected INDArray apply(INDArray x, INDArray into) {
            middle(into).assign(grid(x));
            return into;
        }

        @Override
        protected INDArray adjoint(INDArray gradOut, INDArray into) {
            grid(into).assign(middle(gradOut));
            return into;
        }
    }
}
