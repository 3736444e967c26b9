package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The global average pool, x.mean((2, 3)): [N, C, H, W] -> [N, C]. Linear and parameter-free. With the input seen as
 * the matrix X [N C, H W], the output is X m for the column m = (1 / (H W)) 1, and the adjoint spreads dout as the
 * outer product dout m^T; both are one matrix product over a whole stacked block.
 */
public final class GlobalAvgPool implements Module {
    private final int channels;
    private final int height;
    private final int width;

    public GlobalAvgPool(int channels, int height, int width) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("global average pool: " + channels + " channels of " + height + "x" + width
                    + "; allowed: sizes >= 1");
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    @Override
    public long[] inputShape() {
        return new long[] {channels, height, width};
    }

    @Override
    public long[] outputShape() {
        return new long[] {channels};
    }

    @Override
    public List<ParamShape> params() {
        return List.of();
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        return new Pass(batchSize, dtype);
    }

    private final class Pass extends LinearMapPass {
        private final long pixels = (long) height * width;
        /** The [H W, 1] column of 1 / (H W): the mean over a channel's pixels is one matrix product. */
        private final INDArray mean;

        Pass(int n, DataType dtype) {
            super(n, dtype, inputShape(), outputShape());
            mean = Nd4j.valueArrayOf(new long[] {pixels, 1}, 1.0 / pixels, dtype);
        }

        @Override
        protected INDArray apply(INDArray x, INDArray into) {
            long rows = x.size(0) * channels;
            Nd4j.gemm(Views.reading(x, rows, pixels), mean, Views.of(into, rows, 1), false, false, 1.0, 0.0);
            return into;
        }

        @Override
        protected INDArray adjoint(INDArray gradOut, INDArray into) {
            long rows = gradOut.size(0) * channels;
            Nd4j.gemm(Views.reading(gradOut, rows, 1), mean, Views.of(into, rows, pixels), false, true, 1.0, 0.0);
            return into;
        }
    }
}
