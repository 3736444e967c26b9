package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch's {@code AvgPool2d(2, 2)}: the mean of each 2x2 window, stride 2, floor mode, no padding, so an odd last
 * row or column is dropped. [N, C, H, W] -> [N, C, H / 2, W / 2]. It is linear and has no parameters: the R-pass
 * is the forward map of R{in}, and both backward passes are its adjoint, a quarter of the output gradient at each
 * of the window's four positions. Being the same for every example, each map runs once over a stacked block.
 */
public final class AvgPool2d implements Module {
    private final int channels;
    private final int inHeight;
    private final int inWidth;
    private final int outHeight;
    private final int outWidth;

    public AvgPool2d(int channels, int inHeight, int inWidth) {
        if (channels < 1 || inHeight < 2 || inWidth < 2) {
            throw new IllegalArgumentException("average pool: " + channels + " channels of " + inHeight + "x" + inWidth
                    + "; allowed: at least 1 channel and 2x2 pixels");
        }
        this.channels = channels;
        this.inHeight = inHeight;
        this.inWidth = inWidth;
        this.outHeight = inHeight / 2;
        this.outWidth = inWidth / 2;
    }

    @Override
    public long[] inputShape() {
        return new long[] {channels, inHeight, inWidth};
    }

    @Override
    public long[] outputShape() {
        return new long[] {channels, outHeight, outWidth};
    }

    @Override
    public List<ParamShape> params() {
        return List.of();
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        return new Pass(batchSize, dtype);
    }

    private INDArray position(INDArray x, int q) {
        return Views.grid(x, q / 2, q % 2, 2, 2, outHeight, outWidth);
    }

    /** into = (x_0 + x_1 + x_2 + x_3) / 4 over the window positions of x. */
    private INDArray pool(INDArray x, INDArray into) {
        Nd4j.exec(new AddOp(position(x, 0), position(x, 1), into));
        into.addi(position(x, 2));
        into.addi(position(x, 3));
        return into.muli(0.25);
    }

    /** The adjoint: a quarter of each output gradient at each of its window's positions (the dropped edge stays 0). */
    private INDArray spread(INDArray gradOut, INDArray into) {
        for (int q = 0; q < 4; q++) {
            position(into, q).assign(gradOut).muli(0.25);
        }
        return into;
    }

    private final class Pass extends LinearMapPass {
        Pass(int n, DataType dtype) {
            super(n, dtype, inputShape(), outputShape());
        }

        @Override
        protected INDArray apply(INDArray x, INDArray into) {
            return pool(x, into);
        }

        @Override
        protected INDArray adjoint(INDArray gradOut, INDArray into) {
            return spread(gradOut, into);
        }
    }
}
