package io.depthscope.diag;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Module;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * How degenerate each hidden representation's responses are (Orhan &amp; Pitkow 2018): when depth makes most
 * units respond alike across inputs, the N x size response matrix loses rank and the network has
 * fewer effective degrees of freedom than parameters.
 *
 * <p>The representations are those of {@link Network#hiddenLayers()} (as for {@link JacobianSpectrum}), each
 * example's flattened to one row: a feature map's C H W values in row-major order, so a unit is one (channel, y, x)
 * position. Effective rank (Roy &amp; Vetterli 2007): with the singular values s_1..s_p of the matrix,
 * p = min(N, size), and p_i = s_i / sum_j s_j, erank = exp(-sum_i p_i ln p_i) (0 ln 0 = 0). It lies in
 * [1, rank]; r equal nonzero singular values give exactly r. The matrix is used as it is, not centred:
 * a common offset of all examples counts as one direction.
 *
 * <p>Every example's representation must be its own: a network with BatchNorm is read in evaluation mode, with the
 * running statistics it is given (PyTorch's {@code model.eval()}); a train-mode point that couples its examples is
 * refused. The SVD is bounded by {@link SvdLimit}.
 */
public final class RepresentationRank {
    /** Singular values below this fraction of the largest count as degenerate (Orhan's measure). */
    public static final double SMALL_RELATIVE = 1e-3;

    private RepresentationRank() {}

    /**
     * One hidden representation's degeneracy on a batch.
     *
     * @param layer hidden representation index l = 1..L
     * @param effectiveRank exp of the entropy of the normalised singular values of h_l [N, size]
     * @param smallSingularValueFraction fraction of the min(N, size) singular values below
     *     {@link #SMALL_RELATIVE} times the largest
     * @param deadUnitFraction fraction of the units whose activation output f(z) is exactly 0 for every example of the
     *     batch (dead relu units), read from the last activation of the layer's module
     *     ({@link io.depthscope.nn.ModulePass#activationOutput}): h_l itself, except in a residual block without an
     *     activation after the add (resmlp), where it is the activation inside the block, since h_l is not 0 there
     */
    public record Layer(int layer, double effectiveRank, double smallSingularValueFraction, double deadUnitFraction) {}

    /** The degeneracy of h_1..h_L on the point's batch (its examples must not be coupled). */
    public static List<Layer> of(Point point) {
        Network net = point.network();
        if (net.couplesExamples(point.mode())) {
            throw new IllegalArgumentException("mode: " + point.mode().label() + " couples the examples of the batch (BatchNorm), so an"
                    + " example has no representation of its own; allowed: eval");
        }
        Responses r = new Responses(net, point.batchSize(), point.dtype());
        r.add(point, 0);
        return r.layers();
    }

    /**
     * The degeneracy of h_1..h_L on {@code batch} at parameters theta, in evaluation mode with running statistics
     * {@code buffers} (null without BatchNorm), computed over chunks of {@code chunk} examples: a pass holds every
     * activation of its examples, and a convolution's patches are nine times its input.
     */
    public static List<Layer> of(Network net, INDArray theta, INDArray buffers, Batch batch, int chunk) {
        int n = batch.size();
        Responses r = new Responses(net, n, theta.dataType());
        Point point = null;
        for (int from = 0; from < n; from += chunk) {
            Batch part = batch.rows(from, Math.min(n, from + chunk));
            point = point != null && point.batchSize() == part.size() ? point.load(part, theta) : net.at(part, theta, buffers, Mode.EVAL);
            r.add(point, from);
        }
        return r.layers();
    }

    /** Every hidden representation of a batch, gathered chunk by chunk, with the peak |activation| of each unit. */
    private static final class Responses {
        private final Network net;
        private final int[] hidden;
        private final INDArray[] rows;
        private final INDArray[] peaks;

        Responses(Network net, int n, org.nd4j.linalg.api.buffer.DataType dtype) {
            this.net = net;
            this.hidden = net.hiddenLayers();
            rows = new INDArray[hidden.length];
            peaks = new INDArray[hidden.length];
            for (int i = 0; i < hidden.length; i++) {
                long size = Module.size(net.layers().get(hidden[i]).outputShape());
                SvdLimit.check(n, size, "the representation of hidden layer " + (i + 1));
                rows[i] = Nd4j.create(dtype, n, size);
            }
        }

        void add(Point point, int from) {
            int n = point.batchSize();
            for (int i = 0; i < hidden.length; i++) {
                INDArray h = point.layerOutput(hidden[i]);
                rows[i].get(NDArrayIndex.interval(from, from + n), NDArrayIndex.all()).assign(h.reshape('c', n, h.length() / n));
                INDArray a = point.layerActivation(hidden[i]);
                if (a != null) {
                    INDArray peak = Transforms.abs(a.reshape('c', n, a.length() / n), true).max(0);
                    peaks[i] = peaks[i] == null ? peak : Transforms.max(peaks[i], peak, false);
                }
            }
        }

        List<Layer> layers() {
            List<Layer> out = new ArrayList<>();
            for (int i = 0; i < hidden.length; i++) {
                double[] s = JacobianSpectrum.singularValues(rows[i]);
                double dead = peaks[i] == null ? Double.NaN : deadFraction(peaks[i].toDoubleVector());
                out.add(new Layer(i + 1, effectiveRank(s), smallFraction(s, SMALL_RELATIVE), dead));
            }
            return out;
        }
    }

    /** Effective rank of a matrix: {@link #effectiveRank(double[])} of its singular values. */
    public static double effectiveRank(INDArray m) {
        return effectiveRank(JacobianSpectrum.singularValues(m));
    }

    /** exp(-sum p_i ln p_i) with p_i = s_i / sum s; 0 for an all-zero spectrum, which has no directions. */
    public static double effectiveRank(double[] singularValues) {
        double sum = 0;
        for (double s : singularValues) {
            if (s < 0 || !Double.isFinite(s)) {
                throw new IllegalArgumentException("singular values: " + s + " is not allowed; allowed: finite values >= 0");
            }
            sum += s;
        }
        if (sum == 0) {
            return 0;
        }
        double entropy = 0;
        for (double s : singularValues) {
            if (s > 0) {
                double p = s / sum;
                entropy -= p * Math.log(p);
            }
        }
        return Math.exp(entropy);
    }

    /** Fraction of singular values strictly below {@code relative} times the largest. */
    public static double smallFraction(double[] singularValues, double relative) {
        double max = 0;
        for (double s : singularValues) {
            max = Math.max(max, s);
        }
        if (max == 0) {
            return 1.0; // no direction at all: every value is degenerate
        }
        int small = 0;
        for (double s : singularValues) {
            if (s < relative * max) {
                small++;
            }
        }
        return (double) small / singularValues.length;
    }

    /** Fraction of columns of {@code activations} [N, size] that are 0 in every row. */
    public static double deadFraction(INDArray activations) {
        return deadFraction(Transforms.abs(activations, true).max(0).toDoubleVector());
    }

    /** Fraction of units whose peak |activation| over the batch is 0. */
    static double deadFraction(double[] peak) {
        int dead = 0;
        for (double v : peak) {
            if (v == 0) {
                dead++;
            }
        }
        return (double) dead / peak.length;
    }
}
