package io.depthscope.nn;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A test-only module that reinterprets each example's features in another shape of the same size, row-major
 * (e.g. [F] to [C, H, W] and back, as {@code torch.flatten(x, 1)} and its inverse): the identity on the data,
 * so every pass is a reshape of its argument. Lets BatchNorm2d be tested between linear maps before a
 * convolution exists.
 */
final class TestReshape implements Module {
    private final long[] from;
    private final long[] to;

    TestReshape(long[] from, long[] to) {
        if (Module.size(from) != Module.size(to)) {
            throw new IllegalArgumentException("reshape: " + Arrays.toString(from) + " and " + Arrays.toString(to) + " differ in size");
        }
        this.from = from.clone();
        this.to = to.clone();
    }

    @Override
    public long[] inputShape() {
        return from.clone();
    }

    @Override
    public long[] outputShape() {
        return to.clone();
    }

    @Override
    public List<ParamShape> params() {
        return List.of();
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        return new ModulePass() {
            private INDArray shaped(INDArray a, long[] shape) {
                return a == null ? null : a.reshape('c', Blocks.stackedShape(a.size(0) / batchSize, batchSize, shape));
            }

            @Override
            public INDArray forward(INDArray in, INDArray[] w) {
                return shaped(in, to);
            }

            @Override
            public INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
                return needInputGradient ? shaped(gradOut, from) : null;
            }

            @Override
            public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[][] v) {
                return shaped(rIn, to);
            }

            @Override
            public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient) {
                return needInputGradient ? shaped(rGradOut, from) : null;
            }

            @Override
            public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient) {
                return needInputGradient ? shaped(gradOut, from) : null;
            }
        };
    }
}
