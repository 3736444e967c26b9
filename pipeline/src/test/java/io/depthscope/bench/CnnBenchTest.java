package io.depthscope.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Network;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The ResNet-20 and block-product benches build and run at a tiny size; no timings are asserted. */
class CnnBenchTest {
    @Test
    void resnet20ConfigBuildsAndRunsAtBatchTwo() {
        CnnBench.Config c = CnnBench.Config.resnet20(2, 0, 1, 0);
        assertEquals("resnet", c.spec().arch());
        assertEquals(20, c.spec().depth());
        assertEquals(16, c.spec().width());
        assertTrue(c.spec().batchNorm());
        assertEquals(DataType.FLOAT, c.dtype());
        Network net = Network.of(c.spec());
        // He et al.'s ResNet-20 with option A has 0.27M parameters (torch_models.resnet(3): 269,722)
        assertEquals(269_722, net.paramCount());
        CnnBench.Result r = CnnBench.run(c);
        assertEquals(net.paramCount(), r.paramCount());
        assertEquals(1, r.gradientSeconds().length);
        assertEquals(1, r.hvpSeconds().length);
        assertTrue(r.gradientMedian() > 0 && r.hvpMedian() > 0);
    }

    @Test
    void peerRoundsFollowOursAndSeeEveryCall() {
        List<String> log = new ArrayList<>();
        Peer.interleave(2, 5, 2, (calls, warmup) -> log.add((warmup ? "peer-warmup " : "peer ") + calls), r -> log.add("us " + r));
        assertEquals(List.of("us -2", "us -1", "peer-warmup 2", "us 0", "us 1", "peer 2", "us 2", "us 3", "peer 2", "us 4", "peer 1"), log);
    }

    @Test
    void blockOfTwoRunsOnATinyMlp() {
        Benchmarks.Config c = new Benchmarks.Config(4, 8, 3, 2, 5, "tanh", DataType.DOUBLE, 0, 1, 0);
        BlockBench.Result r = BlockBench.run(c, 2, 0);
        assertEquals(2, r.k());
        assertTrue(r.hvSeconds() > 0 && r.blockSeconds() > 0);
        assertThrows(IllegalArgumentException.class, () -> BlockBench.run(c, 0, 0));
        Benchmarks.Config one = new Benchmarks.Config(4, 8, 3, 2, 5, "tanh", DataType.DOUBLE, 1, 1, 0);
        assertEquals(1, BlockBench.run(one, 2, 0).warmUpPairs(), "no JIT warm-up: the one untimed pair");
        long t0 = System.nanoTime();
        BlockBench.Result warm = BlockBench.run(one, 2, 0.3);
        assertTrue(warm.warmUpPairs() > 1 && System.nanoTime() - t0 >= 300_000_000L, "untimed pairs for 0.3 s: " + warm.warmUpPairs());
        assertThrows(IllegalArgumentException.class, () -> BlockBench.run(one, 2, -1));
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> CnnBench.Config.resnet20(1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> CnnBench.Config.resnet20(2, 0, 0, 0));
    }
}
