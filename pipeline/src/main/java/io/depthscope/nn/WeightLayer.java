package io.depthscope.nn;

/**
 * A module with a weight (and optionally a bias) that maps fan_in inputs to each output: a linear map or a
 * convolution. Initialisation and per-layer gradient norms iterate over these, by the names they own.
 */
public interface WeightLayer extends Module {
    /** Its PyTorch module path, e.g. {@code layers.3} or {@code layer2.0.conv1}. */
    String name();

    /** Its position among the network's weight layers, in flat-vector order; it keys the layer's initialisation stream. */
    int index();

    default String weightName() {
        return name() + ".weight";
    }

    default String biasName() {
        return name() + ".bias";
    }

    boolean hasBias();

    /** Inputs that feed one output: in for a linear map, in k k for a convolution. */
    long fanIn();

    /** Outputs that one input feeds, as PyTorch counts it: out for a linear map, out k k for a convolution. */
    long fanOut();

    /** Output units (rows of the weight viewed as [out, fan_in]). */
    long outputUnits();
}
