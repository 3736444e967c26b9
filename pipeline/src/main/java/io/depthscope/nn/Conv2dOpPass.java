package io.depthscope.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Conv2d}'s pass on libnd4j's {@code conv2d} and {@code conv2d_bp} ops ({@link ConvKernels#LIBND4J}): NCHW,
 * weights [out, in, k, k] as PyTorch lays them out. Every R-operator is a sum of those two ops, because each is
 * linear in each argument:
 *
 * <ul>
 *   <li>R{z} = conv(R{a}, W) + conv(a, V) + c: two forward ops;</li>
 *   <li>conv2d_bp(a, W, R{dz}) gives conv_bp_input(R{dz}, W) and conv_bp_weight(a, R{dz}), and conv2d_bp(R{a}, V, dz)
 *   gives conv_bp_input(dz, V) and conv_bp_weight(R{a}, dz): R{da} is the sum of the two input gradients, R{dW} of
 *   the two weight gradients, R{db} the first call's bias gradient. When R{a} is zero (the first layer) or V is (a
 *   direction that does not move this layer), the second call's unused half is computed and dropped.</li>
 * </ul>
 *
 * <p>It keeps references to its input and its output gradient, as {@link Linear} does (a pass's arrays stay valid
 * until its caller's next call of the same kind), and no patches: its memory is its output and, in the R-passes,
 * the point's {@link Scratch} for a second output or input gradient.
 */
final class Conv2dOpPass implements ModulePass {
    private final Conv2d conv;
    private final int n;
    private final DataType dtype;
    /** kH, kW, sH, sW, pH, pW, dH, dW, padding mode (0: the explicit pads), data format (0: NCHW), weight format (1: [out, in, k, k]). */
    private final int[] args;
    private final INDArray z;
    private final Blocks.Lazy rz;
    private final Blocks.Lazy rGradIn;
    /** An input gradient or an output, used within a call; lanes 0 and 1 as the im2col pass uses them. */
    private final Scratch.Lane inLane;
    private final Scratch.Lane outLane;
    private INDArray weightScratch;
    private INDArray biasScratch;
    private INDArray gradIn;
    private INDArray a;
    private INDArray dz;
    private INDArray ra;

    Conv2dOpPass(Conv2d conv, int n, DataType dtype, Scratch scratch) {
        this.conv = conv;
        this.n = n;
        this.dtype = dtype;
        int k = conv.kernel();
        int s = conv.stride();
        int p = conv.padding();
        args = new int[] {k, k, s, s, p, p, 1, 1, 0, 0, 1};
        z = Nd4j.create(dtype, Blocks.stackedShape(1, n, conv.outputShape()));
        rz = new Blocks.Lazy(n, conv.outputShape(), dtype);
        rGradIn = new Blocks.Lazy(n, conv.inputShape(), dtype);
        inLane = scratch.reserve(0, n * Module.size(conv.inputShape()));
        outLane = scratch.reserve(1, n * Module.size(conv.outputShape()));
    }

    private INDArray weight(INDArray w) {
        return Views.reading(w, conv.outChannels(), conv.inChannels(), conv.kernel(), conv.kernel());
    }

    private INDArray weightGradient(INDArray g) {
        return Views.of(g, conv.outChannels(), conv.inChannels(), conv.kernel(), conv.kernel());
    }

    /** into = conv(x, w) + b (no bias term when b is null). */
    private void convolve(INDArray x, INDArray w, INDArray b, INDArray into) {
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d").addIntegerArguments(args);
        op = b == null ? op.addInputs(x, weight(w)) : op.addInputs(x, weight(w), b);
        Nd4j.exec(op.addOutputs(into).build());
    }

    /**
     * The adjoint of convolve at (x, w) applied to gradOut: the input gradient into {@code gradX}, the weight gradient
     * into {@code gradW} and, when {@code gradB} is not null, the bias gradient (colsum of gradOut) into it. Every
     * output is overwritten.
     */
    private void adjoint(INDArray x, INDArray w, INDArray gradOut, INDArray gradX, INDArray gradW, INDArray gradB) {
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp").addIntegerArguments(args);
        if (gradB == null) {
            op = op.addInputs(x, weight(w), gradOut).addOutputs(gradX, weightGradient(gradW));
        } else {
            op = op.addInputs(x, weight(w), biasScratch(), gradOut).addOutputs(gradX, weightGradient(gradW), gradB);
        }
        Nd4j.exec(op.build());
    }

    /** A bias input for conv2d_bp, which needs one to return the bias gradient; its value does not enter. */
    private INDArray biasScratch() {
        if (biasScratch == null) {
            biasScratch = Nd4j.create(dtype, conv.outChannels());
        }
        return biasScratch;
    }

    private INDArray weightScratch() {
        if (weightScratch == null) {
            weightScratch = Nd4j.create(dtype, conv.outChannels(), conv.inChannels(), conv.kernel(), conv.kernel());
        }
        return weightScratch;
    }

    private INDArray inScratch() {
        return inLane.get(Blocks.stackedShape(1, n, conv.inputShape()));
    }

    private INDArray gradIn() {
        if (gradIn == null) {
            gradIn = Nd4j.create(dtype, Blocks.stackedShape(1, n, conv.inputShape()));
        }
        return gradIn;
    }

    @Override
    public INDArray forward(INDArray input, INDArray[] w) {
        a = input;
        convolve(input, w[0], conv.hasBias() ? w[1] : null, z);
        return z;
    }

    @Override
    public INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
        dz = gradOut;
        if (g == null && !needInputGradient) {
            return null;
        }
        INDArray gi = needInputGradient ? gradIn() : inScratch();
        INDArray gw = g != null ? g[0] : weightScratch();
        adjoint(a, w[0], gradOut, gi, gw, g != null && conv.hasBias() ? g[1] : null);
        return needInputGradient ? gradIn : null;
    }

    @Override
    public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient) {
        if (g == null && !needInputGradient) {
            return null;
        }
        int k = (int) (gradOut.size(0) / n);
        INDArray r = needInputGradient ? rGradIn.get(k) : null;
        for (int j = 0; j < k; j++) {
            INDArray gi = needInputGradient ? Blocks.rows(r, j, n) : inScratch();
            INDArray gw = g != null ? g[j][0] : weightScratch();
            adjoint(a, w[0], Blocks.rows(gradOut, j, n), gi, gw, g != null && conv.hasBias() ? g[j][1] : null);
        }
        return r;
    }

    @Override
    public INDArray rForward(INDArray rIn, INDArray[] w, INDArray[][] v) {
        int k = v.length;
        ra = rIn;
        if (rIn == null && Blocks.fixed(v)) {
            return null;
        }
        INDArray r = rz.get(k);
        for (int j = 0; j < k; j++) {
            INDArray rj = Blocks.rows(r, j, n);
            boolean moved = v[j] != null;
            if (moved) {
                convolve(a, v[j][0], conv.hasBias() ? v[j][1] : null, rj);
            }
            if (rIn != null) {
                if (moved) {
                    INDArray second = outLane.get(rj.shape());
                    convolve(Blocks.rows(rIn, j, n), w[0], null, second);
                    rj.addi(second);
                } else {
                    convolve(Blocks.rows(rIn, j, n), w[0], null, rj);
                }
            } else if (!moved) {
                rj.assign(0);
            }
        }
        return r;
    }

    @Override
    public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient) {
        int k = v.length;
        INDArray r = needInputGradient ? rGradIn.get(k) : null;
        for (int j = 0; j < k; j++) {
            INDArray rj = needInputGradient ? Blocks.rows(r, j, n) : inScratch();
            adjoint(a, w[0], Blocks.rows(rGradOut, j, n), rj, g[j][0], conv.hasBias() ? g[j][1] : null);
            boolean moved = v[j] != null;
            boolean moving = ra != null;
            if (!moving && !(moved && needInputGradient)) {
                continue;
            }
            // conv2d_bp(R{a}, V, dz): its input gradient dz V when V moves and it is wanted, its weight gradient R{a} dz
            INDArray secondIn = inScratch();
            INDArray secondW = weightScratch();
            adjoint(moving ? Blocks.rows(ra, j, n) : a, moved ? v[j][0] : w[0], dz, secondIn, secondW, null);
            if (moving) {
                Views.of(g[j][0], secondW.shape()).addi(secondW);
            }
            if (moved && needInputGradient) {
                rj.addi(secondIn);
            }
        }
        return r;
    }
}
