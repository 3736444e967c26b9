package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A linear map's R-passes over a block of directions ({@link LinearBlock}: each term one product over all k) against the
 * same passes run one direction at a time, with the directions' views lying in one [k, P] block (one strided copy gathers
 * them) and in separate arrays (copied one by one), and with its R-inputs and results stacked or side by side.
 */
class LinearBlockTest {
    private static final DataType D = DataType.DOUBLE;

    private static INDArray gaussian(String name, long... shape) {
        long size = Module.size(shape);
        return Nd4j.create(RandomArrays.gaussian(Seeds.stream(5, name), (int) size, 1.0), shape, 'c').castTo(D);
    }

    @ParameterizedTest(name = "in={0} out={1} bias={2} rIn={3} stacked views={4} side-by-side in={5} out={6}")
    @CsvSource({
        "5, 3, true, true, true, false, false",
        "5, 3, true, true, false, false, false",
        "4, 6, false, true, true, false, false",
        "4, 6, true, false, true, false, false",
        "3, 3, false, false, false, false, false",
        "5, 3, true, true, true, true, true",
        "5, 3, true, true, true, true, false",
        "5, 3, true, true, true, false, true",
        "4, 6, false, false, false, false, true",
        "4, 6, true, true, false, true, true",
    })
    void blockEqualsOneDirectionAtATime(int in, int out, boolean bias, boolean withRIn, boolean stacked, boolean sideIn, boolean sideOut) {
        int n = 7;
        int k = 3;
        Linear map = new Linear("fc", 0, in, out, bias);
        INDArray[] w = bias ? new INDArray[] {gaussian("w", out, in), gaussian("b", out)} : new INDArray[] {gaussian("w", out, in)};
        INDArray a = gaussian("a", n, in);
        INDArray dz = gaussian("dz", n, out);
        INDArray rIn = withRIn ? gaussian("ra", (long) k * n, in) : null;
        INDArray rOut = gaussian("rdz", (long) k * n, out);
        int p = out * in + (bias ? out : 0);
        // one [k, P + 2] block with the map's parameters at an offset, as a network's block holds them; or k separate arrays
        INDArray block = gaussian("v", k, p + 2);
        INDArray results = Nd4j.create(D, k, p + 2);
        INDArray[][] v = new INDArray[k][];
        INDArray[][] g = new INDArray[k][];
        for (int j = 0; j < k; j++) {
            INDArray row = stacked ? block.getRow(j) : block.getRow(j).dup();
            INDArray resultRow = stacked ? results.getRow(j) : Nd4j.create(D, p + 2);
            v[j] = views(row, in, out, bias);
            g[j] = views(resultRow, in, out, bias);
        }
        assertTrue(stacked == (Blocks.stacked(new INDArray[] {v[0][0], v[1][0], v[2][0]}) != null));

        // the map's neighbours take (sideOut) or give (sideIn) side-by-side blocks, [n, k width]; the results come back stacked
        ModulePass whole = bind(map, n, a, dz, w);
        whole.neighbours(sideOut, sideOut);
        INDArray given = whole.rForward(rIn == null ? null : sideIn ? sideBySide(rIn, k, n) : rIn, w, v);
        assertArrayEquals(sideOut ? new long[] {n, (long) k * out} : new long[] {(long) k * n, out}, given.shape(), "R{z}'s layout");
        INDArray rz = sideOut ? stacked(given, k, n) : given.dup();
        INDArray gotten = whole.rBackward(sideIn ? sideBySide(rOut, k, n) : rOut, w, v, g, true);
        assertArrayEquals(sideOut ? new long[] {n, (long) k * in} : new long[] {(long) k * n, in}, gotten.shape(), "R{da}'s layout");
        INDArray rGradIn = sideOut ? stacked(gotten, k, n) : gotten.dup();

        ModulePass one = bind(map, n, a, dz, w);
        for (int j = 0; j < k; j++) {
            INDArray rInJ = rIn == null ? null : Blocks.rows(rIn, j, n).dup();
            INDArray[][] vj = {v[j]};
            INDArray[][] gj = {new INDArray[w.length]};
            for (int t = 0; t < w.length; t++) {
                gj[0][t] = Nd4j.create(D, w[t].shape());
            }
            close(one.rForward(rInJ, w, vj), Blocks.rows(rz, j, n), "R{z} of direction " + j);
            close(one.rBackward(Blocks.rows(rOut, j, n).dup(), w, vj, gj, true), Blocks.rows(rGradIn, j, n), "R{da} of direction " + j);
            for (int t = 0; t < w.length; t++) {
                close(gj[0][t], g[j][t], "parameter " + t + " of direction " + j);
            }
        }
    }

