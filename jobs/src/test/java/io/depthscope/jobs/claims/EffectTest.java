package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Intervals and effects against hand computations with tabulated t quantiles. */
class EffectTest {
    @Test
    void intervalOfFourValuesIsTheHandComputedTInterval() {
        // mean 2.5, s = sqrt(5/3), se = s/2 = 0.6454972, t(0.975, 3) = 3.182446 (tables): 2.5 -+ 2.054260
        Interval i = Interval.of(1, 2, 3, 4);
        assertEquals(4, i.n());
        assertEquals(2.5, i.mean(), 1e-15);
        assertEquals(Math.sqrt(5.0 / 3), i.std(), 1e-15);
        assertEquals(0.4457397, i.low(), 1e-6);
        assertEquals(4.5542603, i.high(), 1e-6);
    }

    @Test
    void oneValueHasAMeanButNoInterval() {
        Interval i = Interval.of(7);
        assertEquals(7, i.mean());
        assertFalse(i.bounded());
    }

    @Test
    void welchWithEqualVariancesAndSizesHasTwiceNMinusOneDegreesOfFreedom() {
        // a = 1,2,3 and b = 4,5,6: d = -3, se = sqrt(1/3 + 1/3), df = 4, t(0.975, 4) = 2.776445 (tables)
        Effect e = Effect.welch(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(-3, e.estimate(), 1e-15);
        assertEquals(-5.2669579, e.low(), 1e-6);
        assertEquals(-0.7330421, e.high(), 1e-6);
        assertTrue(e.method().contains("4.0 df"), e.method());
    }

    @Test
    void welchWithUnequalGroupsMatchesSciPy() {
        // scipy.stats.ttest_ind([1,2,3,4], [2,4,6], equal_var=False).confidence_interval(): df 3.2347
        Effect e = Effect.welch(new double[] {1, 2, 3, 4}, new double[] {2, 4, 6});
        assertEquals(-1.5, e.estimate(), 1e-15);
        assertEquals(-5.5423280, e.low(), 1e-6);
        assertEquals(2.5423280, e.high(), 1e-6);
    }

    @Test
    void olsSlopeAndIntervalByHand() {
        // x = 0..3, y = 1,3,2,5: slope = Sxy/Sxx = 5.5/5 = 1.1; residuals -0.1, 0.8, -1.3, 0.6, RSS = 2.7;
        // se = sqrt(2.7/2/5) = 0.5196152, t(0.975, 2) = 4.302653 (tables): 1.1 -+ 2.235724
        Effect e = Effect.olsSlope(new double[] {0, 1, 2, 3}, new double[] {1, 3, 2, 5});
        assertEquals(1.1, e.estimate(), 1e-14);
        assertEquals(-1.1357239, e.low(), 1e-6);
        assertEquals(3.3357239, e.high(), 1e-6);
    }

    @Test
    void tooFewRunsMakeTheEffectUndefinedAndTheClaimInconclusive() {
        Effect w = Effect.welch(new double[] {1}, new double[] {2, 3});
        Effect s = Effect.olsSlope(new double[] {1, 1, 1}, new double[] {1, 2, 3});
        assertFalse(w.defined());
        assertFalse(s.defined());
        assertEquals(Verdict.INCONCLUSIVE, Verdict.of(w));
        assertTrue(new Claim("x grows", "src", "slope", s, 3, 3, "").sentence().startsWith("Inconclusive: x grows (slope cannot be computed"));
    }

    @Test
    void theVerdictFollowsTheIntervalAgainstZero() {
        assertEquals(Verdict.SUPPORTED, Verdict.of(new Effect(1, 0.1, 2, "m", null)));
        assertEquals(Verdict.NOT_SUPPORTED, Verdict.of(new Effect(1, -0.1, 2, "m", null)));
        assertEquals(Verdict.NOT_SUPPORTED, Verdict.of(new Effect(0, 0, 0, "m", null)));
        Claim against = new Claim("x grows", "src", "slope", new Effect(-1, -2, -0.5, "OLS", null), 9, 3, "");
        assertEquals(Verdict.NOT_SUPPORTED, against.verdict());
        assertEquals("Not supported: x grows (slope = -1.000, 95% CI [-2.000, -0.5000]; the interval lies below 0, against the claim; "
                + "OLS; 9 runs, 3 seeds).", against.sentence());
    }
}
