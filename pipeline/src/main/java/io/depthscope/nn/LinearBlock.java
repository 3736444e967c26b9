package io.depthscope.nn;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A linear map's R-passes over a block of k > 1 directions that all move its parameters, with each term that pairs a
 * direction's own parameters with the point's forward state as one matrix product over all k: a V_j^T + 1 c_j^T forward;
 * R{dz}_j^T a + dz^T R{a}_j and the bias's column sums of R{dz}_j backward; dz V_j for the input. Run direction by
 * direction they are 4k small products, which on bench's mlp (256 wide, batch 256, k = 8, float32) took 1.7 ms per term
 * against 0.85 ms for one product over all k.
 *
 * <p>Those products put each example's k rows side by side, [N, k width] (a [V_1; ...; V_k]^T is [N, k out]), and the
 * products with W run over the k N rows in either order. So the map works side by side, takes its R-inputs in either
 * layout ({@link ModulePass}) and gives its results side by side to a neighbour that takes them, stacked otherwise:
 * between the linear maps and activations of an mlp no block is ever moved between layouts. Where a neighbour gives or
 * wants the stacked layout, one strided copy moves it (about a quarter of a product at these sizes). The directions'
 * parameter views are gathered into one matrix and the parameter products scattered back the same way.
 *
 * <p>The views it works through (some 30 per call, at about 20 us each for ND4J to make) are kept, keyed by the identity
 * of the arrays they view: the point hands the same arrays call after call, and the temporaries give the same ones while
 * their slots stay put.
 */
final class LinearBlock {
    /** Slots of the point's temporaries. */
    private static final int PARAMETERS = 0;
    private static final int PRODUCT = 1;
    private static final int SIDE = 2;
    private static final int SIDE_INPUT = 3;
    private static final int CROSS = 4;
    /** At most this many views are kept; past it they are dropped and made again. */
    private static final int VIEWS = 256;

    private final int n;
    private final int in;
    private final int out;
    private final boolean bias;
    private final Scratch.Temporaries temps;
    /** The width of the parameter products: in, and one more for the bias column. */
    private final int width;
    /** [a, 1] and its first in columns; made on first use. */
    private INDArray aWithOnes;
    private INDArray aColumns;
    private final Map<ViewKey, INDArray> views = new HashMap<>();
    private final Map<ViewKey, Copy> copies = new HashMap<>();

    LinearBlock(int n, int in, int out, boolean bias, Scratch.Temporaries temps) {
        this.n = n;
        this.in = in;
        this.out = out;
        this.bias = bias;
        this.temps = temps;
        this.width = bias ? in + 1 : in;
    }

    /**
     * R{z} = a V_j^T + 1 c_j^T + R{a}_j W^T for each direction j: side by side, on {@code r}'s memory, when {@code sideOut},
     * else stacked into {@code r} [k n, out]. {@code rIn} is null (the input does not move) or in either layout.
     */
    INDArray rForward(INDArray a, INDArray rIn, INDArray weight, INDArray[][] v, INDArray r, boolean sideOut) {
        int k = v.length;
        INDArray side = sideOut ? sideView(r, k, out) : temps.get(PRODUCT, n, (long) k * out);
        directionOutputs(a, v, side);
        if (rIn == null) {
            return sideOut ? side : unstack(side, k, out, r);
        }
        if (isSide(rIn, k, in) || sideOut) {
            INDArray rInSide = isSide(rIn, k, in) ? rIn : stack(rIn, k, in, SIDE);
            Nd4j.gemm(rowsOf(rInSide, k, in), weight, rowsOf(side, k, out), false, true, 1.0, 1.0);
            return sideOut ? side : unstack(side, k, out, r);
        }
        unstack(side, k, out, r);
        Nd4j.gemm(rIn, weight, r, false, true, 1.0, 1.0);
        return r;
    }

    /**
     * g_j = R{dz}_j^T a + dz^T R{a}_j for each direction j (the first term only when {@code ra} is null), and with a bias
     * the column sums of R{dz}_j, into each direction's views {@code g[j]}; then, unless {@code rGradIn} is null,
     * R{da} = R{dz}_j W + dz V_j, side by side on {@code rGradIn}'s memory when {@code sideOut}, else stacked into it.
     */
    INDArray rBackward(INDArray a, INDArray dz, INDArray rdz, INDArray ra, INDArray weight, INDArray[][] v, INDArray[][] g,
                       INDArray rGradIn, boolean sideOut) {
        int k = g.length;
        INDArray rdzSide = isSide(rdz, k, out) ? rdz : stack(rdz, k, out, SIDE);
        INDArray raSide = ra == null ? null : isSide(ra, k, in) ? ra : stack(ra, k, in, SIDE_INPUT);
        parameterProducts(a, dz, rdzSide, raSide, g);
        if (rGradIn == null) {
            return null;
        }
        INDArray side = sideOut ? sideView(rGradIn, k, in) : temps.get(PRODUCT, n, (long) k * in);
        directionInputs(dz, v, side);
        if (sideOut || isSide(rdz, k, out)) {
            Nd4j.gemm(rowsOf(rdzSide, k, out), weight, rowsOf(side, k, in), false, false, 1.0, 1.0);
            return sideOut ? side : unstack(side, k, in, rGradIn);
        }
        unstack(side, k, in, rGradIn);
        Nd4j.gemm(rdz, weight, rGradIn, false, false, 1.0, 1.0);
        return rGradIn;
    }