    /** A stacked [k n, width] laid side by side, [n, k width]. */
    private static INDArray sideBySide(INDArray stacked, int k, int n) {
        long width = stacked.size(1);
        INDArray side = Nd4j.create(D, n, k * width);
        for (int j = 0; j < k; j++) {
            Blocks.columns(side, j, k).assign(Blocks.rows(stacked, j, n));
        }
        return side;
    }

    /** A side-by-side [n, k width] stacked, [k n, width]. */
    private static INDArray stacked(INDArray side, int k, int n) {
        long width = side.size(1) / k;
        INDArray out = Nd4j.create(D, (long) k * n, width);
        for (int j = 0; j < k; j++) {
            Blocks.rows(out, j, n).assign(Blocks.columns(side, j, k));
        }
        return out;
    }

    private static ModulePass bind(Linear map, int n, INDArray a, INDArray dz, INDArray[] w) {
        ModulePass pass = map.bind(n, D, Mode.TRAIN, BufferViews.NONE);
        pass.forward(a, w);
        INDArray[] grad = new INDArray[w.length];
        for (int t = 0; t < w.length; t++) {
            grad[t] = Nd4j.create(D, w[t].shape());
        }
        pass.backward(dz, w, grad, true);
        return pass;
    }

    /** The map's weight [out, in] and bias [out] one entry into a row, so that views start at an offset. */
    private static INDArray[] views(INDArray row, int in, int out, boolean bias) {
        INDArray weight = Nd4j.create(row.data(), new long[] {out, in}, new long[] {in, 1}, row.offset() + 1, 'c');
        if (!bias) {
            return new INDArray[] {weight};
        }
        return new INDArray[] {weight, Nd4j.create(row.data(), new long[] {out}, new long[] {1}, row.offset() + 1 + (long) out * in, 'c')};
    }

    private static void close(INDArray expected, INDArray actual, String what) {
        double[] e = expected.dup().data().asDouble();
        double[] x = actual.dup().data().asDouble();
        double scale = 0;
        for (double d : e) {
            scale = Math.max(scale, Math.abs(d));
        }
        assertArrayEquals(e, x, 1e-13 * Math.max(1, scale), what);
    }

    @Test
    void stackedViewsAreOneStridedViewOrNone() {
        INDArray block = Nd4j.create(D, 4, 10).assign(Nd4j.arange(0, 40).castTo(D).reshape('c', 4, 10));
        INDArray[] rows = new INDArray[4];
        for (int j = 0; j < 4; j++) {
            rows[j] = Nd4j.create(block.getRow(j).data(), new long[] {2, 3}, new long[] {3, 1}, block.getRow(j).offset() + 2, 'c');
        }
        INDArray all = Blocks.stacked(rows);
        assertNotNull(all);
        assertArrayEquals(new long[] {4, 2, 3}, all.shape());
        for (int j = 0; j < 4; j++) {
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(10 * j + 2 + 3 * r + c, all.getDouble(j, r, c), 0.0);
                    assertEquals(10 * j + 2 + 3 * r + c, rows[j].getDouble(r, c), 0.0);
                }
            }
        }
        INDArray[] uneven = {rows[0], rows[1], rows[3]};
        assertNull(Blocks.stacked(uneven), "unequal distances");
        INDArray[] copies = {rows[0].dup(), rows[1].dup()};
        assertNull(Blocks.stacked(copies), "different buffers");
        INDArray[] shapes = {rows[0], Nd4j.create(block.getRow(1).data(), new long[] {3, 2}, new long[] {2, 1}, block.getRow(1).offset() + 2, 'c')};
        assertNull(Blocks.stacked(shapes), "different shapes");
    }
}
