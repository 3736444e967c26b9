package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * torch.flatten(x, 1): [N, C, H, W] (or any per-example shape) -> [N, C H W] in row-major order. A reshape: every
 * pass returns its argument seen in the other shape, a view when the argument is contiguous (as the modules' own
 * buffers are), so nothing is copied or kept.
 */
public final class Flatten implements Module {
    private final long[] shape;
    private final long size;

    public Flatten(long[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("flatten: an empty shape; allowed: a per-example shape such as [C, H, W]");
        }
        for (long s : shape) {
            if (s < 1) {
                throw new IllegalArgumentException("flatten: shape " + java.util.Arrays.toString(shape) + "; allowed: sizes >= 1");
            }
        }
        this.shape = shape.clone();
        this.size = Module.size(shape);
    }

    @Override
    public long[] inputShape() {
        return shape.clone();
    }

    @Override
    public long[] outputShape() {
        return new long[] {size};
    }

    @Override
    public List<ParamShape> params() {
        return List.of();
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        return new Pass();
    }

    private INDArray flat(INDArray x) {
        return Views.reading(x, x.size(0), size);
    }

    private INDArray unflat(INDArray x) {
        return Views.reading(x, Blocks.stackedShape(1, x.size(0), shape));
    }

    private final class Pass implements ModulePass {
        @Override
        public INDArray forward(INDArray in, INDArray[] w) {
            return flat(in);
        }

        @Override
        public INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
            return needInputGradient ? unflat(gradOut) : null;
        }

        @Override
        public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient) {
            return needInputGradient ? unflat(gradOut) : null;
        }

        @Override
        public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[][] v) {
            return rIn == null ? null : flat(rIn);
        }

        @Override
        public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient) {
            return needInputGradient ? unflat(rGradOut) : null;
        }
    }
}
