package io.depthscope.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The views of one module's buffers in a flat buffer vector, in the order of {@link Module#buffers()}. */
public record BufferViews(INDArray[] views) {
    public static final BufferViews NONE = new BufferViews(new INDArray[0]);

    public INDArray get(int i) {
        return views[i];
    }

    public int count() {
        return views.length;
    }
}
