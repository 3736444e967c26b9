package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Cached views are only ever those of the same memory, and products through them see what the memory holds now. */
class ViewCacheTest {
    @Test
    void aHitNeedsTheSameBufferOffsetShapeAndStrides() {
        ViewCache<String> cache = new ViewCache<>();
        int[] made = {0};
        java.util.function.Function<INDArray, String> make = a -> "views " + (++made[0]);
        INDArray m = Nd4j.create(DataType.DOUBLE, 4, 6);
        INDArray flat = Nd4j.create(m.data(), new long[] {24}, new long[] {1}, 0, 'c');
        assertEquals("views 1", cache.get(m, make));
        assertEquals("views 1", cache.get(Nd4j.create(m.data(), new long[] {4, 6}, new long[] {6, 1}, 0, 'c'), make), "a new array on the same memory");
        assertEquals("views 2", cache.get(flat, make), "same buffer, another shape");
        assertEquals("views 3", cache.get(Nd4j.create(m.data(), new long[] {6}, new long[] {1}, 6, 'c'), make), "another offset");
        assertEquals("views 4", cache.get(Nd4j.create(m.data(), new long[] {6}, new long[] {4}, 0, 'c'), make), "another stride");
        assertEquals("views 5", cache.get(m.dup(), make), "another buffer");
        // four entries: the first has been replaced by the fifth
        assertEquals("views 6", cache.get(m, make));
    }

    @Test
    void aPointsProductsFollowTheContentsOfAReusedBuffer() {
        NetworkSpec spec = new NetworkSpec("mlp", 3, 4, 2, 2, "tanh", true, 1.0, "mse").validate();
        Network net = Network.of(spec);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 3);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 6, 2);
        INDArray theta = Nd4j.create(DataType.DOUBLE, net.paramCount());
        for (long i = 0; i < theta.length(); i++) {
            theta.putScalar(i, rng.nextGaussian());
        }
        Point cached = net.at(new Batch(x, y), theta);
        INDArray v = Nd4j.create(DataType.DOUBLE, net.paramCount());
        INDArray out = Nd4j.create(DataType.DOUBLE, net.paramCount());
        for (int round = 0; round < 3; round++) {
            for (long i = 0; i < v.length(); i++) {
                v.putScalar(i, rng.nextGaussian());
            }
            cached.hvp(v, out);
            // a point that has never seen these buffers
            INDArray expected = net.at(new Batch(x, y), theta.dup()).hvp(v.dup());
            assertEquals(expected, out, "round " + round);
            // and the parameters: moved in place, then moved to
            theta.addi(0.01);
            cached.moveTo(theta);
            assertEquals(net.at(new Batch(x, y), theta.dup()).gradient(), cached.gradient(), "round " + round);
        }
        INDArray block = Nd4j.create(DataType.DOUBLE, 2, net.paramCount());
        INDArray blockOut = Nd4j.create(DataType.DOUBLE, 2, net.paramCount());
        for (int round = 0; round < 2; round++) {
            block.assign(Nd4j.rand(DataType.DOUBLE, 2, net.paramCount()));
            cached.hvpBlock(block, blockOut);
            for (int j = 0; j < 2; j++) {
                assertEquals(cached.hvp(block.getRow(j).dup()), blockOut.getRow(j).dup(), "round " + round + ", row " + j);
            }
        }
        assertNotSame(out, v);
        assertSame(theta, cached.theta());
    }
}
