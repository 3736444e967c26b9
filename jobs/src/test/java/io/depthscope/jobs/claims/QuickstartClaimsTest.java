package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.jobs.spark.SharedSpark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart claims on synthetic tables whose answers are known by construction. */
@Tag("spark") // Spark SQL over tables written in the test: the full suite, not the fast path
@ExtendWith(SharedSpark.class)
class QuickstartClaimsTest {
    static final String GRID = "arch = [mlp, resmlp], depth = [1, 2, 4], seed = [0, 1, 2]";
    static SparkSession spark;
    @TempDir
    static Path dir;
    static final QuickstartClaims CLAIMS = new QuickstartClaims();

    @BeforeAll
    static void start(SparkSession shared) {
        spark = shared;
        // residual below plain at depth 4 by 0.39 + 0.009 seed^2 (paired differences 0.39, 0.399, 0.428);
        // plain non-null kurtosis 10 exp((1 + seed/10) log2 depth): per-seed slopes of its log on log2 depth 1, 1.1 and 1.2;
        // plain lambda_max / edge with slopes 0.5, 0.6, 0.7; residual kurtosis 10 + seed, ratio 2: lower at the largest depth
        SyntheticStudy.of("quickstart", "", GRID)
                .finalLoss(s -> s.arch().equals("resmlp") && s.depth() == 4 ? 0.010 + 0.001 * s.seed() : 0.40 + 0.01 * s.seed() * s.seed())
                .kurtosis(s -> s.arch().equals("mlp") ? s.paramCount() * 10.0 * Math.exp((1 + 0.1 * s.seed()) * log2(s.depth())) : 10 + s.seed())
                .spectrum(s -> s.arch().equals("mlp") ? 10.0 * Math.exp((1 + 0.1 * s.seed()) * log2(s.depth())) : 10 + s.seed(),
                        s -> s.arch().equals("mlp") ? 1.5 * Math.exp((0.5 + 0.1 * s.seed()) * log2(s.depth())) : 2.0)
                .write(spark, dir.resolve("clear"));
        // paired differences -0.01, -0.01, 0.02 (mean 0), and non-null kurtosis and ratio with per-seed slopes 0.1, -0.1, 0, both
        // arms equal: effects exactly 0
        SyntheticStudy.of("quickstart-null", "", GRID).finalLoss(s -> 0.4 + 0.01 * (s.arch().equals("mlp") ? s.seed() : (s.seed() + 1) % 3))
                .kurtosis(s -> s.paramCount() * 3.0)
                .spectrum(s -> Math.exp(new double[] {0.1, -0.1, 0}[(int) s.seed()] * log2(s.depth())),
                        s -> 3 * Math.exp(new double[] {0.1, -0.1, 0}[(int) s.seed()] * log2(s.depth())))
                .write(spark, dir.resolve("null"));
        // the non-null kurtosis falling with depth: the claim's direction is wrong
        SyntheticStudy.of("quickstart", "", GRID).kurtosis(s -> s.paramCount() * 100.0)
                .spectrum(s -> 100.0 * Math.exp(-(1 + 0.1 * s.seed()) * log2(s.depth())), s -> 3.0).write(spark, dir.resolve("falling"));
        // the raw kurtosis growing exactly as P does (it would "grow with depth"), the non-null kurtosis flat
        SyntheticStudy.of("quickstart", "", GRID).kurtosis(s -> s.paramCount() * (2 + 0.1 * s.seed()))
                .spectrum(s -> 2 + 0.1 * s.seed(), s -> 3.0).write(spark, dir.resolve("growsasp"));
        SyntheticStudy.of("quickstart", "", "arch = [mlp, resmlp], depth = [1, 4], seed = [0]").kurtosis(s -> 10.0 * s.depth())
                .spectrum(s -> 10.0 * s.depth(), s -> 3.0).write(spark, dir.resolve("oneseed"));
        SyntheticStudy.write(spark, "quickstart", "arch = [mlp, resmlp], depth = [1, 2], width = [8, 16], seed = [0, 1]", s -> 0.4,
                s -> 10.0, dir.resolve("widths"));
        // each depth's width chosen so that P stays near 6000: the statement may say "at a fixed parameter count"
        SyntheticStudy.of("name = quickstart\nrun { steps = 10, eval_every = 10 }\n"
                + "grid { arch = [mlp, resmlp], depth = [1, 2, 4], seed = [0, 1, 2], matched_params = 6000 }\n")
                .kurtosis(s -> 10.0 * s.depth()).spectrum(s -> 10.0 * s.depth(), s -> 3.0).write(spark, dir.resolve("matched"));
        // written before hessian_spectrum existed: its Hessian claims cannot be judged
        SyntheticStudy.write(spark, "quickstart", GRID, s -> 0.4, s -> 10.0, dir.resolve("old"));
    }

