package io.depthscope.nn;

import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one entry point for initial parameters: every kind of {@link InitSpec}, optionally folded
 * ({@link Fold}), biases at a constant. Weight layer i (a linear map or a convolution, its weight viewed as
 * [out, fan_in]) draws only from the stream (seed, "init", i), so its values depend on its own shape and
 * nothing else: changing one layer's size, or the number of layers after it, leaves every other layer bitwise
 * the same. Other parameters take their module's constant start ({@link Module#initialValues()}: BatchNorm's
 * weight 1 and bias 0). Values are drawn in Java doubles and cast once at the end,
 * so float32 and float64 runs start from the same numbers (up to rounding).
 */
public final class Initializers {
    private Initializers() {}

    /** The flat initial theta for {@code network}, in the layout's order. */
    public static INDArray initialize(Network network, InitSpec spec, long seed, DataType dtype) {
        spec.validate();
        ParamLayout layout = network.layout();
        double[] theta = new double[Math.toIntExact(network.paramCount())];
        for (Module m : network.layers()) {
            constants(m, layout, theta);
        }
        for (WeightLayer map : network.weightLayers()) {
            int out = Math.toIntExact(map.outputUnits());
            int in = Math.toIntExact(map.fanIn());
            double[] w = matrix(spec, out, in, map.fanOut(), Seeds.stream(seed, "init", map.index()));
            ParamLayout.Entry weight = layout.entry(map.weightName());
            System.arraycopy(w, 0, theta, (int) weight.offset(), w.length);
            if (map.hasBias()) {
                ParamLayout.Entry b = layout.entry(map.biasName());
                Arrays.fill(theta, (int) b.offset(), (int) (b.offset() + b.size()), spec.bias());
            }
        }
        return RandomArrays.vector(theta, dtype);
    }

    private static void constants(Module m, ParamLayout layout, double[] theta) {
        for (var e : m.initialValues().entrySet()) {
            ParamLayout.Entry entry = layout.entry(e.getKey());
            Arrays.fill(theta, (int) entry.offset(), (int) (entry.offset() + entry.size()), e.getValue());
        }
        for (Module child : m.children()) {
            constants(child, layout, theta);
        }
    }

    /** One [out, in] weight matrix, row-major, drawn from {@code rng} and folded as the spec says. */
    public static double[] matrix(InitSpec spec, int out, int in, SplittableRandom rng) {
        return matrix(spec, out, in, out, rng);
    }

    /**
     * One [out, fan_in] weight, row-major; {@code fanOut} is PyTorch's fan_out for the Xavier scales (out k k for a
     * convolution with a k x k kernel, out for a linear map).
     */
    public static double[] matrix(InitSpec spec, int out, int in, long fanOut, SplittableRandom rng) {
        double[] w = switch (spec.kind()) {
            case "gaussian" -> RandomArrays.gaussian(rng, out * in, Math.sqrt(spec.effectiveSigma2() / in));
            case "xavier_normal" -> RandomArrays.gaussian(rng, out * in, spec.gain() * Math.sqrt(2.0 / (in + fanOut)));
            case "xavier_uniform" -> uniform(rng, out * in, spec.gain() * Math.sqrt(6.0 / (in + fanOut)));
            case "orthogonal" -> orthogonal(rng, out, in, spec.gain());
            default -> throw new IllegalArgumentException("init.kind: unknown value '" + spec.kind() + "'; allowed: "
                    + String.join(", ", InitSpec.KINDS));
        };
        Fold.apply(w, out, in, spec.fold(), spec.foldAxis());
        return w;
    }

    private static double[] uniform(SplittableRandom rng, int n, double a) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = a * (2 * rng.nextDouble() - 1);
        }
        return w;
    }

    /**
     * gain * a (semi-)orthogonal [rows, cols] matrix, as torch.nn.init.orthogonal_ builds it: a standard
     * Gaussian [rows, cols] matrix, transposed when it is wide so that it is tall; its thin QR; Q's columns
     * multiplied by sign(diag(R)), which makes Q Haar-distributed rather than biased by the QR's sign
     * convention; transposed back. A sign of 0 (probability zero) counts as +1.
     */
    static double[] orthogonal(SplittableRandom rng, int rows, int cols, double gain) {
        double[] g = RandomArrays.gaussian(rng, rows * cols, 1.0);
        boolean wide = rows < cols;
        int tall = Math.max(rows, cols);
        int thin = Math.min(rows, cols);
        RealMatrix a = new Array2DRowRealMatrix(tall, thin);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (wide) {
                    a.setEntry(c, r, g[r * cols + c]);
                } else {
                    a.setEntry(r, c, g[r * cols + c]);
                }
            }
        }
        QRDecomposition qr = new QRDecomposition(a);
        RealMatrix q = qr.getQ();
        RealMatrix rFactor = qr.getR();
        double[] w = new double[rows * cols];
        for (int j = 0; j < thin; j++) {
            double sign = rFactor.getEntry(j, j) < 0 ? -1.0 : 1.0;
            for (int i = 0; i < tall; i++) {
                double v = gain * sign * q.getEntry(i, j);
                if (wide) {
                    w[j * cols + i] = v;
                } else {
                    w[i * cols + j] = v;
                }
            }
        }
        return w;
    }
}
