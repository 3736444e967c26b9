package io.depthscope.nn;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * PyTorch's {@code nn.Conv2d} with a square kernel, dilation 1 and one group: z = W * a + b, a cross-correlation of
 * the zero-padded input. Its parameters are {@code <name>.weight} [out, in, k, k] and {@code <name>.bias} [out].
 * The output is (H + 2p - k) / s + 1 (floor) high, and likewise wide.
 *
 * <p>It runs as im2col and matrix products, as DL4J's {@code ConvolutionLayer}: the forward pass writes the
 * input's patches into a [N, H', W', C, k, k] 'c' buffer, which is, without a copy, the matrix A [N H' W', C k k]
 * whose row (n, y, x) is the patch under output pixel (y, x) of example n. With W as the matrix [out, C k k],
 * Z = A W^T is the output as [N H' W', out], copied into the 'c'-order [N, out, H', W'] activation. Backwards,
 * dZ is the output gradient copied into [N H' W', out]; dW = dZ^T A, db = colsum dZ and dA = dZ W, which col2im
 * (the adjoint of im2col, reading the buffer through a permuted [N, C, k, k, H', W'] view) sums into dLoss/da.
 * The patches A stay cached from the forward pass, so every product with them is one matrix product over the
 * whole batch. The patches are filled by k^2 strided copies of the zero-padded input, one per kernel offset.
 *
 * <p>R-operators for a direction (V, c), all linear in their arguments as for {@link Linear}:
 * R{Z} = R{A} W^T + A V^T + c; R{dW} = R{dZ}^T A + dZ^T R{A}; R{db} = colsum R{dZ}; R{dA} = R{dZ} W + dZ V.
 * R{A} is im2col of R{a}. They run direction by direction through one patch buffer of A's size (allocated on
 * first use), so that R{A} is computed again in the backward R-pass rather than kept for every direction:
 * patches are k^2 times the input's size, and a block of directions would hold that many copies per layer.
 *
 * <p>This is the pass of {@link ConvKernels#IM2COL}; {@link Conv2dOpPass} is the other, on libnd4j's ops.
 *
 * <p>Memory: a pass holds the cached patches, k^2 C H' W' values per example (9 times the input for a 3x3 kernel at
 * stride 1). The second patch buffer (once an input gradient or an R-pass is asked for) and the output matrix are used
 * within a call only, so they live in the point's {@link Scratch}, one of each for all its convolutions.
 */
public final class Conv2d implements WeightLayer {
    private final String name;
    private final int index;
    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean bias;
    private final int inHeight;
    private final int inWidth;
    private final int outHeight;
    private final int outWidth;

    /**
     * @param name its PyTorch module path, which names its parameters {@code name.weight} and {@code name.bias}
     * @param index its position among the network's weight-bearing modules (linear maps and convolutions),
     *     which keys its initialisation stream
     */
    public Conv2d(String name, int index, int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias,
                  int inHeight, int inWidth) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0 || inHeight < 1 || inWidth < 1) {
            throw new IllegalArgumentException("conv " + name + ": channels " + inChannels + " -> " + outChannels + ", kernel " + kernel
                    + ", stride " + stride + ", padding " + padding + ", input " + inHeight + "x" + inWidth
                    + "; allowed: channels, kernel, stride and input size >= 1, padding >= 0");
        }
        this.name = name;
        this.index = index;
        this.in = inChannels;
        this.out = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.bias = bias;
        this.inHeight = inHeight;
        this.inWidth = inWidth;
        this.outHeight = outputSize(inHeight, kernel, stride, padding);
        this.outWidth = outputSize(inWidth, kernel, stride, padding);
        if (outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("conv " + name + ": a " + kernel + "x" + kernel + " kernel with padding " + padding
                    + " does not fit a " + inHeight + "x" + inWidth + " input; allowed: kernel <= size + 2 padding");
        }
    }

    /** (size + 2 padding - kernel) / stride + 1, floored as PyTorch does; below 1 when the kernel does not fit. */
    public static int outputSize(int size, int kernel, int stride, int padding) {
        return Math.floorDiv(size + 2 * padding - kernel, stride) + 1;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public boolean hasBias() {
        return bias;
    }

    public int inChannels() {
        return in;
    }

    public int outChannels() {
        return out;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    @Override
    public long fanIn() {
        return (long) in * kernel * kernel;
    }

    @Override
    public long fanOut() {
        return (long) out * kernel * kernel;
    }

    @Override
    public long outputUnits() {
        return out;
    }

    @Override
    public String weightName() {
        return name + ".weight";
    }

    @Override
    public String biasName() {
        return name + ".bias";
    }

    @Override
    public long[] inputShape() {
        return new long[] {in, inHeight, inWidth};
    }

    @Override
    public long[] outputShape() {
        return new long[] {out, outHeight, outWidth};
    }

    @Override
    public List<ParamShape> params() {
        ParamShape weight = new ParamShape(weightName(), new long[] {out, in, kernel, kernel});
        return bias ? List.of(weight, new ParamShape(biasName(), new long[] {out})) : List.of(weight);
    }

    /**
     * The output and, dominating it, two patch buffers (the cached patches and the scratch of the backward passes). The
     * scratch is now shared by the point's convolutions, but the count keeps it: it sizes chunks, and changing it would
     * regroup the sums of runs already computed.
     */
    @Override
    public long activationValues() {
        return Module.size(outputShape()) + 2L * outHeight * outWidth * in * kernel * kernel;
    }

    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers) {
        return bind(batchSize, dtype, mode, buffers, Scratch.shared(dtype));
    }

    /**
     * The pass on the kernels {@link ConvKernels} picks for this dtype; its working memory (im2col: the second patch
     * buffer and the output matrix) in the point's {@link Scratch}: none of it outlives a call.
     */
    @Override
    public ModulePass bind(int batchSize, DataType dtype, Mode mode, BufferViews buffers, Scratch scratch) {
        return ConvKernels.forDtype(dtype) == ConvKernels.LIBND4J ? new Conv2dOpPass(this, batchSize, dtype, scratch)
                : new Pass(batchSize, dtype, scratch);
    }

    /** A [N, H', W', C, k, k] patch buffer with its matrix view and its im2col-order view. */
    private final class Patches {
        /** The [N H' W', C k k] matrix, one patch per row. */
        final INDArray matrix;
        /** The [N, C, k, k, H', W'] view that col2im reads. */
        final INDArray image;
        /** For each kernel offset (i, j), row-major, the [N, H', W', C] view of the patches' entries (c, i, j). */
        final INDArray[] offsets = new INDArray[kernel * kernel];

        /** Over {@code buffer} [N, H', W', C, k, k], 'c' order. */
        Patches(INDArray buffer) {
            long n = buffer.size(0);
            matrix = Views.of(buffer, (long) n * outHeight * outWidth, (long) in * kernel * kernel);
            image = buffer.permute(0, 3, 4, 5, 1, 2);
            for (int i = 0; i < kernel; i++) {
                for (int j = 0; j < kernel; j++) {
                    offsets[i * kernel + j] = buffer.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                            NDArrayIndex.point(i), NDArrayIndex.point(j));
                }
            }
        }

        /**
         * The patches of {@code x} [N, C, H, W]: entry (c, i, j) of the patch under output pixel (y, x) is
         * x_padded[c, s y + i, s x + j], so for each kernel offset (i, j) one strided copy of the padded input
         * fills the patches. (im2col into {@link #image} gives the same numbers, but writing through the permuted
         * view made it 6 to 10 times slower than these k^2 copies, and than im2col into a contiguous buffer.)
         */
        void fill(INDArray x, Padded padded) {
            if (padded != null) {
                padded.interior.assign(x);
            }
            for (int q = 0; q < offsets.length; q++) {
                offsets[q].assign(padded != null ? padded.windows[q] : window(x, q));
            }
        }

        /** col2im: each patch row summed back into its pixels of {@code into} [N, C, H, W], which it overwrites. */
        void sumInto(INDArray into) {
            Convolution.col2im(image, into, stride, stride, padding, padding, inHeight, inWidth, 1, 1);
        }
    }

    /**
     * The [N, H', W', C] view of x[n, c, s y + i, s x + j] for kernel offset q = (i, j), row-major: entry (c, i, j) of
     * every patch, read from a (padded) input x.
     */
    private INDArray window(INDArray x, int q) {
        return Views.grid(x, q / kernel, q % kernel, stride, stride, outHeight, outWidth).permute(0, 2, 3, 1);
    }

    /** A zero-bordered [N, C, H + 2p, W + 2p] copy of an input, of which only the interior is ever written. */
    private final class Padded {
        final INDArray interior;
        /** The windows of every kernel offset, made once: the buffer does not move. */
        final INDArray[] windows = new INDArray[kernel * kernel];

        Padded(int n, DataType dtype) {
            INDArray buffer = Nd4j.create(dtype, n, in, inHeight + 2L * padding, inWidth + 2L * padding);
            interior = buffer.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(padding, padding + inHeight),
                    NDArrayIndex.interval(padding, padding + inWidth));
            for (int q = 0; q < windows.length; q++) {
                windows[q] = window(buffer, q);
            }
        }
    }

    private final class Pass implements ModulePass {
        private final int n;
        private final DataType dtype;
        private final long patchSize;
        private final Patches cols;
        /** Z, R{Z}, R{dZ} or a pulled-back u as [N H' W', out], one direction at a time; in the scratch. */
        private INDArray mat;
        /** mat seen as [N, out, H', W'], for the copies to and from the activations' layout. */
        private INDArray matImage;
        private final Scratch.Lane matLane;
        private final Scratch.Lane patchLane;
        private final INDArray dz;
        private final INDArray dzImage;
        private final INDArray z;
        private final INDArray ones;
        private final Blocks.Lazy rz;
        private final Blocks.Lazy rGradIn;
        private INDArray gradIn;
        /**
         * Patches of R{a}, or dA and R{dA} before col2im, in the scratch, which allocates when first asked (never, for a
         * network whose only convolution is its first layer, in training).
         */
        private Patches scratch;
        /** The input with its zero border; null without padding. */
        private final Padded padded;
        private INDArray ra;

        Pass(int n, DataType dtype, Scratch shared) {
            this.n = n;
            this.dtype = dtype;
            patchSize = (long) in * kernel * kernel;
            long rows = (long) n * outHeight * outWidth;
            cols = new Patches(Nd4j.create(dtype, n, outHeight, outWidth, in, kernel, kernel));
            // lanes 0 and 1: the patches and the matrix are used in the same calls, so they must not overlap
            patchLane = shared.reserve(0, rows * patchSize);
            matLane = shared.reserve(1, rows * out);
            padded = padding == 0 ? null : new Padded(n, dtype);
            dz = Nd4j.create(dtype, rows, out);
            dzImage = Views.of(dz, n, outHeight, outWidth, out).permute(0, 3, 1, 2);
            z = Nd4j.create(dtype, n, out, outHeight, outWidth);
            ones = bias ? Nd4j.ones(dtype, rows, 1) : null;
            rz = new Blocks.Lazy(n, outputShape(), dtype);
            rGradIn = new Blocks.Lazy(n, inputShape(), dtype);
        }

        private Patches scratch() {
            if (scratch == null) {
                scratch = new Patches(patchLane.get(n, outHeight, outWidth, in, kernel, kernel));
            }
            return scratch;
        }

        /** Makes {@link #mat} and {@link #matImage}, on first use: every module of the point has reserved by then. */
        private void matrices() {
            if (mat == null) {
                mat = matLane.get((long) n * outHeight * outWidth, out);
                matImage = Views.of(mat, n, outHeight, outWidth, out).permute(0, 3, 1, 2);
            }
        }

        private INDArray gradIn() {
            if (gradIn == null) {
                gradIn = Nd4j.create(dtype, n, in, inHeight, inWidth);
            }
            return gradIn;
        }

        /** A weight tensor [out, C, k, k] as the matrix [out, C k k]. */
        private INDArray matrix(INDArray weight) {
            return Views.reading(weight, out, patchSize);
        }

        /** into = 1 b^T: every row the bias; the products after it accumulate with beta = 1. */
        private void broadcastBias(INDArray b, INDArray into) {
            Nd4j.gemm(ones, Views.reading(b, 1, out), into, false, false, 1.0, 0.0);
        }

        /** g = m^T A (the weight gradient of output gradients m [N H' W', out]) and, with a bias, colsum m. */
        private void parameterGradient(INDArray m, INDArray[] g) {
            Nd4j.gemm(m, cols.matrix, Views.of(g[0], out, patchSize), true, false, 1.0, 0.0);
            if (bias) {
                Nd4j.gemm(m, ones, Views.of(g[1], out, 1), true, false, 1.0, 0.0);
            }
        }

        @Override
        public INDArray forward(INDArray input, INDArray[] w) {
            matrices();
            cols.fill(input, padded);
            if (bias) {
                broadcastBias(w[1], mat);
            }
            Nd4j.gemm(cols.matrix, matrix(w[0]), mat, false, true, 1.0, bias ? 1.0 : 0.0);
            return z.assign(matImage);
        }

        @Override
        public INDArray backward(INDArray gradOut, INDArray[] w, INDArray[] g, boolean needInputGradient) {
            dzImage.assign(gradOut);
            if (g != null) {
                parameterGradient(dz, g);
            }
            if (!needInputGradient) {
                return null;
            }
            Patches s = scratch();
            Nd4j.gemm(dz, matrix(w[0]), s.matrix, false, false, 1.0, 0.0);
            s.sumInto(gradIn());
            return gradIn;
        }

        @Override
        public INDArray transposedJacobian(INDArray gradOut, INDArray[] w, INDArray[][] g, boolean needInputGradient) {
            matrices();
            int k = (int) (gradOut.size(0) / n);
            INDArray r = needInputGradient ? rGradIn.get(k) : null;
            for (int j = 0; j < k; j++) {
                matImage.assign(Blocks.rows(gradOut, j, n));
                if (g != null) {
                    parameterGradient(mat, g[j]);
                }
                if (needInputGradient) {
                    Patches s = scratch();
                    Nd4j.gemm(mat, matrix(w[0]), s.matrix, false, false, 1.0, 0.0);
                    s.sumInto(Blocks.rows(r, j, n));
                }
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
            matrices();
            INDArray r = rz.get(k);
            for (int j = 0; j < k; j++) {
                boolean moved = v[j] != null;
                if (moved) {
                    if (bias) {
                        broadcastBias(v[j][1], mat);
                    }
                    Nd4j.gemm(cols.matrix, matrix(v[j][0]), mat, false, true, 1.0, bias ? 1.0 : 0.0);
                }
                if (rIn != null) {
                    Patches s = scratch();
                    s.fill(Blocks.rows(rIn, j, n), padded);
                    Nd4j.gemm(s.matrix, matrix(w[0]), mat, false, true, 1.0, moved ? 1.0 : 0.0);
                } else if (!moved) {
                    mat.assign(0);
                }
                Blocks.rows(r, j, n).assign(matImage);
            }
            return r;
        }

        @Override
        public INDArray rBackward(INDArray rGradOut, INDArray[] w, INDArray[][] v, INDArray[][] g, boolean needInputGradient) {
            matrices();
            int k = v.length;
            INDArray r = needInputGradient ? rGradIn.get(k) : null;
            for (int j = 0; j < k; j++) {
                matImage.assign(Blocks.rows(rGradOut, j, n));
                parameterGradient(mat, g[j]);
                if (ra != null) {
                    Patches s = scratch();
                    s.fill(Blocks.rows(ra, j, n), padded);
                    Nd4j.gemm(dz, s.matrix, Views.of(g[j][0], out, patchSize), true, false, 1.0, 1.0);
                }
                if (needInputGradient) {
                    Patches s = scratch();
                    Nd4j.gemm(mat, matrix(w[0]), s.matrix, false, false, 1.0, 0.0);
                    Nd4j.gemm(dz, matrix(v[j][0]), s.matrix, false, false, 1.0, 1.0);
                    s.sumInto(Blocks.rows(r, j, n));
                }
            }
            return r;
        }
    }
}