    static double log2(int depth) {
        return Math.log(depth) / Math.log(2);
    }

    static StudyTables open(String name) {
        return StudyTables.open(spark, dir.resolve(name).toString());
    }

    @Test
    void clearlyLowerResidualLossAndKurtosisGrowingAsAPowerOfDepthAreSupported() {
        StudyTables t = open("clear");
        Claim loss = CLAIMS.residualReachesLowerLoss(t);
        assertEquals(Verdict.SUPPORTED, loss.verdict(), loss.sentence());
        Effect byHand = Effect.mean(new double[] {0.40 - 0.010, 0.41 - 0.011, 0.44 - 0.012});
        assertEquals(byHand.estimate(), loss.effect().estimate(), 1e-12);
        assertEquals(byHand.low(), loss.effect().low(), 1e-12);
        assertEquals(byHand.high(), loss.effect().high(), 1e-12);
        assertEquals(2, loss.effect().df(), "three paired seeds: 2 df, not Welch's");
        assertEquals(6, loss.runs());
        assertEquals(3, loss.seeds());
        assertTrue(loss.quantity().contains("depth 4"), loss.quantity());
        Claim kurtosis = CLAIMS.kurtosisGrowsWithDepth(t);
        assertEquals(Verdict.SUPPORTED, kurtosis.verdict(), kurtosis.sentence());
        assertEquals(1.1, kurtosis.effect().estimate(), 1e-12);
        Effect slopes = Effect.mean(new double[] {1.0, 1.1, 1.2});
        assertEquals(slopes.low(), kurtosis.effect().low(), 1e-12);
        assertEquals(9, kurtosis.runs());
        assertEquals(3, kurtosis.seeds());
        assertTrue(kurtosis.quantity().contains("nonnull_kurtosis"), kurtosis.quantity());
        assertTrue(kurtosis.statement().startsWith("with P not held fixed (P from "), "one width at every depth: " + kurtosis.statement());
        Claim outliers = CLAIMS.outliersGrowWithDepth(t);
        assertEquals(Verdict.SUPPORTED, outliers.verdict(), outliers.sentence());
        assertEquals(0.6, outliers.effect().estimate(), 1e-12);
        assertTrue(outliers.notes().contains("1.000 at depth 1, 3.000 at depth 4"), outliers.notes());
        Claim lower = CLAIMS.residualLowerKurtosis(t);
        assertEquals(Verdict.SUPPORTED, lower.verdict(), lower.sentence());
        Effect paired = Effect.mean(new double[] {2.0, 2.2 + Math.log(10) - Math.log(11), 2.4 + Math.log(10) - Math.log(12)});
        assertEquals(paired.estimate(), lower.effect().estimate(), 1e-12);
        assertEquals(paired.low(), lower.effect().low(), 1e-12);
    }

    @Test
    void equalArmsAndAFlatKurtosisAreNotShown() {
        StudyTables t = open("null");
        Claim loss = CLAIMS.residualReachesLowerLoss(t);
        assertEquals(Verdict.NOT_SHOWN, loss.verdict(), loss.sentence());
        assertEquals(0, loss.effect().estimate(), 1e-15);
        assertTrue(loss.effect().low() < 0 && loss.effect().high() > 0);
        for (Claim c : List.of(CLAIMS.kurtosisGrowsWithDepth(t), CLAIMS.outliersGrowWithDepth(t))) {
            assertEquals(Verdict.NOT_SHOWN, c.verdict(), c.sentence());
            assertEquals(0, c.effect().estimate(), 1e-12);
        }
        Claim lower = CLAIMS.residualLowerKurtosis(t);
        assertEquals(0, lower.effect().estimate(), 1e-15, lower.sentence());
        assertTrue(lower.verdict() == Verdict.NOT_SHOWN, lower.sentence());
    }

    @Test
    void kurtosisFallingWithDepthContradictsTheClaim() {
        Claim kurtosis = CLAIMS.kurtosisGrowsWithDepth(open("falling"));
        assertEquals(Verdict.CONTRADICTED, kurtosis.verdict());
        assertEquals(-1.1, kurtosis.effect().estimate(), 1e-12);
        assertTrue(kurtosis.sentence().startsWith("Contradicted: ") && kurtosis.sentence().contains("against the claim"), kurtosis.sentence());
    }

    @Test
    void kurtosisThatGrowsOnlyAsTheParameterCountDoesIsNoEvidenceForDepth() {
        Claim kurtosis = CLAIMS.kurtosisGrowsWithDepth(open("growsasp"));
        assertEquals(0, kurtosis.effect().estimate(), 1e-12);
        assertEquals(Verdict.NOT_SHOWN, kurtosis.verdict(), kurtosis.sentence());
        // the notes show the raw kurtosis' slope, which is ln P's
        Effect lnP = Effect.seedSlopes(new java.util.TreeMap<>(java.util.Map.of(0L, points(), 1L, points(), 2L, points())));
        assertTrue(kurtosis.notes().contains("of ln(kurtosis) " + lnP.brief()), kurtosis.notes());
        assertTrue(kurtosis.notes().contains("P from " + spec(1).paramCount() + " to " + spec(4).paramCount()), kurtosis.notes());
    }

