package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.study.OptimizerSpec;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static Schedule of(OptimizerSpec spec) {
        return Schedule.of(spec.validate());
    }

    @Test
    void constantIsTheBaseRate() {
        Schedule s = of(OptimizerSpec.of("gd", 0.3));
        for (int t : new int[] {0, 1, 1000}) {
            assertEquals(0.3, s.lr(t));
        }
    }

    @Test
    void stepMultipliesByGammaEveryKSteps() {
        Schedule s = of(OptimizerSpec.of("gd", 0.8).withStepSchedule(3, 0.5));
        double[] expected = {0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.1};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], s.lr(t), 1e-15, "step " + t);
        }
    }

    @Test
    void cosineGoesFromTheRateToTheFloorAndStaysThere() {
        Schedule s = of(OptimizerSpec.of("adam", 1.0).withCosineSchedule(8, 0.2, 0));
        assertEquals(1.0, s.lr(0), 1e-15);
        // Quarter way: 0.2 + 0.8 (1 + cos(pi/4)) / 2 = 0.6 + 0.4 / sqrt 2.
        assertEquals(0.6 + 0.4 / Math.sqrt(2), s.lr(2), 1e-15);
        assertEquals(0.6, s.lr(4), 1e-15, "halfway is the midpoint");
        assertEquals(0.6 - 0.4 / Math.sqrt(2), s.lr(6), 1e-15);
        assertEquals(0.2, s.lr(8), 1e-15);
        assertEquals(0.2, s.lr(50), 1e-15, "after the end it stays at the floor");
    }

    @Test
    void cosineWarmupRisesLinearlyThenDecays() {
        Schedule s = of(OptimizerSpec.of("adam", 0.4).withCosineSchedule(10, 0.0, 4));
        assertEquals(0.1, s.lr(0), 1e-15);
        assertEquals(0.2, s.lr(1), 1e-15);
        assertEquals(0.3, s.lr(2), 1e-15);
        assertEquals(0.4, s.lr(3), 1e-15);
        assertEquals(0.4, s.lr(4), 1e-15, "the decay starts at the top");
        assertEquals(0.2, s.lr(9), 1e-15, "halfway through the decay");
        assertEquals(0.0, s.lr(14), 1e-15);
    }
}