    /** side [n, k out] = a V_j^T + 1 c_j^T for each direction j: [a, 1] [V_j, c_j]^T, one product with the biases in. */
    private void directionOutputs(INDArray a, INDArray[][] v, INDArray side) {
        int k = v.length;
        INDArray weights = temps.get(PARAMETERS, (long) k * out, width);
        gather(v, 0, weights, () -> columns(weights, k, 0, in)).run();
        if (bias) {
            gather(v, 1, weights, () -> biasColumn(weights, k)).run();
        }
        Nd4j.gemm(withOnes(a), weights, side, false, true, 1.0, 0.0);
    }

    /**
     * The parameter products from side-by-side R{dz} and R{a}, scattered into {@code g}: R{dz}^T [a, 1] gives each
     * direction's weight products and, in its last column, its bias's column sums.
     */
    private void parameterProducts(INDArray a, INDArray dz, INDArray rdzSide, INDArray raSide, INDArray[][] g) {
        int k = g.length;
        INDArray products = temps.get(PARAMETERS, (long) k * out, width);
        // [a, 1] as this block's forward R-pass filled it: a stays put between the two passes of one product
        Nd4j.gemm(rdzSide, bias ? aWithOnes : a, products, true, false, 1.0, 0.0);
        if (bias) {
            scatter(products, () -> biasColumn(products, k), g, 1).run();
        }
        if (raSide != null) {
            INDArray cross = temps.get(PRODUCT, out, (long) k * in); // [out, k in]: direction j's dz^T R{a}_j in columns j in ..
            Nd4j.gemm(dz, raSide, cross, true, false, 1.0, 0.0);
            // laid out as the products, whose bias column (scattered above) takes whatever the cross's holds
            INDArray crossStacked = temps.get(CROSS, (long) k * out, width);
            copy(cross, crossStacked, "stack-cross", () -> new Copy(cross.reshape('c', out, k, in).permute(1, 0, 2), columns(crossStacked, k, 0, in))).run();
            products.addi(crossStacked);
        }
        scatter(products, () -> columns(products, k, 0, in), g, 0).run();
    }

    /** Columns {@code from} .. {@code from + count} of a [k out, width] matrix as [k, out, count]. */
    private INDArray columns(INDArray m, int k, int from, int count) {
        return Blocks.view(m, from, new long[] {k, out, count}, new long[] {(long) out * width, width, 1});
    }

    /** The bias column of a [k out, in + 1] matrix as [k, out]. */
    private INDArray biasColumn(INDArray m, int k) {
        return Blocks.view(m, in, new long[] {k, out}, new long[] {(long) out * width, width});
    }

    /**
     * a with a column of ones after it, [n, in + 1], when the map has a bias (a copied in: the point's forward pass
     * rewrites a at every move); else a.
     */
    private INDArray withOnes(INDArray a) {
        if (!bias) {
            return a;
        }
        if (aWithOnes == null) {
            aWithOnes = Nd4j.ones(a.dataType(), n, in + 1);
            aColumns = Blocks.view(aWithOnes, 0, new long[] {n, in}, new long[] {in + 1, 1});
        }
        aColumns.assign(a);
        return aWithOnes;
    }

    /** side [n, k in] = dz V_j for each direction j. */
    private void directionInputs(INDArray dz, INDArray[][] v, INDArray side) {
        int k = v.length;
        INDArray weights = temps.get(PARAMETERS, out, (long) k * in); // [V_1, ..., V_k] side by side
        gather(v, 0, weights, () -> weights.reshape('c', out, k, in).permute(1, 0, 2)).run();
        Nd4j.gemm(dz, weights, side, false, false, 1.0, 0.0);
    }

    /** Whether {@code x} holds k directions side by side, [n, k width], rather than stacked. */
    private boolean isSide(INDArray x, int k, int width) {
        return x.rank() == 2 && x.size(0) == n && x.size(1) == (long) k * width;
    }

    /** The memory of a stacked [k n, width] buffer seen as side by side [n, k width]. */
    private INDArray sideView(INDArray stacked, int k, int width) {
        return view(stacked, "side", k, () -> stacked.reshape('c', n, (long) k * width));
    }

    /** A side-by-side [n, k width] as the k n rows [n k, width] that a product with W runs over. */
    private INDArray rowsOf(INDArray side, int k, int width) {
        return view(side, "rows", k, () -> side.reshape('c', (long) n * k, width));
    }

    /** A stacked [k n, width] copied side by side into a slot. */
    private INDArray stack(INDArray stacked, int k, int width, int slot) {
        INDArray side = temps.get(slot, n, (long) k * width);
        copy(stacked, side, "stack", () -> new Copy(stacked.reshape('c', k, n, width).permute(1, 0, 2), side.reshape('c', n, k, width))).run();
        return side;
    }

