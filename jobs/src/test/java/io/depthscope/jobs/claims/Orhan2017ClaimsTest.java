package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.diag.JacobianSpectrumAt;
import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.RepresentationRankAt;
import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.jobs.tables.RecordTable;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.probe.HessianResults;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.train.RunDiagnostics;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.RunRecord;
import io.depthscope.train.TrainPoint;
import io.depthscope.util.Provenance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The orhan2017 claims on synthetic tables whose answers are known by construction. */
@Tag("spark") // Spark SQL over tables written in the test: the full suite, not the fast path
@ExtendWith(SharedSpark.class)
class Orhan2017ClaimsTest {
    static final String CONF = """
            name = orhan2017
            run { depth = 3, width = 4, activation = linear, bias = false, loss = mse, steps = 20, eval_every = 10, DIAGNOSTICS }
            variants = [
              { init { kind = gaussian, sigma2 = 1.0, fold = 0 } }
              { init { kind = gaussian, sigma2 = 1.0, fold = 1 } }
              { init { kind = orthogonal, gain = 1.0 } }
              { init { kind = orthogonal, gain = 0.9 } }
              { activation = hardtanh, init { kind = orthogonal, gain = 1.0 } }
              { activation = relu, init { kind = orthogonal, gain = 1.4142135623730951 } }
              { arch = resmlp, residual_scale = 0.2, init { kind = gaussian, sigma2 = 1.0, fold = 0 } }
              { arch = resmlp, residual_scale = 0.2, init { kind = gaussian, sigma2 = 1.0, fold = 1 } }
            ]
            grid { seed = [0, 1, 2] }
            """;
    /** Diagnostics at steps 0, 10 and 20: claim (a) reads step 10, the earliest after 0. */
    static final String STEPS = "diagnostics { steps = [0, 10, 20] }";
    static SparkSession spark;
    @TempDir
    static Path dir;
    static final Orhan2017Claims CLAIMS = new Orhan2017Claims();

    @BeforeAll
    static void start(SparkSession shared) {
        spark = shared;
        write(dir.resolve("study"), false);
        write(dir.resolve("against"), true);
        // no diagnostics step after 0: claim (a) has nothing to read
        SyntheticStudy.of(CONF.replace("DIAGNOSTICS", "diagnostics { steps = [0] }")).write(spark, dir.resolve("no-early-step"));
    }

    static String variant(RunSpec s) {
        if (s.arch().equals("resmlp")) {
            return "res" + s.init().fold();
        }
        if (!s.activation().equals("linear")) {
            return s.activation();
        }
        return s.init().kind().equals("gaussian") ? "fold" + s.init().fold() : "orth" + s.init().gain();
    }

    /** Every map's gradient norm at step 0: Fold-1 twice Fold-0 (seed spread differs), orthogonal x0.9 half of x1. */
    static double gradient(String v, int seed) {
        return switch (v) {
            case "fold0" -> 1 + 0.1 * seed;
            case "fold1" -> 2 * (1 + 0.2 * seed);
            case "orth1.0" -> 1 + 0.1 * seed;
            case "orth0.9" -> 0.5 * (1 + 0.1 * seed);
            default -> 1;
        };
    }

    /** Final loss: Fold-1 above Fold-0 above orthogonal; x0.9 holds x1's values shuffled across seeds (difference exactly 0). */
    static double finalLoss(String v, int seed) {
        return switch (v) {
            case "fold0" -> 0.1 + 0.01 * seed;
            case "fold1" -> 0.5 + 0.02 * seed;
            case "orth1.0" -> 0.01 + 0.001 * seed;
            case "orth0.9" -> 0.01 + 0.001 * ((seed + 1) % 3);
            default -> 0.2;
        };
    }

    /**
     * Activation gradients (delta_norm of the hidden maps 0..2) at step 10: Fold-1 twice Fold-0 with its own spread across seeds, or,
     * {@code against}, half of it. The residual twins of Fold-0 and Fold-1: rank 1 + 0.1 seed above their plain twin's, or, against,
     * differences of 0 (Fold-0) and 0.2 (seed - 1) (Fold-1), averaging to 0 across seeds.
     */
    static double earlyDelta(String v, int seed, boolean against) {
        double fold0 = 1 + 0.1 * seed;
        return switch (v) {
            case "fold1" -> against ? fold0 / (2 * (1 + 0.2 * seed)) : 2 * (1 + 0.2 * seed);
            default -> fold0;
        };
    }

