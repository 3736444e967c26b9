package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Examples per pass from a network's activation values: the budget divided by the values per example, within [1, max]. */
class PassBudgetTest {
    @Test
    void examplesAreTheBudgetOverTheValuesPerExample() {
        // width 65536: a linear map's output, the activation's, the last map's 3 outputs and the 3 the loss reads
        Network wide = Network.of(new NetworkSpec("mlp", 4, 65536, 1, 3, "tanh", true, 1.0, "mse"));
        assertEquals(65536 + 65536 + 3 + 3, wide.activationValuesPerExample());
        assertEquals(PassBudget.VALUES / (65536 * 2 + 6), PassBudget.examples(wide, 100_000));
        assertEquals(4095, PassBudget.examples(wide, 100_000));
        assertEquals(100, PassBudget.examples(wide, 100));
    }

    @Test
    void aConvolutionCountsItsTwoPatchBuffers() {
        Conv2d conv = new Conv2d("c", 0, 3, 16, 3, 1, 1, false, 32, 32);
        // output 16 x 32 x 32, patches 32 x 32 positions of 3 x 3 x 3 values, twice (cached, and the backward's scratch)
        assertEquals(16 * 1024 + 2 * 1024 * 27, conv.activationValues());
        Conv2d strided = new Conv2d("s", 0, 16, 32, 3, 2, 1, false, 32, 32);
        assertEquals(32 * 256 + 2 * 256 * 144, strided.activationValues());
        Sequential block = Sequential.of(conv, new Flatten(new long[] {16, 32, 32}));
        assertEquals(16 * 1024 + conv.activationValues() + 16 * 1024, block.activationValues(), "a container counts its own output and its children");
    }

    @Test
    void aNetworkTooLargeForTheBudgetStillTakesOneExample() {
        Network huge = new Network(null, List.of(new Conv2d("c", 0, 64, 64, 3, 1, 1, false, 2048, 2048)), Loss.of("mse"));
        assertEquals(1, PassBudget.examples(huge, 10));
    }
}