    /** A side-by-side [n, k width] copied stacked into {@code stacked} [k n, width]. */
    private INDArray unstack(INDArray side, int k, int width, INDArray stacked) {
        copy(stacked, side, "unstack", () -> new Copy(side.reshape('c', n, k, width).permute(1, 0, 2), stacked.reshape('c', k, n, width))).run();
        return stacked;
    }

    /** Parameter {@code param} of each direction into {@code into}, seen as [k, ...] by {@code stackedInto}. */
    private Copy gather(INDArray[][] v, int param, INDArray into, Supplier<INDArray> stackedInto) {
        return copy(into, null, "gather", v, param, () -> {
            INDArray[] of = parameter(v, param);
            INDArray all = Blocks.stacked(of);
            INDArray target = stackedInto.get();
            return (all != null ? new Copy(all, target) : new Copy(of, slices(target, of.length))).moving(of);
        });
    }

    /** {@code from}, seen as [k, ...] by {@code stackedFrom}, into parameter {@code param} of each direction's views. */
    private Copy scatter(INDArray from, Supplier<INDArray> stackedFrom, INDArray[][] g, int param) {
        return copy(from, null, "scatter", g, param, () -> {
            INDArray[] of = parameter(g, param);
            INDArray all = Blocks.stacked(of);
            INDArray source = stackedFrom.get();
            return (all != null ? new Copy(source, all) : new Copy(slices(source, of.length), of)).moving(of);
        });
    }

    private INDArray view(INDArray base, String kind, int k, Supplier<INDArray> make) {
        ViewKey key = new ViewKey(base, null, kind, k, null, -1);
        INDArray v = views.get(key);
        if (v == null) {
            if (views.size() >= VIEWS) {
                views.clear();
            }
            v = make.get();
            views.put(key, v);
        }
        return v;
    }

    /** The copy between {@code base} and {@code other} that {@code make} makes, made once. */
    private Copy copy(INDArray base, INDArray other, String kind, Supplier<Copy> make) {
        return copy(base, other, kind, null, -1, make);
    }

    private Copy copy(INDArray base, INDArray other, String kind, INDArray[][] p, int param, Supplier<Copy> make) {
        ViewKey key = new ViewKey(base, other, kind, p == null ? 0 : p.length, p, param);
        Copy c = copies.get(key);
        if (c == null || (p != null && !c.sameViews(p, param))) {
            if (copies.size() >= VIEWS) {
                copies.clear();
            }
            c = make.get();
            copies.put(key, c);
        }
        return c;
    }

    private static INDArray[] parameter(INDArray[][] p, int param) {
        INDArray[] of = new INDArray[p.length];
        for (int j = 0; j < p.length; j++) {
            of[j] = p[j][param];
        }
        return of;
    }

    private static INDArray[] slices(INDArray x, int k) {
        INDArray[] s = new INDArray[k];
        for (int j = 0; j < k; j++) {
            s[j] = Blocks.slice(x, j);
        }
        return s;
    }

    /** A view's or copy's key: the arrays it was made from by identity (ND4J's equals compares contents), and what it is. */
    private static final class ViewKey {
        private final INDArray base;
        private final INDArray other;
        private final String kind;
        private final int k;
        private final INDArray[][] parameters;
        private final int param;

        ViewKey(INDArray base, INDArray other, String kind, int k, INDArray[][] parameters, int param) {
            this.base = base;
            this.other = other;
            this.kind = kind;
            this.k = k;
            this.parameters = parameters;
            this.param = param;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ViewKey x && x.base == base && x.other == other && x.kind.equals(kind) && x.k == k && x.parameters == parameters && x.param == param;
        }

        @Override
        public int hashCode() {
            return ((System.identityHashCode(base) * 31 + System.identityHashCode(other)) * 31 + kind.hashCode()) * 31 + System.identityHashCode(parameters) + k + 7 * param;
        }
    }

    /**
     * A copy between views made once: one strided assign, or one per direction when the directions' views do not lie at
     * equal distances in one buffer ({@link Blocks#stacked}). {@code parameters} are the direction views it moves, by
     * identity, so that a caller who changes an entry of its views array gets a new copy.
     */
    private static final class Copy {
        private final INDArray[] from;
        private final INDArray[] to;
        private INDArray[] parameters;

        Copy(INDArray[] from, INDArray[] to) {
            this.from = from;
            this.to = to;
        }

        Copy(INDArray from, INDArray to) {
            this(new INDArray[] {from}, new INDArray[] {to});
        }

        /** This copy, noting the direction views it was made for. */
        Copy moving(INDArray[] views) {
            parameters = views;
            return this;
        }

        /** Whether {@code p}'s views of parameter {@code param} are those this copy was made for. */
        boolean sameViews(INDArray[][] p, int param) {
            for (int j = 0; j < p.length; j++) {
                if (p[j][param] != parameters[j]) {
                    return false;
                }
            }
            return true;
        }

        void run() {
            for (int i = 0; i < from.length; i++) {
                to[i].assign(from[i]);
            }
        }
    }
}