    static double deepestRank(String v, int seed, boolean against) {
        return switch (v) {
            case "fold1" -> 2 + 0.1 * seed;
            case "res1" -> deepestRank("fold1", seed, against) + (against ? 0.2 * (seed - 1) : 1 + 0.1 * seed);
            case "res0" -> deepestRank("fold0", seed, against) + (against ? 0 : 1 + 0.1 * seed);
            default -> 4 - 0.1 * seed;
        };
    }

    /** runs, train_curve, layer_gradients, representation_rank and jacobian_spectrum with the chosen numbers. */
    static void write(Path out, boolean against) {
        SyntheticStudy.of(CONF.replace("DIAGNOSTICS", STEPS)).finalLoss(s -> finalLoss(variant(s), (int) s.seed()))
                .perRun("layer_gradients", LayerGradientsAt.class, s -> {
            List<LayerGradientsAt> gradients = new ArrayList<>();
            int seed = (int) s.seed();
            for (int map = 0; map <= 3; map++) {
                // step 0: weight gradients for claim (d), activation gradients the other way round (claim (a) must not read them)
                gradients.add(new LayerGradientsAt(s.runId(), 0, 8, map, gradient(variant(s), seed), Double.NaN, 1 / earlyDelta(variant(s), seed,
                        against), 1));
                // step 10, claim (a)'s: the hidden maps' deltas; the output map's (map 3) is reversed and must not be read
                double d = map < 3 ? earlyDelta(variant(s), seed, against) : 100 / earlyDelta(variant(s), seed, against);
                gradients.add(new LayerGradientsAt(s.runId(), 10, 8, map, 100.0 * s.seed(), Double.NaN, d, 1));
                // a later step that the claims must not read
                gradients.add(new LayerGradientsAt(s.runId(), 20, 8, map, 100.0 * s.seed(), Double.NaN, 1000.0 * seed, 1));
            }
            return gradients;
        }).perRun("representation_rank", RepresentationRankAt.class, s -> {
            // deepest layer 3 as chosen; layer 1 the other way round (not read)
            double deep = deepestRank(variant(s), (int) s.seed(), against);
            return List.of(new RepresentationRankAt(s.runId(), 0, 8, 3, deep, 0, 0), new RepresentationRankAt(s.runId(), 0, 8, 1, 6 - deep, 0, 0));
        }).perRun("jacobian_spectrum", JacobianSpectrumAt.class, s -> {
            // deepest layer: relu spread 1 + 0.1 seed, hardtanh 0.1 + 0.01 seed; layer 1 reversed (not read)
            double spread = variant(s).equals("relu") ? 1 + 0.1 * s.seed() : 0.1 + 0.01 * s.seed();
            return List.of(new JacobianSpectrumAt(s.runId(), 0, JacobianSpectrumAt.INPUT_TO_HIDDEN, 0, 3, List.of(2.0, 1.0), 1, 2, spread),
                    new JacobianSpectrumAt(s.runId(), 0, JacobianSpectrumAt.INPUT_TO_HIDDEN, 0, 1, List.of(2.0, 1.0), 1, 2, 2 - spread));
        }).write(spark, out);
    }

    static StudyTables open() {
        return open("study");
    }

    static StudyTables open(String name) {
        return StudyTables.open(spark, dir.resolve(name).toString());
    }

    /** The claim's effect is the t interval of a[seed] - b[seed]: the variants of a seed are paired. */
    static void assertPaired(Claim c, double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        Effect byHand = Effect.mean(d);
        assertEquals(byHand.estimate(), c.effect().estimate(), 1e-12, c.sentence());
        assertEquals(byHand.low(), c.effect().low(), 1e-12);
        assertEquals(byHand.high(), c.effect().high(), 1e-12);
        assertEquals(a.length - 1, c.effect().df());
        assertEquals(a.length + b.length, c.runs());
    }

    static double[] ln(double... v) {
        return Arrays.stream(v).map(Math::log).toArray();
    }