    /** ln P of the mlp at depths 1, 2, 4 against log2 depth. */
    private static double[][] points() {
        return new double[][] {{0, Math.log(spec(1).paramCount())}, {1, Math.log(spec(2).paramCount())}, {2, Math.log(spec(4).paramCount())}};
    }

    private static io.depthscope.study.RunSpec spec(int depth) {
        return SyntheticStudy.of("quickstart", "", "arch = [mlp], depth = [" + depth + "]").plan().get(0);
    }

    @Test
    void onlyAStudyThatHoldsPFixedSaysSo() {
        Claim kurtosis = CLAIMS.kurtosisGrowsWithDepth(open("matched"));
        assertTrue(kurtosis.statement().startsWith("at a fixed parameter count (P from "), kurtosis.statement());
        assertEquals(Verdict.SUPPORTED, kurtosis.verdict(), kurtosis.sentence());
        assertEquals(Math.log(2), kurtosis.effect().estimate(), 1e-12, "ln(10 depth) on log2(depth): ln 2 per doubling");
    }

    @Test
    void oneSeedIsInconclusive() {
        StudyTables t = open("oneseed");
        assertEquals(Verdict.INCONCLUSIVE, CLAIMS.residualReachesLowerLoss(t).verdict());
        assertEquals(Verdict.INCONCLUSIVE, CLAIMS.kurtosisGrowsWithDepth(t).verdict());
        assertEquals(Verdict.INCONCLUSIVE, CLAIMS.residualLowerKurtosis(t).verdict());
    }

    @Test
    void aStudyWrittenBeforeTheSpectrumTableIsInconclusiveSayingWhy() {
        Claim c = CLAIMS.kurtosisGrowsWithDepth(open("old"));
        assertEquals(Verdict.INCONCLUSIVE, c.verdict());
        assertTrue(c.effect().missing().contains("no hessian_spectrum table"), c.effect().missing());
        assertEquals(4, Report.of(open("old")).findings().size(), "the report still renders");
    }

    @Test
    void runsDifferingInAnotherFieldAreRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CLAIMS.findings(open("widths")));
        assertTrue(e.getMessage().startsWith("runs.width: takes 2 values [8, 16]"), e.getMessage());
    }

    @Test
    void aStudyWithoutAClaimSetIsABadInputNamingTheKnownSets() {
        // (the report command's test reads such a study from its tables)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClaimSets.forStudy("other"));
        assertTrue(e.getMessage().startsWith("runs.study: 'other' has no claim set; allowed: quickstart"), e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> open("nowhere"));
        assertTrue(missing.getMessage().contains("nowhere' does not exist"), missing.getMessage());
    }

    @Test
    void seedBandsAreTheTIntervalsOfEachGroupsRuns() {
        List<Series> series = SeedStats.series(open("clear").okRuns(), "arch", "depth", "final_loss");
        assertEquals(List.of("mlp", "resmlp"), series.stream().map(Series::name).toList());
        assertArrayEquals(new double[] {1, 2, 4}, series.get(1).xs());
        Interval expected = Interval.of(0.010, 0.011, 0.012);
        Interval got = series.get(1).points().get(2).y();
        assertEquals(expected.n(), got.n());
        assertEquals(expected.mean(), got.mean(), 1e-15);
        assertEquals(expected.low(), got.low(), 1e-12);
        assertEquals(expected.high(), got.high(), 1e-12);
    }

    @Test
    void theReportHoldsEachClaimItsFigureAndTheProvenance() {
        Report r = Report.of(open("clear"));
        assertEquals("quickstart", r.claimSet());
        assertEquals(4, r.findings().size());
        r.sentences().forEach(s -> assertTrue(s.startsWith("Supported: "), s));
        for (Finding f : r.findings()) {
            assertTrue(f.figure().image().getWidth() >= 760, f.figure().caption());
        }
        String html = ReportHtml.render(r);
        assertEquals(4, html.split("data:image/png;base64,", -1).length - 1);
        for (String s : r.sentences()) {
            assertTrue(html.contains(ReportHtml.esc(s)), s);
        }
        assertTrue(html.contains("code_version: synthetic1") && html.contains("runs: 18 (ok=18), 3 seeds"), html);
        assertTrue(html.contains("ImageNet"), "the scale difference from the papers is stated");
        assertTrue(Arrays.asList(r.text().split("\n")).containsAll(r.sentences().stream().map(s -> "- " + s).toList()));
    }
}
