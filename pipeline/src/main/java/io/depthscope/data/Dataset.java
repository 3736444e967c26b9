package io.depthscope.data;

import io.depthscope.nn.Batch;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A loaded dataset: the training batch, the test batch (null only for an npz without test_path), the
 * number of classes (0 for regression), the shape of one input ({@code [d]} flat, {@code [channels,
 * height, width]} for images; x is always the flat [N, prod(shape)] matrix the MLP consumes), the label
 * noise applied to the training labels, and the spec and a description for provenance.
 */
public record Dataset(
        String name,
        String description,
        DatasetSpec spec,
        Batch train,
        Batch test,
        int classes,
        int[] inputShape,
        LabelNoise labelNoise) {

    public boolean hasTest() {
        return test != null;
    }

    public boolean classification() {
        return classes > 0;
    }

    public int inputDim() {
        return Arrays.stream(inputShape).reduce(1, (a, b) -> a * b);
    }

    /** The class of each one-hot row of {@code batch}'s targets. */
    public static int[] labels(Batch batch) {
        INDArray argmax = Nd4j.argMax(batch.targets(), 1);
        return argmax.toIntVector();
    }
}
