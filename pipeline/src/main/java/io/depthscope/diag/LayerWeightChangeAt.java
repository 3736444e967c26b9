package io.depthscope.diag;

import io.depthscope.nn.Network;
import io.depthscope.nn.WeightLayer;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One row of the layer_weight_change table: how far weight layer {@code map} has moved from its initialisation by a step,
 * ||W_i(t) - W_i(0)||_F / ||W_i(0)||_F. Nielsen (ch. 5) reads the gradient of each layer as the speed at which it learns, and
 * argues that in a deep sigmoid network the early layers learn much more slowly than the late ones; the relative change is
 * what that speed has done by step t, summed over every update (a layer whose gradient is small all along barely moves).
 *
 * @param map                  weight layer i in network order, as in layer_gradients (the linear maps 0..L of mlp and resmlp)
 * @param initialWeightNorm    ||W_i(0)||_F (biases are not included)
 * @param weightNorm           ||W_i(t)||_F
 * @param weightChange         ||W_i(t) - W_i(0)||_F
 * @param relativeWeightChange weightChange / initialWeightNorm (NaN for a zero initial weight)
 */
public record LayerWeightChangeAt(String runId, int step, int map, double initialWeightNorm, double weightNorm, double weightChange,
        double relativeWeightChange) implements java.io.Serializable {

    /** Every weight layer's change between the flat parameter vectors {@code initial} (step 0) and {@code theta} (step t). */
    public static List<LayerWeightChangeAt> of(String runId, int step, Network network, INDArray initial, INDArray theta) {
        List<LayerWeightChangeAt> out = new ArrayList<>();
        List<WeightLayer> layers = network.weightLayers();
        for (int i = 0; i < layers.size(); i++) {
            String name = layers.get(i).weightName();
            INDArray w0 = network.layout().view(initial, name);
            INDArray w = network.layout().view(theta, name);
            double norm0 = w0.norm2Number().doubleValue();
            double change = w.sub(w0).norm2Number().doubleValue();
            out.add(new LayerWeightChangeAt(runId, step, i, norm0, w.norm2Number().doubleValue(), change,
                    norm0 > 0 ? change / norm0 : Double.NaN));
        }
        return out;
    }
}
