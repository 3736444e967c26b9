package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A point whose convolutions share one scratch gives, to the last bit, what a point whose every module has its own
 * gives: loss, gradient, Hv, a block of Hv, Gv, input tangents and pullbacks, in calls interleaved so that each
 * convolution finds the scratch as another left it.
 */
class ScratchSharingTest {
    @ParameterizedTest(name = "{0} bn={1} {2} {3}")
    @CsvSource({
        "resnet, true, train, A",
        "resnet, true, eval, B",
        "simple, true, train, A",
        "cnn, false, train, A",
    })
    void sharedScratchGivesTheBitsOfSeparateOnes(String arch, boolean bn, String modeName, String shortcut) {
        Mode mode = Mode.of(modeName);
        Network net = Network.of(new NetworkSpec(arch, 0, 2, "cnn".equals(arch) ? 3 : 8, 3, "relu", true, 1.0, "mse", List.of(), bn, shortcut)
                .withInputShape(List.of(2, 6, 6)).validate());
        INDArray theta = ImageFixtures.theta(net, 91, DataType.DOUBLE);
        INDArray other = ImageFixtures.theta(net, 92, DataType.DOUBLE);
        Batch batch = ImageFixtures.batch(net, 4, 93, DataType.DOUBLE);
        INDArray buffers = net.bufferLayout().size() == 0 ? null : net.initialBuffers(DataType.DOUBLE).addi(0.25);
        Point shared = new Point(net, batch, other, buffers, mode, false);
        Point separate = new Point(net, batch, other, buffers, mode, true);
        for (Point p : List.of(shared, separate)) {
            p.hvp(Fixtures.direction(net.paramCount(), 94, DataType.DOUBLE));
            p.moveTo(theta);
        }
        assertEquals(separate.loss(), shared.loss());
        assertArrayEquals(separate.gradient().toDoubleVector(), shared.gradient().toDoubleVector(), "gradient");
        INDArray v = Fixtures.direction(net.paramCount(), 95, DataType.DOUBLE);
        assertArrayEquals(separate.hvp(v).toDoubleVector(), shared.hvp(v).toDoubleVector(), "Hv");
        INDArray block = Nd4j.create(DataType.DOUBLE, 3, net.paramCount());
        for (int j = 0; j < 3; j++) {
            block.getRow(j).assign(Fixtures.direction(net.paramCount(), 96 + j, DataType.DOUBLE));
        }
        INDArray a = Nd4j.create(DataType.DOUBLE, 3, net.paramCount());
        INDArray b = Nd4j.create(DataType.DOUBLE, 3, net.paramCount());
        shared.hvpBlock(block, a);
        separate.hvpBlock(block, b);
        assertArrayEquals(flat(b), flat(a), "a block of Hv");
        assertArrayEquals(separate.gvp(v).toDoubleVector(), shared.gvp(v).toDoubleVector(), "Gv");
        INDArray dx = Fixtures.direction(2L * batch.size() * Module.size(net.inputShape()), 99, DataType.DOUBLE)
                .reshape(2L * batch.size(), Module.size(net.inputShape()));
        List<INDArray> ts = shared.inputTangents(dx);
        List<INDArray> tf = separate.inputTangents(dx);
        for (int l = 0; l < ts.size(); l++) {
            assertArrayEquals(flat(tf.get(l)), flat(ts.get(l)), "input tangent of layer " + l);
        }
        if (!net.couplesExamples(mode)) {
            INDArray u = Fixtures.direction(batch.size() * 3L, 100, DataType.DOUBLE).reshape(batch.size(), 3);
            List<LinearActivity> ps = shared.pullback(u);
            List<LinearActivity> pf = separate.pullback(u);
            for (int i = 0; i < ps.size(); i++) {
                assertArrayEquals(flat(pf.get(i).outputGradient()), flat(ps.get(i).outputGradient()), "pullback " + i);
            }
        }
        assertArrayEquals(separate.hvp(v).toDoubleVector(), shared.hvp(v).toDoubleVector(), "Hv after the rest");
    }

    private static double[] flat(INDArray a) {
        return a.dup('c').reshape(a.length()).toDoubleVector();
    }

    @Test
    void aLaneIsAsLargeAsItsLargestReservationAndRefusesLateOnes() {
        Scratch s = Scratch.shared(DataType.FLOAT);
        Scratch.Lane small = s.reserve(0, 4);
        Scratch.Lane large = s.reserve(0, 10);
        Scratch.Lane other = s.reserve(1, 3);
        large.get(2, 5).assign(7);
        assertEquals(7.0, small.get(4).getDouble(3), "the same lane, the same memory");
        assertEquals(0.0, other.get(3).sumNumber().doubleValue(), "another lane, other memory");
        assertThrows(IllegalArgumentException.class, () -> small.get(5));
        assertThrows(IllegalStateException.class, () -> s.reserve(0, 11));
        Scratch separate = Scratch.separate(DataType.FLOAT);
        Scratch.Lane x = separate.reserve(0, 2);
        Scratch.Lane y = separate.reserve(0, 2);
        x.get(2).assign(1);
        assertEquals(0.0, y.get(2).sumNumber().doubleValue(), "separate: every reservation its own");
    }

    @Test
    void temporariesGrowToTheLargestAskAndAreSharedUnlessSeparate() {
        Scratch s = Scratch.shared(DataType.FLOAT);
        Scratch.Temporaries first = s.temporaries();
        Scratch.Temporaries second = s.temporaries();
        first.get(0, 2, 2).assign(3);
        assertEquals(3.0, second.get(0, 4).getDouble(3), "one scratch, one set of slots");
        assertEquals(0.0, second.get(1, 4).sumNumber().doubleValue(), "another slot, other memory");
        INDArray grown = first.get(0, 3, 5);
        assertArrayEquals(new long[] {3, 5}, grown.shape());
        grown.assign(1);
        assertEquals(15.0, second.get(0, 15).sumNumber().doubleValue(), "the grown slot is the one both see");
        Scratch separate = Scratch.separate(DataType.FLOAT);
        separate.temporaries().get(0, 2).assign(5);
        assertEquals(0.0, separate.temporaries().get(0, 2).sumNumber().doubleValue(), "separate: every caller its own");
    }
}
