package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class MinibatchSamplerTest {
    @Test
    void withoutDropLastAnEpochVisitsEveryExampleOnceEndingWithASmallerBatch() {
        MinibatchSampler s = new MinibatchSampler(10, 4, false, 3);
        assertEquals(3, s.stepsPerEpoch());
        for (int e = 0; e < 3; e++) {
            List<int[]> batches = s.epoch(e);
            assertEquals(List.of(4, 4, 2), batches.stream().map(b -> b.length).toList());
            int[] all = batches.stream().flatMapToInt(Arrays::stream).sorted().toArray();
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, all);
        }
    }

    @Test
    void withDropLastEveryBatchIsFullAndTheTailIsSkipped() {
        MinibatchSampler s = new MinibatchSampler(10, 4, true, 3);
        assertEquals(2, s.stepsPerEpoch());
        List<int[]> batches = s.epoch(0);
        assertEquals(List.of(4, 4), batches.stream().map(b -> b.length).toList());
        assertArrayEquals(Arrays.copyOfRange(s.permutation(0), 0, 8), batches.stream().flatMapToInt(Arrays::stream).toArray());
    }

    @Test
    void theOrderIsSeededPerEpochAndReproducibleByStep() {
        MinibatchSampler a = new MinibatchSampler(50, 7, false, 11);
        MinibatchSampler b = new MinibatchSampler(50, 7, false, 11);
        assertArrayEquals(a.permutation(2), b.permutation(2));
        assertFalse(Arrays.equals(a.permutation(0), a.permutation(1)), "each epoch reshuffles");
        assertFalse(Arrays.equals(a.permutation(0), new MinibatchSampler(50, 7, false, 12).permutation(0)), "the seed matters");
        // Random access by step: step 17 of a fresh sampler equals batch 17 - 2 * 8 = 1 of epoch 2.
        assertArrayEquals(a.epoch(2).get(1), b.batch(17));
    }

    @Test
    void gatherTakesTheRowsInOrder() {
        Batch data = SphereData.randomSigns(6, 3, 1, DataType.DOUBLE);
        Batch mb = MinibatchSampler.gather(data, new int[] {4, 0});
        assertEquals(data.x().getRow(4), mb.x().getRow(0));
        assertEquals(data.x().getRow(0), mb.x().getRow(1));
        assertEquals(data.targets().getDouble(4, 0), mb.targets().getDouble(0, 0));
    }

    @Test
    void aGathererReusesItsArraysAndGathersWhatGatherDoes() {
        for (DataType dtype : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Batch data = SphereData.randomSigns(40, 5, 2, dtype);
            MinibatchSampler s = new MinibatchSampler(40, 6, false, 5);
            MinibatchSampler.Gatherer g = new MinibatchSampler.Gatherer();
            Batch previous = null;
            int reused = 0;
            for (int step = 0; step < 16; step++) { // epochs of 6 x 6 + 4: the last batch of each is smaller
                int[] rows = s.batch(step);
                Batch expected = MinibatchSampler.gather(data, rows);
                Batch got = g.gather(data, rows);
                assertEquals(expected.x(), got.x(), "step " + step);
                assertEquals(expected.targets(), got.targets(), "step " + step);
                if (previous != null && previous.size() == rows.length) {
                    assertTrue(got.x() == previous.x() && got.targets() == previous.targets(), "a batch of the last size lands in the kept arrays");
                    reused++;
                }
                previous = got;
            }
            assertEquals(11, reused); // steps 1-5, 8-12 and 15
        }
    }

    @Test
    void aBatchLargerThanTheDataIsRefused() {
        String msg = assertThrows(IllegalArgumentException.class, () -> new MinibatchSampler(20, 64, false, 1)).getMessage();
        assertTrue(msg.contains("optimizer.batch_size") && msg.contains("64") && msg.contains("1..20"), msg);
    }
}
