package io.depthscope.diag;

import io.depthscope.nn.Activations;
import io.depthscope.nn.ElementwiseActivation;
import io.depthscope.nn.Linear;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.ParamLayout;
import io.depthscope.nn.Point;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Singular values of the input-to-representation Jacobian J_l = dh_l/dx at one input x_0 (Saxe 2013;
 * Pennington, Schoenholz &amp; Ganguli 2017; Orhan &amp; Pitkow 2018). Dynamical isometry means every
 * singular value near 1; a spectrum that widens with depth is the degeneracy that slows training even
 * when gradient norms look fine.
 *
 * <p>J_l is built exactly by forward-mode products, one [width, d] matrix per hidden layer, with
 * D_l = diag(f'(z_l)) at x_0: for an mlp J_1 = D_1 W_0 and J_{l+1} = D_{l+1} W_l J_l; for a resmlp
 * J_{l+1} = (I + alpha D_{l+1} W_l) J_l. The derivative f' is the one the backward pass uses
 * ({@link ElementwiseActivation#evaluate}), so at relu's kink it is 0, as in PyTorch.
 */
public final class JacobianSpectrum {
    private JacobianSpectrum() {}

    /**
     * A singular-value spectrum and its summaries.
     *
     * @param singularValues all min(rows, cols) singular values, descending
     * @param meanSquare mean of s_i^2 over those values (||J||_F^2 / min(rows, cols)); 1 for an isometry
     * @param maxOverMin s_max / s_min, the condition number; +Infinity when s_min is 0
     * @param logStd population standard deviation of ln s_i; +Infinity when some s_i is 0
     */
    public record Spectrum(double[] singularValues, double meanSquare, double maxOverMin, double logStd) {
        /** The spectrum of a matrix, by commons-math3's SVD (in double whatever m's dtype). */
        public static Spectrum of(INDArray m) {
            double[] s = JacobianSpectrum.singularValues(m);
            int p = s.length;
            double squares = 0;
            double logSum = 0;
            for (double v : s) {
                squares += v * v;
                logSum += Math.log(v);
            }
            double maxOverMin = s[p - 1] == 0 ? Double.POSITIVE_INFINITY : s[0] / s[p - 1];
            double logStd;
            if (s[p - 1] == 0) {
                logStd = Double.POSITIVE_INFINITY;
            } else {
                double mean = logSum / p;
                double var = 0;
                for (double v : s) {
                    var += (Math.log(v) - mean) * (Math.log(v) - mean);
                }
                logStd = Math.sqrt(var / p);
            }
            return new Spectrum(s, squares / p, maxOverMin, logStd);
        }
    }

    /** The Jacobian spectrum of hidden layer {@code layer} (1..L) at batch row {@code row}. */
    public record Layer(int layer, int row, Spectrum spectrum) {}

    /** Singular values of a matrix, descending, min(rows, cols) of them: a library SVD, not our own. */
    static double[] singularValues(INDArray m) {
        if (m.rank() != 2) {
            throw new IllegalArgumentException("matrix: rank " + m.rank() + "; allowed: a rank-2 array");
        }
        double[][] a = m.castTo(DataType.DOUBLE).toDoubleMatrix();
        return new SingularValueDecomposition(new Array2DRowRealMatrix(a, false)).getSingularValues();
    }

    /** The spectra of J_1..J_L at batch row {@code row} of the point. */
    public static List<Layer> at(Point point, int row) {
        List<INDArray> js = jacobians(point, row);
        List<Layer> out = new ArrayList<>();
        for (int l = 0; l < js.size(); l++) {
            out.add(new Layer(l + 1, row, Spectrum.of(js.get(l))));
        }
        return out;
    }

    /** The spectra at each of several batch rows, row by row, each with its L layers. */
    public static List<List<Layer>> at(Point point, int[] rows) {
        List<List<Layer>> out = new ArrayList<>();
        for (int r : rows) {
            out.add(at(point, r));
        }
        return out;
    }

    /**
     * J_l = dh_l/dx [width, inputDim] for l = 1..L at x_0 = batch row {@code row}, in the point's dtype.
     * The point supplies h_1..h_L at x_0 (rows of its hidden representations); the pre-activations are
     * recomputed from them and theta, because the passes keep no z after a residual add.
     */
    public static List<INDArray> jacobians(Point point, int row) {
        int n = point.batch().size();
        if (row < 0 || row >= n) {
            throw new IllegalArgumentException("row: " + row + " is outside the batch; allowed: 0.." + (n - 1));
        }
        Network net = point.network();
        NetworkSpec spec = net.spec();
        boolean residual = "resmlp".equals(spec.arch());
        ElementwiseActivation act = Activations.create(spec.activation(), spec.width());
        List<INDArray> hidden = point.hiddenRepresentations();
        INDArray in = point.batch().x().getRow(row, true);
        INDArray j = null;
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < spec.depth(); i++) {
            INDArray w = weight(net, point.theta(), i);
            INDArray z = preActivation(net, point.theta(), i, in);
            INDArray d1 = z.ulike();
            act.evaluate(z, null, d1);
            // D W J: scaling row k of W J by f'(z_k)
            INDArray dwj = (i == 0 ? w.dup() : w.mmul(j)).muliColumnVector(d1.reshape(spec.width(), 1));
            j = (i == 0 || !residual) ? dwj : j.add(dwj.muli(spec.residualScale()));
            out.add(j);
            in = hidden.get(i).getRow(row, true);
        }
        return out;
    }

    /**
     * The end-to-end map df/dx [outputDim, inputDim] of a network with the linear activation, which is
     * the same at every x: W_L ... W_0 for an mlp, W_L (I + alpha W_{L-1}) ... (I + alpha W_1) W_0 for a
     * resmlp (Saxe 2013's product of weight matrices).
     */
    public static INDArray endToEndMap(Network net, INDArray theta) {
        NetworkSpec spec = net.spec();
        if (!"linear".equals(spec.activation())) {
            throw new IllegalArgumentException("activation: '" + spec.activation()
                    + "' makes df/dx depend on x; allowed: linear (use jacobians(point, row) otherwise)");
        }
        boolean residual = "resmlp".equals(spec.arch());
        INDArray m = weight(net, theta, 0).dup();
        for (int i = 1; i < spec.depth(); i++) {
            INDArray wm = weight(net, theta, i).mmul(m);
            m = residual ? m.add(wm.muli(spec.residualScale())) : wm;
        }
        return weight(net, theta, spec.depth()).mmul(m);
    }

    /** The spectrum of {@link #endToEndMap}: min(outputDim, inputDim) singular values. */
    public static Spectrum endToEnd(Network net, INDArray theta) {
        return Spectrum.of(endToEndMap(net, theta));
    }

    /** W_i [out, in], a view of theta. */
    static INDArray weight(Network net, INDArray theta, int i) {
        return net.layout().view(theta, net.linearMaps().get(i).weightName());
    }

    /** z = in W_i^T + b_i for rows {@code in} [n, fanIn]: a new [n, fanOut] array. */
    static INDArray preActivation(Network net, INDArray theta, int i, INDArray in) {
        INDArray z = in.mmul(weight(net, theta, i).transpose());
        ParamLayout layout = net.layout();
        Linear map = net.linearMaps().get(i);
        if (map.hasBias()) {
            z.addiRowVector(layout.view(theta, map.biasName()));
        }
        return z;
    }

    /**
     * The pre-activations z_1..z_L [N, width] of every hidden layer on the point's batch: z_{l+1} is
     * what map l computes from h_l (h_0 = x), before the activation and before any residual add.
     */
    static List<INDArray> preActivations(Point point) {
        List<INDArray> hidden = point.hiddenRepresentations();
        List<INDArray> out = new ArrayList<>();
        INDArray in = point.batch().x();
        for (int i = 0; i < point.network().spec().depth(); i++) {
            out.add(preActivation(point.network(), point.theta(), i, in));
            in = hidden.get(i);
        }
        return out;
    }
}
