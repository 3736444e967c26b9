package io.depthscope.diag;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Module;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Singular values of the input-to-representation Jacobian J_l = dh_l/dx at one input x_0 (Saxe 2013;
 * Pennington, Schoenholz &amp; Ganguli 2017; Orhan &amp; Pitkow 2018). Dynamical isometry means every
 * singular value near 1; a spectrum that widens with depth is the degeneracy that slows training even
 * when gradient norms look fine.
 *
 * <p>The representations h_1..h_L are the outputs of the network's modules that end a layer
 * ({@link Network#hiddenLayers()}): each activation of an mlp, mlp_bn or cnn; a resmlp's first activation and its
 * residual blocks; the resnet's stem activation and every block (simple's alike). J_l is [size of h_l, d], a feature
 * map's C H W rows flattened in row-major order, as PyTorch's {@code flatten} orders them. It is built exactly by
 * forward-mode products, module by module: the R-pass of a point of the single example x_0 with the input as the
 * direction and the parameters fixed ({@link Point#inputTangents}) carries a block of the identity's rows at once,
 * and R{h_l} for direction e_j is column j of J_l. The derivatives are those the backward pass uses, so at relu's
 * kink f' is 0, as in PyTorch.
 *
 * <p>One example has no batch statistics, so a network with BatchNorm is differentiated in evaluation mode, normalising
 * by the running statistics it is given (PyTorch's {@code model.eval()}; at step 0 those are mean 0 and variance 1).
 * The SVD is bounded by {@link SvdLimit}.
 */
public final class JacobianSpectrum {
    /** A block of input directions holds at most about this many values per module output (16 MiB in double). */
    static final long BLOCK_VALUES = 1L << 21;

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

    /** The Jacobian spectrum of hidden representation {@code layer} (1..L) at batch row {@code row}. */
    public record Layer(int layer, int row, Spectrum spectrum) {}

    /** Singular values of a matrix, descending, min(rows, cols) of them: a library SVD, not our own, within {@link SvdLimit}. */
    static double[] singularValues(INDArray m) {
        if (m.rank() != 2) {
            throw new IllegalArgumentException("matrix: rank " + m.rank() + "; allowed: a rank-2 array");
        }
        SvdLimit.check(m.rows(), m.columns(), "singular values");
        double[][] a = m.castTo(DataType.DOUBLE).toDoubleMatrix();
        return new SingularValueDecomposition(new Array2DRowRealMatrix(a, false)).getSingularValues();
    }

    /** The spectra of J_1..J_L at batch row {@code row} of the point (with its parameters and running statistics). */
    public static List<Layer> at(Point point, int row) {
        return at(point.network(), point.theta(), point.buffers(), point.batch(), row);
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
     * The spectra of J_1..J_L at x_0 = row {@code row} of {@code batch}, at parameters theta and running statistics
     * {@code buffers} (null for a network without BatchNorm).
     */
    public static List<Layer> at(Network net, INDArray theta, INDArray buffers, Batch batch, int row) {
        List<INDArray> js = jacobians(net, theta, buffers, batch, row);
        List<Layer> out = new ArrayList<>();
        for (int l = 0; l < js.size(); l++) {
            out.add(new Layer(l + 1, row, Spectrum.of(js.get(l))));
        }
        return out;
    }

    /** J_l = dh_l/dx for l = 1..L at batch row {@code row} of the point, in the point's dtype. */
    public static List<INDArray> jacobians(Point point, int row) {
        return jacobians(point.network(), point.theta(), point.buffers(), point.batch(), row);
    }

    /**
     * J_l = dh_l/dx [size of h_l, d] for l = 1..L at x_0 = row {@code row} of {@code batch}, in theta's dtype: the
     * identity's rows pushed through the R-pass of an eval-mode point of x_0, in blocks of directions.
     */
    public static List<INDArray> jacobians(Network net, INDArray theta, INDArray buffers, Batch batch, int row) {
        return jacobians(net, theta, buffers, batch, row, BLOCK_VALUES);
    }

    /** As above, with blocks of about {@code blockValues} / (size of the largest h_l) directions. */
    static List<INDArray> jacobians(Network net, INDArray theta, INDArray buffers, Batch batch, int row, long blockValues) {
        int n = batch.size();
        if (row < 0 || row >= n) {
            throw new IllegalArgumentException("row: " + row + " is outside the batch; allowed: 0.." + (n - 1));
        }
        Point point = net.at(batch.rows(row, row + 1), theta, buffers, Mode.EVAL);
        int d = batch.inputDim();
        int[] hidden = net.hiddenLayers();
        long[] sizes = new long[hidden.length];
        long largest = 1;
        List<INDArray> js = new ArrayList<>();
        for (int i = 0; i < hidden.length; i++) {
            sizes[i] = Module.size(net.layers().get(hidden[i]).outputShape());
            SvdLimit.check(sizes[i], d, "the Jacobian of hidden representation " + (i + 1));
            largest = Math.max(largest, sizes[i]);
            js.add(Nd4j.create(theta.dataType(), sizes[i], d));
        }
        int block = (int) Math.max(1, Math.min(d, blockValues / largest));
        for (int from = 0; from < d; from += block) {
            int k = Math.min(block, d - from);
            INDArray directions = Nd4j.create(theta.dataType(), k, d);
            for (int j = 0; j < k; j++) {
                directions.putScalar(j, from + j, 1.0);
            }
            List<INDArray> tangents = point.inputTangents(directions);
            for (int i = 0; i < hidden.length; i++) {
                // row j of the tangent is J_l e_(from + j), a column of J_l
                INDArray columns = tangents.get(hidden[i]).reshape('c', k, sizes[i]).transpose();
                js.get(i).get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + k)).assign(columns);
            }
        }
        return js;
    }

    /**
     * The end-to-end map df/dx [outputDim, inputDim] of an mlp or resmlp with the linear activation, which is the same
     * at every x: W_L ... W_0 for an mlp, W_L (I + alpha W_{L-1}) ... (I + alpha W_1) W_0 for a resmlp (Saxe 2013's
     * product of weight matrices).
     */
    public static INDArray endToEndMap(Network net, INDArray theta) {
        NetworkSpec spec = net.spec();
        if (!NetworkSpec.FULLY_CONNECTED.contains(spec.arch())) {
            throw new IllegalArgumentException("arch: '" + spec.arch() + "' is not a product of weight matrices; allowed: "
                    + NetworkSpec.FULLY_CONNECTED);
        }
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

    /** W_i [out, in] of linear map i, a view of theta. */
    static INDArray weight(Network net, INDArray theta, int i) {
        return net.layout().view(theta, net.linearMaps().get(i).weightName());
    }
}
