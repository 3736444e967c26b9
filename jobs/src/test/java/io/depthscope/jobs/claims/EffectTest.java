package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
        assertTrue(e.method().contains("(4 df)"), e.method());
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
        assertTrue(Double.isNaN(new Claim("x", "src", "q", w, 1, 1, "").rawP()));
        assertTrue(new Claim("x grows", "src", "slope", s, 3, 3, "").sentence().startsWith("Inconclusive: x grows (slope cannot be computed"));
    }

    /** Two-sided p of a t statistic with 3 df, closed form: 1 - (2/pi)(theta + sin theta cos theta), theta = atan(|t|/sqrt 3). */
    static double p3(double t) {
        double th = Math.atan(Math.abs(t) / Math.sqrt(3));
        return 1 - 2 / Math.PI * (th + Math.sin(th) * Math.cos(th));
    }

    static java.util.SortedMap<Long, Double> bySeed(double... values) {
        java.util.SortedMap<Long, Double> m = new java.util.TreeMap<>();
        for (int i = 0; i < values.length; i++) {
            if (!Double.isNaN(values[i])) {
                m.put((long) i, values[i]);
            }
        }
        return m;
    }

    @Test
    void armsThatShareSeedsArePairedAndTheirPValueIsTheClosedForm() {
        // differences 2, 3, 1, 4: the t interval of intervalOfFourValues; t = 2.5 / (sqrt(5/3)/2) = 3.873, 3 df
        Effect e = Effect.difference(bySeed(3, 5, 4, 8), bySeed(1, 2, 3, 4));
        assertEquals(2.5, e.estimate(), 1e-15);
        assertEquals(0.4457397, e.low(), 1e-6);
        assertEquals(4.5542603, e.high(), 1e-6);
        assertEquals(3, e.df());
        assertEquals(p3(2.5 / (Math.sqrt(5.0 / 3) / 2)), e.pTwoSided(), 1e-12);
        assertEquals(0.0304663, e.pTwoSided(), 1e-6);
        // the same values unpaired would be Welch's, and a far wider interval: pairing removes the seeds' shared part
        Effect unpaired = Effect.welch(new double[] {3, 5, 4, 8}, new double[] {1, 2, 3, 4});
        assertTrue(unpaired.high() - unpaired.low() > e.high() - e.low());
    }

    @Test
    void seedsInOneArmOnlyAreLeftOutAndArmsWithoutASharedSeedFallBackToWelch() {
        Effect e = Effect.difference(bySeed(3, 5, 4, 8, 100), bySeed(1, 2, 3, 4, Double.NaN, -7));
        assertEquals(2.5, e.estimate(), 1e-15);
        assertTrue(e.method().contains("2 unpaired seed value(s) left out"), e.method());
        java.util.SortedMap<Long, Double> later = new java.util.TreeMap<>(java.util.Map.of(10L, 4.0, 11L, 5.0, 12L, 6.0));
        Effect w = Effect.difference(bySeed(1, 2, 3), later);
        Effect byHand = Effect.welch(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(byHand.low(), w.low(), 1e-15);
        assertTrue(w.method().contains("Welch"), w.method());
        assertFalse(Effect.difference(bySeed(1, 2), bySeed(1)).defined(), "one shared seed has no interval");
    }

    @Test
    void theSlopeIsFittedPerSeedAndTheIntervalTakenAcrossSeeds() {
        // slopes 2, 1 and 0.5 (seed 3 has one depth only: no slope); mean 7/6, s = sqrt(21)/6, 2 df, t(0.975, 2) = 4.302653
        java.util.SortedMap<Long, double[][]> pts = new java.util.TreeMap<>();
        pts.put(0L, new double[][] {{1, 1}, {2, 3}});
        pts.put(1L, new double[][] {{1, 0}, {2, 1}, {3, 2}});
        pts.put(2L, new double[][] {{1, 5}, {2, 5.5}});
        pts.put(3L, new double[][] {{4, 9}, {4, 1}});
        Effect e = Effect.seedSlopes(pts);
        double se = Math.sqrt(21) / 6 / Math.sqrt(3);
        assertEquals(7.0 / 6, e.estimate(), 1e-14);
        assertEquals(se, e.se(), 1e-14);
        assertEquals(7.0 / 6 - 4.302653 * se, e.low(), 1e-6);
        // two-sided p with 2 df, closed form: 1 - |t| / sqrt(2 + t^2)
        double t = 7.0 / 6 / se;
        assertEquals(1 - t / Math.sqrt(2 + t * t), e.pTwoSided(), 1e-12);
        // paired slopes: b's slope minus a's, per shared seed
        java.util.SortedMap<Long, double[][]> flat = new java.util.TreeMap<>();
        flat.put(0L, new double[][] {{1, 0}, {2, 0}});
        flat.put(1L, new double[][] {{1, 0}, {3, 1}});
        flat.put(2L, new double[][] {{1, 0}, {2, 0.5}});
        Effect d = Effect.pairedSlopes(flat, pts);
        assertEquals((2 + 0.5 + 0) / 3.0, d.estimate(), 1e-14);
        assertEquals(2, d.df());
    }

    @Test
    void equivalenceAndBeyondMarginTestsAreTheTwoOneSidedTestsInClosedForm() {
        Effect e = Effect.difference(bySeed(3, 5, 4, 8), bySeed(1, 2, 3, 4));
        double se = Math.sqrt(5.0 / 3) / 2;
        // margin 3: the binding side is (3 - 2.5)/se; doubled, as the 95% interval's test
        assertEquals(p3(0.5 / se), e.pEquivalent(3), 1e-12);
        // margin 1: only the upper side can reject; doubled
        assertEquals(p3(1.5 / se), e.pBeyond(1), 1e-12);
        // a margin wide enough: equivalence shown when the 95% interval (0.446, 4.554) lies inside it
        assertTrue(e.pEquivalent(4.6) < 0.05);
        assertTrue(e.pEquivalent(4.5) > 0.05);
        assertTrue(e.pBeyond(0.44) < 0.05);
        assertTrue(e.pBeyond(0.45) > 0.05);
    }

    @Test
    void holmMultipliesTheIthSmallestByMMinusIPlusOneAndKeepsTheOrder() {
        // sorted: 0.005 x4 = 0.02, 0.01 x3 = 0.03, 0.03 x2 = 0.06, 0.04 x1 = 0.04 -> 0.06 (monotone); NaN not counted
        double[] adjusted = Holm.adjust(new double[] {0.01, 0.04, 0.03, Double.NaN, 0.005});
        assertEquals(0.03, adjusted[0], 1e-15);
        assertEquals(0.06, adjusted[1], 1e-15);
        assertEquals(0.06, adjusted[2], 1e-15);
        assertTrue(Double.isNaN(adjusted[3]));
        assertEquals(0.02, adjusted[4], 1e-15);
        assertEquals(4, Holm.family(new double[] {0.01, 0.04, 0.03, Double.NaN, 0.005}));
        assertEquals(1.0, Holm.adjust(new double[] {0.6, 0.7})[0], 0, "capped at 1");
    }

    static Effect effect(double estimate, double se) {
        return Effect.t(estimate, se, 10, "m");
    }

    @Test
    void eachVerdictCategoryFromItsInterval() {
        assertEquals(Verdict.SUPPORTED, Verdict.of(effect(1, 0.2)));
        assertEquals(Verdict.CONTRADICTED, Verdict.of(effect(-1, 0.2)));
        assertEquals(Verdict.NOT_SHOWN, Verdict.of(effect(0.3, 0.2)));
        assertEquals(Verdict.NOT_SHOWN, Verdict.of(Effect.t(0, 0, 3, "m")), "identical arms: no effect, shown by no test");
        assertEquals(Verdict.INCONCLUSIVE, Verdict.of(Effect.undefined("m", "one seed")));
        Hypothesis none = Hypothesis.within(1, "stated");
        assertEquals(Verdict.EQUIVALENT, new Claim("s", "src", "q", effect(0.1, 0.2), 4, 4, "", none).verdict());
        assertEquals(Verdict.CONTRADICTED, new Claim("s", "src", "q", effect(3, 0.2), 4, 4, "", none).verdict());
        assertEquals(Verdict.NOT_SHOWN, new Claim("s", "src", "q", effect(0.9, 0.2), 4, 4, "", none).verdict());
        assertEquals(Verdict.INCONCLUSIVE, new Claim("s", "src", "q", Effect.undefined("m", "x"), 0, 0, "", none).verdict());
    }

    @Test
    void holmCanTurnARawlySupportedClaimIntoNotShownAndTheSentenceSaysWhy() {
        // raw p of t = 1/0.4 = 2.5 with 10 df is 0.031, of t = 1/0.42 = 2.38 is 0.039: each below 0.05 alone. Holm: the smaller
        // times 2 = 0.063, the larger times 1 = 0.039, raised to 0.063 to keep the order: neither is below 0.05
        Claim alone = new Claim("x grows", "src", "slope", effect(1, 0.4), 9, 3, "");
        assertEquals(Verdict.SUPPORTED, alone.verdict(), alone.sentence());
        Claim other = new Claim("y grows", "src", "slope", effect(1, 0.42), 9, 3, "");
        assertEquals(Verdict.SUPPORTED, other.verdict(), other.sentence());
        List<Finding> corrected = Report.corrected(List.of(new Finding(alone, null), new Finding(other, null)));
        Claim c = corrected.get(0).claim();
        assertEquals(2 * alone.rawP(), c.adjustedP(), 1e-15);
        assertEquals(2 * alone.rawP(), corrected.get(1).claim().adjustedP(), 1e-15, "monotone in the order of the raw p-values");
        assertEquals(Verdict.NOT_SHOWN, c.verdict(), c.sentence());
        assertEquals(Verdict.NOT_SHOWN, corrected.get(1).claim().verdict());
        assertTrue(c.sentence().contains("alone, the raw interval would make it supported, but not after Holm's correction"), c.sentence());
        assertTrue(c.sentence().contains("Holm-adjusted") && c.sentence().contains("over 2 claims"), c.sentence());
        // a strong claim beside a weak one: the weak one's p is multiplied by 1 and stands
        Claim strong = new Claim("z grows", "src", "slope", effect(5, 0.5), 9, 3, "");
        List<Finding> mixed = Report.corrected(List.of(new Finding(alone, null), new Finding(strong, null)));
        assertEquals(alone.rawP(), mixed.get(0).claim().adjustedP(), 1e-15);
        assertEquals(Verdict.SUPPORTED, mixed.get(0).claim().verdict());
    }

    @Test
    void aContradictedClaimSaysSoInItsSentence() {
        Claim against = new Claim("x grows", "src", "slope", Effect.t(-1, 0.1, 7, "OLS"), 9, 3, "");
        assertEquals(Verdict.CONTRADICTED, against.verdict());
        assertEquals("Contradicted: x grows (slope = -1.000, 95% CI [-1.236, -0.7635]; p = < 1e-4; the interval lies below 0, against "
                + "the claim; OLS (7 df); 9 runs, 3 seeds).", against.sentence());
    }
}
