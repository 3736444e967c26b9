package io.depthscope.diag;

import io.depthscope.nn.Activations;
import io.depthscope.nn.ElementwiseActivation;
import io.depthscope.nn.Point;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * How degenerate each hidden layer's responses are (Orhan &amp; Pitkow 2018): when depth makes most
 * units respond alike across inputs, the N x width response matrix loses rank and the network has
 * fewer effective degrees of freedom than parameters.
 *
 * <p>Effective rank (Roy &amp; Vetterli 2007): with the singular values s_1..s_p of the matrix,
 * p = min(N, width), and p_i = s_i / sum_j s_j, erank = exp(-sum_i p_i ln p_i) (0 ln 0 = 0). It lies in
 * [1, rank]; r equal nonzero singular values give exactly r. The matrix is used as it is, not centred:
 * a common offset of all examples counts as one direction.
 */
public final class RepresentationRank {
    /** Singular values below this fraction of the largest count as degenerate (Orhan's measure). */
    public static final double SMALL_RELATIVE = 1e-3;

    private RepresentationRank() {}

    /**
     * One hidden layer's degeneracy on a batch.
     *
     * @param layer hidden layer index l = 1..L
     * @param effectiveRank exp of the entropy of the normalised singular values of h_l [N, width]
     * @param smallSingularValueFraction fraction of the min(N, width) singular values below
     *     {@link #SMALL_RELATIVE} times the largest
     * @param deadUnitFraction fraction of the width units whose activation output f(z) is exactly 0 for
     *     every example of the batch (dead relu units); for a resmlp this is the activation inside the
     *     block, before the residual add, since h_l itself is not 0 there
     */
    public record Layer(int layer, double effectiveRank, double smallSingularValueFraction, double deadUnitFraction) {}

    /** The degeneracy of h_1..h_L at the point's batch. */
    public static List<Layer> of(Point point) {
        List<INDArray> hidden = point.hiddenRepresentations();
        List<INDArray> zs = JacobianSpectrum.preActivations(point);
        ElementwiseActivation act = Activations.create(point.network().spec().activation(), point.network().spec().width());
        List<Layer> out = new ArrayList<>();
        for (int l = 0; l < hidden.size(); l++) {
            double[] s = JacobianSpectrum.singularValues(hidden.get(l));
            INDArray a = zs.get(l).ulike();
            act.evaluate(zs.get(l), a, null);
            out.add(new Layer(l + 1, effectiveRank(s), smallFraction(s, SMALL_RELATIVE), deadFraction(a)));
        }
        return out;
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

    /** Fraction of columns of {@code activations} [N, width] that are 0 in every row. */
    public static double deadFraction(INDArray activations) {
        double[] peak = Transforms.abs(activations, true).max(0).toDoubleVector();
        int dead = 0;
        for (double v : peak) {
            if (v == 0) {
                dead++;
            }
        }
        return (double) dead / peak.length;
    }
}
