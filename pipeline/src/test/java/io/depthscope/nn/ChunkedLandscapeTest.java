package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Without coupling between examples, the mean over chunks is the whole batch's landscape, to rounding. */
class ChunkedLandscapeTest {
    @ParameterizedTest(name = "{0} chunk={1} cache={2}")
    @CsvSource({"mlp, 4, true", "mlp, 4, false", "resmlp, 5, false", "resmlp, 3, true", "mlp, 1, false"})
    void chunksAddUpToTheWholeBatch(String arch, int chunk, boolean cache) {
        NetworkSpec spec = new NetworkSpec(arch, 5, 6, 3, 3, "tanh", true, 0.7, "cross_entropy");
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 51, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 13, 52, DataType.DOUBLE);
        Point whole = net.at(batch, theta);
        Landscape chunked = ChunkedLandscape.of(net, batch, theta, null, Mode.TRAIN, chunk, cache);
        assertInstanceOf(ChunkedLandscape.class, chunked);
        for (int step = 0; step < 2; step++) {
            INDArray t = step == 0 ? theta : theta.mul(0.9);
            whole.moveTo(t);
            chunked.moveTo(t);
            assertEquals(whole.loss(), chunked.loss(), 1e-13 * Math.abs(whole.loss()));
            close(whole.gradient(), chunked.gradient());
            INDArray v = Fixtures.direction(net.paramCount(), 53 + step, DataType.DOUBLE);
            close(whole.hvp(v), chunked.hvp(v));
            close(whole.gvp(v), chunked.gvp(v));
            // a second product on the same landscape: reloaded points must come back to the right chunk
            close(whole.hvp(v.mul(2)), chunked.hvp(v.mul(2)));
            INDArray block = Nd4j.create(DataType.DOUBLE, 2, net.paramCount());
            block.getRow(0).assign(v);
            block.getRow(1).assign(Fixtures.direction(net.paramCount(), 60, DataType.DOUBLE));
            INDArray a = Nd4j.create(DataType.DOUBLE, 2, net.paramCount());
            INDArray b = Nd4j.create(DataType.DOUBLE, 2, net.paramCount());
            whole.hvpBlock(block, a);
            chunked.hvpBlock(block, b);
            close(a, b);
        }
    }

    /** A ResNet-8 with BatchNorm on 6x6 images, with running statistics away from their initial values. */
    private static Network resnet() {
        return Network.of(new NetworkSpec("resnet", 0, 2, 8, 3, "relu", true, 1.0, "mse", List.of(), true, "A")
                .withInputShape(List.of(3, 6, 6)).validate());
    }

    private static INDArray runningStatistics(Network net) {
        INDArray buffers = net.initialBuffers(DataType.DOUBLE);
        double[] r = Fixtures.direction(buffers.length(), 71, DataType.DOUBLE).toDoubleVector();
        for (ParamLayout.Entry e : net.bufferLayout().entries()) {
            for (long i = e.offset(); i < e.offset() + e.size(); i++) {
                buffers.putScalar(i, e.name().endsWith(".running_var") ? 0.5 + Math.abs(r[(int) i]) : 0.3 * r[(int) i]);
            }
        }
        return buffers;
    }

    @Test
    void anEvalModeResnetInChunksIsTheWholeBatchToRounding() {
        Network net = resnet();
        INDArray theta = ImageFixtures.theta(net, 72, DataType.DOUBLE);
        INDArray buffers = runningStatistics(net);
        Batch batch = ImageFixtures.batch(net, 10, 73, DataType.DOUBLE);
        Point whole = net.at(batch, theta, buffers, Mode.EVAL);
        // chunks of 4, 4 and 2: both reloaded points, the full one reloaded from chunk 0 to chunk 1
        Landscape chunked = ChunkedLandscape.of(net, batch, theta, buffers, Mode.EVAL, 4, false);
        assertEquals(whole.loss(), chunked.loss(), 1e-13 * Math.abs(whole.loss()));
        close(whole.gradient(), chunked.gradient());
        for (int k = 0; k < 2; k++) {
            INDArray v = Fixtures.direction(net.paramCount(), 74 + k, DataType.DOUBLE);
            close(whole.hvp(v), chunked.hvp(v));
            close(whole.gvp(v), chunked.gvp(v));
        }
    }

    @Test
    void trainModeGroupsGiveTheSameBitsKeptOrReloaded() {
        Network net = resnet();
        INDArray theta = ImageFixtures.theta(net, 75, DataType.DOUBLE);
        INDArray buffers = runningStatistics(net);
        Batch batch = ImageFixtures.batch(net, 12, 76, DataType.DOUBLE);
        Landscape kept = ChunkedLandscape.of(net, batch, theta, buffers, Mode.TRAIN, 4, true);
        Landscape reloaded = ChunkedLandscape.of(net, batch, theta, buffers, Mode.TRAIN, 4, false);
        assertEquals(kept.loss(), reloaded.loss());
        assertArrayEquals(kept.gradient().toDoubleVector(), reloaded.gradient().toDoubleVector());
        for (int k = 0; k < 2; k++) {
            INDArray v = Fixtures.direction(net.paramCount(), 77 + k, DataType.DOUBLE);
            assertArrayEquals(kept.hvp(v).toDoubleVector(), reloaded.hvp(v).toDoubleVector(), "product " + k);
        }
        assertArrayEquals(runningStatistics(net).toDoubleVector(), buffers.toDoubleVector(), "Hessian work never moves the running statistics");
    }

    @Test
    void aBorrowedPointThatItsLenderUsedMeanwhileIsReloaded() {
        NetworkSpec spec = new NetworkSpec("resmlp", 5, 6, 2, 3, "tanh", true, 0.7, "cross_entropy");
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 81, DataType.DOUBLE);
        // chunks of 4 and 2, one point each: after a product each still holds its chunk, and the next product starts
        // with the first chunk without reloading it
        Batch batch = Fixtures.batch(spec, 6, 82, DataType.DOUBLE);
        Bindings bindings = Bindings.shared(net, null);
        Landscape borrowed = ChunkedLandscape.of(bindings, batch, theta, Mode.TRAIN, 4);
        Landscape own = ChunkedLandscape.of(net, batch, theta, null, Mode.TRAIN, 4, false);
        INDArray v = Fixtures.direction(net.paramCount(), 83, DataType.DOUBLE);
        double[] expected = own.hvp(v).toDoubleVector();
        assertArrayEquals(expected, borrowed.hvp(v).toDoubleVector());
        // training steps of both sizes between two products (a minibatch, the smaller last one of an epoch)
        for (int n : new int[] {4, 2}) {
            Point lender = bindings.load(Fixtures.batch(spec, n, 84 + n, DataType.DOUBLE), theta.mul(1.1), Mode.TRAIN);
            assertEquals(n, lender.batchSize());
            assertArrayEquals(expected, borrowed.hvp(v).toDoubleVector(), "after a lender's step of " + n);
        }
        bindings.load(Fixtures.batch(spec, 4, 90, DataType.DOUBLE), theta, Mode.TRAIN);
        assertArrayEquals(own.gvp(v).toDoubleVector(), borrowed.gvp(v).toDoubleVector());
    }

    @Test
    void sharedBindingsKeepOnePointPerShapeAndModeAndNeverWriteIntoACallersBatch() {
        NetworkSpec spec = new NetworkSpec("mlp", 5, 6, 2, 3, "tanh", true, 1.0, "mse");
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 85, DataType.DOUBLE);
        Batch first = Fixtures.batch(spec, 4, 86, DataType.DOUBLE);
        double[] before = first.x().ravel().toDoubleVector();
        Bindings shared = Bindings.shared(net, null);
        Point p = shared.load(first, theta, Mode.TRAIN);
        Batch second = Fixtures.batch(spec, 4, 87, DataType.DOUBLE);
        assertSame(p, shared.load(second, theta, Mode.TRAIN));
        assertArrayEquals(before, first.x().ravel().toDoubleVector(), "the point holds a copy of the first batch");
        assertEquals(net.at(second, theta).loss(), p.loss());
        assertNotSame(p, shared.load(Fixtures.batch(spec, 3, 88, DataType.DOUBLE), theta, Mode.TRAIN), "another size, another point");
        assertNotSame(p, shared.load(second, theta, Mode.EVAL), "another mode, another point");
        Bindings fresh = Bindings.fresh(net, null);
        assertNotSame(fresh.load(first, theta, Mode.TRAIN), fresh.load(first, theta, Mode.TRAIN));
    }

    @Test
    void oneChunkIsAPoint() {
        NetworkSpec spec = new NetworkSpec("mlp", 5, 6, 2, 3, "tanh", true, 1.0, "mse");
        Network net = Network.of(spec);
        Batch batch = Fixtures.batch(spec, 8, 1, DataType.DOUBLE);
        assertInstanceOf(Point.class, ChunkedLandscape.of(net, batch, Fixtures.theta(net, 2, DataType.DOUBLE), null, Mode.TRAIN, 8, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChunkedLandscape.of(net, batch, Fixtures.theta(net, 2, DataType.DOUBLE), null, Mode.TRAIN, 0, false));
        assertTrue(e.getMessage().startsWith("chunk: value 0"), e.getMessage());
    }

    private static void close(INDArray expected, INDArray actual) {
        double err = Fixtures.relativeError(expected.reshape(expected.length()).toDoubleVector(), actual.reshape(actual.length()).toDoubleVector());
        assertTrue(err <= 1e-13, "relative error " + err);
    }
}
