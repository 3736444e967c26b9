package io.depthscope.nn;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * PyTorch's {@code BatchNorm1d(C)} (shape [C], input [N, C], statistics over N) and {@code BatchNorm2d(C)}
 * (shape [C, H, W], input [N, C, H, W], statistics per channel over N, H and W): affine, eps 1e-5, momentum 0.1,
 * tracking running statistics. Parameters {@code <name>.weight} (gamma) and {@code <name>.bias} (beta), buffers
 * {@code <name>.running_mean} and {@code <name>.running_var}. PyTorch's {@code num_batches_tracked} is not kept: it
 * only replaces the momentum when that is None (a cumulative average), and with momentum 0.1 it plays no part.
 *
 * <p>Per channel, over its M = N H W positions, {@code mean} is the mean over them. With mu and var the statistics
 * used, s = 1 / sqrt(var + eps), xhat = (x - mu) s and y = gamma xhat + beta:
 * <ul>
 *   <li>{@link Mode#TRAIN}: mu and var are the batch's own mean and biased variance, so every output depends on
 *   every example of the batch (the module couples them) and the derivatives go through mu and var. The Jacobian
 *   of xhat is s P with the symmetric projection P(u) = u - mean(u) - xhat mean(xhat u); hence, with dy the output
 *   gradient and u = gamma dy: dx = s P(u), dgamma = sum(dy xhat), dbeta = sum(dy). The R-operators for a
 *   direction (Vgamma, Vbeta) and an input direction R{x}: R{xhat} = s P(R{x}), R{s} = -s^2 mean(xhat R{x}),
 *   R{y} = gamma R{xhat} + Vgamma xhat + Vbeta; R{dgamma} = sum(R{dy} xhat + dy R{xhat}), R{dbeta} = sum(R{dy}),
 *   and, with R{u} = Vgamma dy + gamma R{dy}, R{dx} = R{s} P(u) + s [P(R{u}) - R{xhat} mean(xhat u)
 *   - xhat mean(R{xhat} u)] (the product rule on s P(u), P depending on xhat).</li>
 *   <li>{@link Mode#EVAL}: mu and var are the bound running statistics, read at each forward (so an update of the
 *   buffers is seen by the next forward). The map is then affine in x, per channel, with P the identity and
 *   R{s} = 0 in the formulas above.</li>
 * </ul>
 * {@link ModulePass#updateRunningStatistics} folds the last train-mode forward's statistics into the buffers:
 * running_mean = 0.9 running_mean + 0.1 mean, running_var = 0.9 running_var + 0.1 var_unbiased (divisor M - 1).
 * A forward never changes them.
 *
 * <p>Internally every array is seen as [k, N, C, H W] (H W = 1 for 1-d), k = 1 for the forward state and k the
 * number of stacked directions for the R-arrays; per-channel statistics are [k, 1, C, 1], reduced over axes 1
 * and 3 and applied by broadcasting, so a block of directions runs as one set of ops with each direction's
 * statistics over its own N rows.
 */
public final class BatchNorm implements Module {
    /** PyTorch's default eps. */
    public static final double EPS = 1e-5;
    /** PyTorch's default momentum: the weight of the new batch in the running statistics. */
    public static final double MOMENTUM = 0.1;

    private final String name;
    private final long[] shape;
    private final long channels;
    private final long spatial;

    /**
     * @param name its PyTorch module path, which names its parameters and buffers
     * @param shape one example's shape: [C] for BatchNorm1d or [C, H, W] for BatchNorm2d
     */
    public BatchNorm(String name, long[] shape) {
        if (shape == null || (shape.length != 1 && shape.length != 3) || Arrays.stream(shape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("batch norm '" + name + "': shape " + Arrays.toString(shape)
                    + " is not supported; allowed: [C] (BatchNorm1d) or [C, H, W] (BatchNorm2d) with positive sizes");
        }
        this.name = name;
        this.shape = shape.clone();
        this.channels = shape[0];
        this.spatial = shape.length == 3 ? shape[1] * shape[2] : 1;
    }

    public String name() {
        return name;
    }

    public long channels() {
        return channels;
    }

    public String weightName() {
        return name + ".weight";
    }

    public String biasName() {
        return name + ".bias";
    }

    public String runningMeanName() {
        return name + ".running_mean";
    }

    public String runningVarName() {
        return name + ".running_var";
    }

    @Override
    public long[] inputShape() {
        return shape.clone();
    }

    @Override
    public long[] outputShape() {
        return shape.clone();
    }

    @Override
    public List<ParamShape> params() {
        return List.of(new ParamShape(weightName(), new long[] {channels}), new ParamShape(biasName(), new long[] {channels}));
    }

    @Override
    public List<ParamShape> buffers() {
        return List.of(new ParamShape(runningMeanName(), new long[] {channels}),
                new ParamShape(runningVarName(), new long[] {channels}));
    }

    @Override
    public boolean couplesExamples(Mode mode) {
        return mode == Mode.TRAIN;
    }

    /** PyTorch's start: weight 1, bias 0 (torch.nn.BatchNorm reset_parameters), whatever the weight layers draw. */
    @Override
    public java.util.Map<String, Double> initialValues() {
        return java.util.Map.of(weightName(), 1.0, biasName(), 0.0);
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        if (buffers == null || buffers.count() != 2) {
            throw new IllegalArgumentException("batch norm '" + name + "': " + (buffers == null ? 0 : buffers.count())
                    + " buffer views given; allowed: 2 (running_mean, running_var)");
        }
        if (mode == Mode.TRAIN && batchSize * spatial < 2) {
            throw new IllegalArgumentException("batch norm '" + name + "': train mode needs more than one value per channel, got "
                    + batchSize + " example(s) of " + Arrays.toString(shape) + "; allowed: batch size * H * W >= 2 (or eval mode)");
        }
        return new Pass(batchSize, dtype, mode, buffers.get(0), buffers.get(1));
    }

    private final class Pass implements ModulePass {
        private final int n;
        private final DataType dtype;
        private final boolean train;
        private final INDArray runningMean;
        private final INDArray runningVar;
        /** Owned forward and backward arrays in the module's shape [N, ...] and their [1, N, C, HW] views. */
        private final INDArray y;
        private final INDArray y4;
        private final INDArray gradIn;
        private final INDArray gradIn4;
        private final INDArray xhat4;
        private final INDArray scratch4;
        /** u = gamma dy and P(u), train mode only. */
        private final INDArray u4;
        private final INDArray pu4;
        private final Blocks.Lazy ry;
        private final Blocks.Lazy rxhat;
        private final Blocks.Lazy rGradIn;
        private final Blocks.Lazy scratchA;
        private final Blocks.Lazy scratchB;
        /** s = 1/sqrt(var + eps), [1, 1, C, 1]. */
        private INDArray s;
        /** The train-mode batch mean and biased variance [1, 1, C, 1] of the last forward, until folded into the buffers. */
        private INDArray batchMean;
        private INDArray batchVar;
        private INDArray dy4;
        /** sum(dy xhat) and sum(dy) [C] of the last backward (null until needed), from which P(u)'s means follow. */
        private INDArray sumDyXhat;
        private INDArray sumDy;
        /** mean(xhat u), [1, 1, C, 1]; with u4 and pu4 valid while backwardReady. */
        private INDArray xhatU;
        private boolean backwardReady;
        /** The cached R{xhat} [k, N, C, HW] (null when R{x} = 0) and R{s} [k, 1, C, 1] (train mode) of the last rForward. */
        private INDArray rxhat4;
        private INDArray rs;

        Pass(int n, DataType dtype, Mode mode, INDArray runningMean, INDArray runningVar) {
            this.n = n;
            this.dtype = dtype;
            this.train = mode == Mode.TRAIN;
            this.runningMean = runningMean;
            this.runningVar = runningVar;
            long[] full = Blocks.stackedShape(1, n, shape);
            y = Nd4j.create(dtype, full);
            y4 = as4(y, 1);
            gradIn = Nd4j.create(dtype, full);
            gradIn4 = as4(gradIn, 1);
            xhat4 = Nd4j.create(dtype, 1, n, channels, spatial);
            scratch4 = Nd4j.create(dtype, 1, n, channels, spatial);
            u4 = train ? Nd4j.create(dtype, 1, n, channels, spatial) : null;
            pu4 = train ? Nd4j.create(dtype, 1, n, channels, spatial) : null;
            ry = new Blocks.Lazy(n, shape, dtype);
            rxhat = new Blocks.Lazy(n, new long[] {channels, spatial}, dtype);
            rGradIn = new Blocks.Lazy(n, shape, dtype);
            scratchA = new Blocks.Lazy(n, new long[] {channels, spatial}, dtype);
            scratchB = new Blocks.Lazy(n, new long[] {channels, spatial}, dtype);
        }

        /** [k N, ...] as [k, N, C, HW]: a view for the contiguous 'c'-order arrays the passes hand each other. */
        private INDArray as4(INDArray a, long k) {
            return a.reshape('c', k, n, channels, spatial);
        }

        /** A per-channel vector [C] (a parameter, direction or buffer view) as [1, 1, C, 1]. */
        private INDArray channel(INDArray c) {
            return c.reshape('c', 1, 1, channels, 1);
        }

        /** Tensor {@code t} of every direction, stacked as [k, 1, C, 1]; zero for a direction that fixes the parameters. */
        private INDArray stacked(INDArray[][] v, int t) {
            INDArray out = Nd4j.create(dtype, v.length, channels);
            for (int j = 0; j < v.length; j++) {
                if (v[j] != null) {
                    out.getRow(j).assign(v[j][t]);
                }
            }
            return out.reshape('c', v.length, 1, channels, 1);
        }

        /** Per-channel means over each direction's N HW positions: [k, 1, C, 1]. */
        private INDArray mean(INDArray a4) {
            return a4.mean(true, 1, 3);
        }

        /**
         * out = P(a) = a - mean(a) - xhat mean(xhat a) for each of the k directions of a [k, N, C, HW], with
         * {@code tmp} of a's shape as scratch; returns mean(xhat a) [k, 1, C, 1].
         */
        private INDArray project(INDArray a4, INDArray out4, INDArray tmp4) {
            Nd4j.exec(new MulOp(a4, xhat4, tmp4));
            INDArray xhatA = mean(tmp4);
            Nd4j.exec(new SubOp(a4, mean(a4), out4));
            Nd4j.exec(new MulOp(xhat4, xhatA, tmp4));
            Nd4j.exec(new SubOp(out4, tmp4, out4));
            return xhatA;
        }

        /** Writes per-channel sums over positions of a [k, N, C, HW] into direction j's tensor t of {@code g}. */
        private void channelSums(INDArray a4, INDArray[][] g, int t) {
            INDArray sums = a4.sum(1, 3);
            for (int j = 0; j < g.length; j++) {
                g[j][t].assign(sums.getRow(j));
            }
        }

        @Override
        public INDArray forward(INDArray in, INDArray[] w) {
            INDArray x4 = as4(in, 1);
            backwardReady = false;
            if (train) {
                batchMean = mean(x4);
                Nd4j.exec(new SubOp(x4, batchMean, xhat4));
                Nd4j.exec(new MulOp(xhat4, xhat4, scratch4));
                batchVar = mean(scratch4);
                s = Transforms.sqrt(batchVar.add(EPS), false).rdivi(1.0);
                Nd4j.exec(new MulOp(xhat4, s, xhat4));
            } else {
                s = Transforms.sqrt(channel(runningVar).add(EPS), false).rdivi(1.0);
                Nd4j.exec(new SubOp(x4, channel(runningMean), xhat4));
                Nd4j.exec(new MulOp(xhat4, s, xhat4));
            }
            Nd4j.exec(new MulOp(xhat4, channel(w[0]), y4));
            Nd4j.exec(new AddOp(y4, channel(w[1]), y4));
            return y;
        }

        @Override
        public INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
            // kept by reference (as a view), as Linear keeps dz: the buffer is the next module's and stays put until
            // its next backward pass
            dy4 = as4(gradOut, 1);
            backwardReady = false;
            sumDyXhat = null;
            sumDy = null;
            if (g != null || (train && needInputGradient)) {
                dySums();
            }
            if (g != null) {
                g[0].assign(sumDyXhat);
                g[1].assign(sumDy);
            }
            if (!needInputGradient) {
                return null;
            }
            if (train) {
                prepareBackward(w);
                Nd4j.exec(new MulOp(pu4, s, gradIn4));
            } else {
                Nd4j.exec(new MulOp(dy4, channel(w[0]), gradIn4));
                Nd4j.exec(new MulOp(gradIn4, s, gradIn4));
            }
            return gradIn;
        }

        /** sum(dy xhat) and sum(dy) per channel [C] of the last backward: dgamma and dbeta. */
        private void dySums() {
            Nd4j.exec(new MulOp(dy4, xhat4, scratch4));
            sumDyXhat = scratch4.sum(0, 1, 3);
            sumDy = dy4.sum(0, 1, 3);
        }

        /**
         * Train mode: u = gamma dy, P(u) and mean(xhat u) of the last backward, once per backward. The two means P
         * needs are gamma dbeta / M and gamma dgamma / M (gamma is constant per channel), so they come from the
         * parameter gradient's sums instead of two more reductions over the batch (a reduction over axes 1 and 3
         * costs several elementwise ops).
         */
        private void prepareBackward(INDArray[] w) {
            if (!backwardReady) {
                if (sumDy == null) {
                    dySums();
                }
                double perPosition = 1.0 / ((double) n * spatial);
                INDArray gamma = w[0].reshape(channels);
                INDArray meanU = channel(sumDy.mul(gamma).muli(perPosition));
                xhatU = channel(sumDyXhat.mul(gamma).muli(perPosition));
                Nd4j.exec(new MulOp(dy4, channel(w[0]), u4));
                Nd4j.exec(new SubOp(u4, meanU, pu4));
                Nd4j.exec(new MulOp(xhat4, xhatU, scratch4));
                Nd4j.exec(new SubOp(pu4, scratch4, pu4));
                backwardReady = true;
            }
        }

        @Override
        public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient) {
            int k = (int) (gradOut.size(0) / n);
            INDArray a4 = as4(gradOut, k);
            INDArray tmp = as4(scratchA.get(k), k);
            if (g != null) {
                Nd4j.exec(new MulOp(a4, xhat4, tmp));
                channelSums(tmp, g, 0);
                channelSums(a4, g, 1);
            }
            if (!needInputGradient) {
                return null;
            }
            INDArray out = rGradIn.get(k);
            INDArray out4 = as4(out, k);
            if (train) {
                INDArray ga4 = as4(scratchB.get(k), k);
                Nd4j.exec(new MulOp(a4, channel(w[0]), ga4));
                project(ga4, out4, tmp);
                Nd4j.exec(new MulOp(out4, s, out4));
            } else {
                Nd4j.exec(new MulOp(a4, channel(w[0]), out4));
                Nd4j.exec(new MulOp(out4, s, out4));
            }
            return out;
        }

        @Override
        public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[][] v) {
            int k = v.length;
            boolean fixed = Blocks.fixed(v);
            if (fixed && rIn == null) {
                rxhat4 = null;
                rs = null;
                return null;
            }
            INDArray out = ry.get(k);
            INDArray out4 = as4(out, k);
            INDArray vGamma = fixed ? null : stacked(v, 0);
            INDArray vBeta = fixed ? null : stacked(v, 1);
            if (rIn == null) {
                rxhat4 = null;
                rs = null;
                Nd4j.exec(new MulOp(xhat4, vGamma, out4));
            } else {
                INDArray rx4 = as4(rIn, k);
                rxhat4 = as4(rxhat.get(k), k);
                INDArray tmp = as4(scratchA.get(k), k);
                if (train) {
                    INDArray xhatRx = project(rx4, rxhat4, tmp);
                    rs = xhatRx.mul(s).muli(s).negi();
                    Nd4j.exec(new MulOp(rxhat4, s, rxhat4));
                } else {
                    Nd4j.exec(new MulOp(rx4, s, rxhat4));
                }
                Nd4j.exec(new MulOp(rxhat4, channel(w[0]), out4));
                if (fixed) {
                    return out; // the input's direction alone: gamma R{xhat}
                }
                Nd4j.exec(new MulOp(xhat4, vGamma, tmp));
                Nd4j.exec(new AddOp(out4, tmp, out4));
            }
            Nd4j.exec(new AddOp(out4, vBeta, out4));
            return out;
        }

        @Override
        public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient) {
            int k = v.length;
            INDArray rdy4 = as4(rGradOut, k);
            INDArray a = as4(scratchA.get(k), k);
            INDArray b = as4(scratchB.get(k), k);
            // R{dgamma} = sum(R{dy} xhat + dy R{xhat}), R{dbeta} = sum(R{dy})
            Nd4j.exec(new MulOp(rdy4, xhat4, a));
            if (rxhat4 != null) {
                Nd4j.exec(new MulOp(rxhat4, dy4, b));
                Nd4j.exec(new AddOp(a, b, a));
            }
            channelSums(a, g, 0);
            channelSums(rdy4, g, 1);
            if (!needInputGradient) {
                return null;
            }
            // R{u} = Vgamma dy + gamma R{dy}
            INDArray ru4 = a;
            Nd4j.exec(new MulOp(dy4, stacked(v, 0), ru4));
            Nd4j.exec(new MulOp(rdy4, channel(w[0]), b));
            Nd4j.exec(new AddOp(ru4, b, ru4));
            INDArray out = rGradIn.get(k);
            INDArray out4 = as4(out, k);
            if (!train) {
                Nd4j.exec(new MulOp(ru4, s, out4));
                return out;
            }
            prepareBackward(w);
            project(ru4, out4, b);
            if (rxhat4 != null) {
                // - R{xhat} mean(xhat u) - xhat mean(R{xhat} u)
                Nd4j.exec(new MulOp(rxhat4, u4, b));
                INDArray rxhatU = mean(b);
                Nd4j.exec(new MulOp(xhat4, rxhatU, b));
                Nd4j.exec(new SubOp(out4, b, out4));
                Nd4j.exec(new MulOp(rxhat4, xhatU, b));
                Nd4j.exec(new SubOp(out4, b, out4));
            }
            Nd4j.exec(new MulOp(out4, s, out4));
            if (rs != null) {
                // + R{s} P(u)
                Nd4j.exec(new MulOp(pu4, rs, b));
                Nd4j.exec(new AddOp(out4, b, out4));
            }
            return out;
        }

        @Override
        public void updateRunningStatistics() {
            if (!train) {
                return;
            }
            if (batchMean == null) {
                throw new IllegalStateException("batch norm '" + name + "': no train-mode forward to fold into the running statistics"
                        + " (each forward is folded at most once)");
            }
            long m = n * spatial;
            INDArray unbiased = batchVar.mul((double) m / (m - 1)).reshape(channels);
            runningMean.muli(1 - MOMENTUM).addi(batchMean.reshape(channels).mul(MOMENTUM));
            runningVar.muli(1 - MOMENTUM).addi(unbiased.muli(MOMENTUM));
            batchMean = null;
            batchVar = null;
        }
    }
}
