package io.depthscope.diag;

import io.depthscope.nn.Linear;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-layer gradient sizes: the quantities of the vanishing/exploding-gradient account (Nielsen's
 * "unstable gradient problem": dLoss/dW_l is a product over all later layers) and of Ghorbani, Krishnan
 * &amp; Xiao 2019's Fig. 1 test of it, which compares a network with and without residual connections.
 */
public final class LayerGradients {
    private LayerGradients() {}

    /**
     * Gradient sizes of linear map i (i = 0..L) at a point.
     *
     * @param map the linear map i, whose parameters are {@code layers.i.*}
     * @param weightGradientNorm ||dLoss/dW_i||_F
     * @param biasGradientNorm ||dLoss/db_i||_2; NaN when the network has no biases
     * @param deltaNorm Frobenius norm of the [N, width] matrix dLoss/dh_{i+1} of the hidden layer map i
     *     produces (after its activation or residual add) for i &lt; L, and of dLoss/df [N, outputDim] for
     *     i = L. The loss is a mean over the batch, so this shrinks like 1/sqrt(N) with the batch size.
     * @param deltaRmsPerExample root mean square over examples n of ||d loss_n / dh_{i+1}(x_n)||, each
     *     example's own loss gradient (loss = (1/N) sum_n loss_n, so row n of dLoss/dh is that over N):
     *     sqrt(N) times deltaNorm; independent of the batch size
     */
    public record Layer(int map, double weightGradientNorm, double biasGradientNorm, double deltaNorm, double deltaRmsPerExample) {}

    /**
     * The gradient sizes of every weight layer (linear map or convolution, in flat-vector order) of a network that is
     * not fully connected, from the gradient of a landscape (with BatchNorm in train mode, the mean over its
     * normalisation groups): weight and bias norms; the hidden-layer deltas are NaN (a convolution's output is a
     * feature map, not one of the mlp's hidden layers).
     */
    public static List<Layer> ofWeightLayers(io.depthscope.nn.Landscape landscape) {
        Network net = landscape.network();
        double[] weightNorms = net.layerGradientNorms(landscape.gradient());
        List<Layer> out = new ArrayList<>();
        List<io.depthscope.nn.WeightLayer> layers = net.weightLayers();
        for (int i = 0; i < layers.size(); i++) {
            io.depthscope.nn.WeightLayer l = layers.get(i);
            double b = l.hasBias() ? net.layout().view(landscape.gradient(), l.biasName()).norm2Number().doubleValue() : Double.NaN;
            out.add(new Layer(i, weightNorms[i], b, Double.NaN, Double.NaN));
        }
        return out;
    }

    /** The gradient sizes of every linear map 0..L at the point. */
    public static List<Layer> of(Point point) {
        Network net = point.network();
        double[] weightNorms = point.layerGradientNorms();
        List<INDArray> deltas = new ArrayList<>(point.hiddenGradients());
        deltas.add(point.layerOutputGradient(net.layers().size() - 1));
        double sqrtN = Math.sqrt(point.batch().size());
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < weightNorms.length; i++) {
            Linear map = net.linearMaps().get(i);
            double bias = map.hasBias()
                    ? net.layout().view(point.gradient(), map.biasName()).norm2Number().doubleValue()
                    : Double.NaN;
            double delta = deltas.get(i).norm2Number().doubleValue();
            out.add(new Layer(i, weightNorms[i], bias, delta, sqrtN * delta));
        }
        return out;
    }

    /**
     * The fraction of maps whose weight-gradient norm is strictly lower in the residual network than in
     * the plain one, map by map. Ghorbani et al. found 49.4% at depth 80: residual connections do not
     * consistently raise small gradients, so vanishing gradients do not explain why they help. The two
     * lists must come from points that differ only by the residual connections (same depth, width,
     * initialisation seed and batch), which this function cannot see and so does not check.
     */
    public static double fractionLowerInResidual(List<Layer> plain, List<Layer> residual) {
        if (plain.size() != residual.size() || plain.isEmpty()) {
            throw new IllegalArgumentException("layers: " + plain.size() + " plain and " + residual.size()
                    + " residual; allowed: the same nonzero number, one per linear map");
        }
        int lower = 0;
        for (int i = 0; i < plain.size(); i++) {
            if (plain.get(i).map() != residual.get(i).map()) {
                throw new IllegalArgumentException("layers: entry " + i + " is map " + plain.get(i).map() + " in the plain list and map "
                        + residual.get(i).map() + " in the residual one; allowed: the same maps in the same order");
            }
            if (residual.get(i).weightGradientNorm() < plain.get(i).weightGradientNorm()) {
                lower++;
            }
        }
        return (double) lower / plain.size();
    }
}
