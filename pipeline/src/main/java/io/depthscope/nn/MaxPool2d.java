package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch's {@code MaxPool2d(2, 2)}: the maximum of each 2x2 window, stride 2, floor mode, no padding, so an odd
 * last row or column is dropped. [N, C, H, W] -> [N, C, H / 2, W / 2].
 *
 * <p>Max pooling is piecewise linear: with the argmax of each window fixed by the forward pass it is a selection,
 * out = sum_q M_q * x_q over the four window positions q (x_q the strided view of position q of every window,
 * M_q the 0/1 indicator that q is the argmax). So R{out} = sum_q M_q * R{x_q} (a gather), the input gradient
 * puts M_q * dout at position q (a scatter) and so does the backward R-pass; there is no second-order term. A tie
 * goes to the first position in row-major order (top-left, top-right, bottom-left, bottom-right), as PyTorch's
 * CPU kernel, which replaces its running maximum only on a strictly greater value.
 */
public final class MaxPool2d implements Module {
    private final int channels;
    private final int inHeight;
    private final int inWidth;
    private final int outHeight;
    private final int outWidth;

    public MaxPool2d(int channels, int inHeight, int inWidth) {
        if (channels < 1 || inHeight < 2 || inWidth < 2) {
            throw new IllegalArgumentException("max pool: " + channels + " channels of " + inHeight + "x" + inWidth
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

    /** Position q (0..3, row-major) of every 2x2 window of x [N, C, H, W], as a strided [N, C, H / 2, W / 2] view. */
    private INDArray position(INDArray x, int q) {
        return Views.grid(x, q / 2, q % 2, 2, 2, outHeight, outWidth);
    }

    private final class Pass extends LinearMapPass {
        /** M_q: 1 where position q holds the window's maximum (the first one, on ties), else 0. */
        private final INDArray[] argmax = new INDArray[4];
        private final INDArray scratch;

        Pass(int n, DataType dtype) {
            super(n, dtype, inputShape(), outputShape());
            long[] shape = Blocks.stackedShape(1, n, outputShape());
            for (int q = 0; q < 4; q++) {
                argmax[q] = Nd4j.create(dtype, shape);
            }
            scratch = Nd4j.create(dtype, shape);
        }

        @Override
        public INDArray forward(INDArray in, INDArray[] w) {
            // s_q = [x_q > max(x_0 .. x_{q-1})] into argmax[q]; x - m > 0 exactly when x > m (IEEE subtraction of
            // distinct numbers is never 0), and the pairwise max is one of its arguments, so nothing is rounded
            z.assign(position(in, 0));
            for (int q = 1; q < 4; q++) {
                INDArray xq = position(in, q);
                Nd4j.exec(new SubOp(xq, z, scratch));
                Nd4j.exec(new Step(scratch, argmax[q], 0.0));
                Nd4j.exec(new Max(z, xq, z));
            }
            // the argmax is the last q with s_q = 1, or 0: M_3 = s_3, M_2 = s_2 (1 - s_3), M_1 = s_1 (1 - s_2)(1 - s_3),
            // M_0 = (1 - s_1)(1 - s_2)(1 - s_3); scratch carries the running product of the (1 - s)
            scratch.assign(argmax[3]).rsubi(1.0);
            for (int q = 2; q >= 1; q--) {
                argmax[q].muli(scratch);
                scratch.subi(argmax[q]);
            }
            argmax[0].assign(scratch);
            return z;
        }

        /** Scatters each of the stacked output gradients to its window's argmax in {@code into} (zero elsewhere). */
        @Override
        protected INDArray adjoint(INDArray gradOut, INDArray into) {
            int k = (int) (gradOut.size(0) / n);
            for (int j = 0; j < k; j++) {
                INDArray g = Blocks.rows(gradOut, j, n);
                INDArray target = Blocks.rows(into, j, n);
                for (int q = 0; q < 4; q++) {
                    Nd4j.exec(new MulOp(g, argmax[q], position(target, q)));
                }
            }
            return into;
        }

        /** Gathers each window's argmax (fixed by the last forward) from each of the stacked inputs. */
        @Override
        protected INDArray apply(INDArray x, INDArray into) {
            int k = (int) (x.size(0) / n);
            for (int j = 0; j < k; j++) {
                INDArray xj = Blocks.rows(x, j, n);
                INDArray rj = Blocks.rows(into, j, n);
                Nd4j.exec(new MulOp(position(xj, 0), argmax[0], rj));
                for (int q = 1; q < 4; q++) {
                    Nd4j.exec(new MulOp(position(xj, q), argmax[q], scratch));
                    rj.addi(scratch);
                }
            }
            return into;
        }
    }
}
