package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A layer type: a stateless description that knows its parameters' shapes and how to bind itself to a
 * batch. The derivatives live in the {@link LayerPass} it binds, one module per layer type, as in
 * BackPACK's {@code core/derivatives}.
 */
public interface Layer {
    int inputDim();

    int outputDim();

    /** The parameters of this layer, in flat-vector order, with names relative to the network. */
    List<ParamShape> params();

    /** Buffers for a batch of {@code batchSize} examples in {@code dtype}; one pass per (layer, point). */
    LayerPass bind(int batchSize, DataType dtype);
}