    @Test
    void clearDifferencesInTheClaimedDirectionAreSupportedPairedBySeed() {
        StudyTables t = open();
        assertEquals(10, CLAIMS.earlyStep(t));
        Claim g = CLAIMS.fold1HasLargerGradientsEarly(t);
        assertEquals(Verdict.SUPPORTED, g.verdict(), g.sentence());
        assertPaired(g, ln(2, 2.4, 2.8), ln(1, 1.1, 1.2));
        assertTrue(g.statement().contains("step 10"), g.statement());
        Claim loss = CLAIMS.fold1EndsWithHigherLoss(t);
        assertEquals(Verdict.SUPPORTED, loss.verdict(), loss.sentence());
        assertPaired(loss, new double[] {0.5, 0.52, 0.54}, new double[] {0.1, 0.11, 0.12});
        assertEquals(0.52 - 0.11, loss.effect().estimate(), 1e-12);
        Claim orth = CLAIMS.orthogonalEndsLowerThanFold0(t);
        assertEquals(Verdict.SUPPORTED, orth.verdict());
        assertEquals(0.11 - 0.011, orth.effect().estimate(), 1e-12);
        Claim scaled = CLAIMS.scaledOrthogonalStartsWithSmallerGradients(t);
        assertEquals(Verdict.SUPPORTED, scaled.verdict());
        // every run's x0.9 gradient is half its x1 one: the ln difference is ln 2 with no spread
        assertEquals(Math.log(2), scaled.effect().estimate(), 1e-12);
        Claim rank = CLAIMS.fold1MoreDegenerate(t);
        assertEquals(Verdict.SUPPORTED, rank.verdict(), rank.sentence());
        assertPaired(rank, new double[] {4, 3.9, 3.8}, new double[] {2, 2.1, 2.2});
        Claim iso = CLAIMS.hardtanhIsMoreIsometric(t);
        assertEquals(Verdict.SUPPORTED, iso.verdict(), iso.sentence());
        assertPaired(iso, new double[] {1, 1.1, 1.2}, new double[] {0.1, 0.11, 0.12});
        assertEquals(3, iso.seeds());
        Claim res = CLAIMS.residualLessDegenerate(t);
        assertEquals(Verdict.SUPPORTED, res.verdict(), res.sentence());
        // per seed both pairs differ by 1 + 0.1 seed
        Effect byHand = Effect.mean(new double[] {1, 1.1, 1.2});
        assertEquals(byHand.estimate(), res.effect().estimate(), 1e-12);
        assertEquals(byHand.low(), res.effect().low(), 1e-12);
        assertEquals(12, res.runs());
        assertEquals(3, res.seeds());
    }

    @Test
    void smallerEarlyGradientsAreAgainstTheClaimAndRankDifferencesThatCancelShowNothing() {
        StudyTables t = open("against");
        Claim g = CLAIMS.fold1HasLargerGradientsEarly(t);
        assertEquals(Verdict.CONTRADICTED, g.verdict(), g.sentence());
        assertTrue(g.effect().high() < 0, g.sentence());
        Claim res = CLAIMS.residualLessDegenerate(t);
        // per seed the pairs average to 0.1 (seed - 1): -0.1, 0, 0.1
        assertEquals(0, res.effect().estimate(), 1e-12, res.sentence());
        assertEquals(Verdict.NOT_SHOWN, res.verdict(), res.sentence());
    }

    @Test
    void withoutADiagnosticsStepAfterZeroTheEarlyGradientsAreInconclusive() {
        StudyTables t = open("no-early-step");
        assertEquals(-1, CLAIMS.earlyStep(t));
        Claim g = CLAIMS.fold1HasLargerGradientsEarly(t);
        assertEquals(Verdict.INCONCLUSIVE, g.verdict(), g.sentence());
        assertTrue(g.sentence().contains("diagnostics.steps"), g.sentence());
    }

    @Test
    void finalLossesThatScatterAcrossSeedsShowNoEquivalence() {
        // ln(x0.9 / x1) per seed: ln(11/10), ln(12/11), ln(10/12); their interval reaches past -+ln 1.25
        Claim c = CLAIMS.scaledOrthogonalEndsNoHigher(open());
        assertTrue(c.hypothesis().equivalence());
        assertEquals(Math.log(1.25), c.hypothesis().margin(), 1e-15);
        assertPaired(c, ln(0.011, 0.012, 0.010), ln(0.010, 0.011, 0.012));
        assertEquals(Verdict.NOT_SHOWN, c.verdict(), c.sentence());
        assertTrue(c.effect().low() < -Math.log(1.25) && c.effect().high() > Math.log(1.25), c.sentence());
    }

    @Test
    void theReportFindsTheSetAndGivesEightClaimsWithFigures() {
        Report r = Report.of(open());
        assertEquals("orhan2017", r.claimSet());
        assertEquals(8, r.findings().size());
        assertEquals(7, r.sentences().stream().filter(s -> s.startsWith("Supported: ")).count(), String.join("\n", r.sentences()));
        assertTrue(r.scale().contains("Pennington"), r.scale());
    }
}
