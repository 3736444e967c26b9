package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.NtkAt;
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
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The du2018 and vanishing claims on synthetic tables whose answers are known by construction. */
@Tag("spark") // Spark SQL over tables written in the test: the full suite, not the fast path
@ExtendWith(SharedSpark.class)
class Du2018VanishingClaimsTest {
    static SparkSession spark;
    @TempDir
    static Path dir;
    static final Du2018Claims DU = new Du2018Claims();
    static final VanishingClaims VANISHING = new VanishingClaims();
    static final String DU_GRID = "arch = [mlp, resmlp], depth = [1, 2, 4], seed = [0, 1, 2]";
    /** The NTK batch (32 examples, the ntk rows') is the whole training set, as claim (a) needs; gd at lr 0.05. */
    static final String DU_RUN = "target_loss = 0.001, dataset { n_train = 32 }, optimizer { kind = gd, lr = 0.05 }";
    static final String DU_WIDTHS = "arch = [mlp, resmlp], depth = [1, 2, 4], width = [8, 16, 32, 64], seed = [0, 1, 2]";
    static final String VAN_GRID = "activation = [sigmoid, relu], depth = [2, 4], seed = [0, 1, 2]";

    @BeforeAll
    static void start(SparkSession shared) {
        spark = shared;
        // final loss 1e-4 (1 + seed/10), target 1e-3: every cell well below; lambda_min = exp(-depth) (mlp), exp(-0.1 depth) (resmlp)
        write("du2018", DU_GRID, DU_RUN, s -> 1e-4 * (1 + 0.1 * s.seed()),
                (s, map) -> Double.NaN, s -> Math.exp((s.arch().equals("mlp") ? -1.0 : -0.1) * s.depth() + 0.01 * s.seed()), dir.resolve("du-clear"));
        // resmlp at depth 4 stays at the target's scale in one seed and above it in the others; both archs decay alike
        write("du2018", DU_GRID, DU_RUN, s -> s.arch().equals("resmlp") && s.depth() == 4 ? 1e-3 * (0.5 + s.seed()) : 1e-5,
                (s, map) -> Double.NaN, s -> Math.exp(-0.5 * s.depth() + 0.01 * ((s.seed() + s.depth()) % 3)), dir.resolve("du-null"));
        // final loss 0.5 (a rate of ln 2 / 20 per step) against lambda_min = 1000 (1 + seed/10): Du's bound is 12-40 times faster
        write("du2018", DU_GRID, DU_RUN, s -> 0.5, (s, map) -> Double.NaN, s -> 1000 * (1 + 0.1 * s.seed()), dir.resolve("du-slow"));
        // minimal widths: mlp 8 2^(depth - 1) (seed 1 at depth 4: beyond the grid), resmlp 8, 8, 16 (seed 2 at depth 2: 16)
        SyntheticStudy.of("du2018", DU_RUN, DU_WIDTHS).stepsToTarget(s -> s.width() >= minimalWidth(s) ? 10 : -1).write(spark,
                dir.resolve("du-width"));
        // both archs 16 everywhere, but mlp seed 0 and resmlp seed 1 need 32 at depth 4: the slopes differ by +-, 0 on average
        SyntheticStudy.of("du2018", DU_RUN, DU_WIDTHS).stepsToTarget(s -> s.width() >= (s.depth() == 4 && s.seed() == (s.arch().equals("mlp") ? 0
                : 1) ? 32 : 16) ? 10 : -1).write(spark, dir.resolve("du-width-null"));
        // sigmoid: delta = 0.25^(depth - map) (1 + seed/10), slope ln 4 per map; relu: flat 1 (1 + seed/10)
        write("vanishing", VAN_GRID, "", s -> 0.5, (s, map) -> (s.activation().equals("sigmoid") ? Math.pow(0.25, s.depth() - map) : 1.0)
                * (1 + 0.1 * s.seed()), s -> Double.NaN, dir.resolve("van-clear"));
        // both flat, values shuffled across seeds: slope 0, and the same ratios in both arms
        write("vanishing", VAN_GRID, "", s -> 0.5, (s, map) -> 1 + 0.1 * ((s.seed() + map) % 3), s -> Double.NaN, dir.resolve("van-null"));
    }

    /** runs, train_curve, ntk (step 0 and 20; the claims read step 0) and layer_gradients (step 0) with the chosen numbers. */
    static void write(String name, String grid, String run, ToDoubleFunction<RunSpec> finalLoss, BiFunction<RunSpec, Integer, Double> delta,
            ToDoubleFunction<RunSpec> lambdaMin, Path out) {
        SyntheticStudy.of(name, run, grid).finalLoss(finalLoss).perRun("ntk", NtkAt.class, s -> {
            double lm = lambdaMin.applyAsDouble(s);
            // the trace grows as exp(0.2 depth): the scale-free lambda_min N / tr K falls 0.2 per layer faster than lambda_min
            double trace = Math.exp(0.2 * s.depth());
            return List.of(new NtkAt(s.runId(), 0, 32, 1, lm, 10, 10 / lm, trace, 1, 0, 0, 1), new NtkAt(s.runId(), 20, 32, 1, 1e6, 1e7, 10, 1, 1, 0, 0.1, 0.9));
        }).perRun("layer_gradients", LayerGradientsAt.class, s -> {
            List<LayerGradientsAt> grads = new ArrayList<>();
            for (int map = 0; map <= s.depth(); map++) {
                double d = delta.apply(s, map);
                grads.add(new LayerGradientsAt(s.runId(), 0, 32, map, 1, 1, d / Math.sqrt(32), d));
                grads.add(new LayerGradientsAt(s.runId(), 20, 32, map, 1, 1, 1, 1));
            }
            return grads;
        }).write(spark, out);
    }

    static int minimalWidth(RunSpec s) {
        if (s.arch().equals("mlp")) {
            return s.seed() == 1 && s.depth() == 4 ? 1 << 20 : 8 << (s.depth() - 1);
        }
        return s.depth() == 4 || (s.seed() == 2 && s.depth() == 2) ? 16 : 8;
    }

    static StudyTables open(String name) {
        return StudyTables.open(spark, dir.resolve(name).toString());
    }

    @Test
    void aRateAboveTheBoundAndAFasterMlpKernelDecayAreSupported() {
        StudyTables t = open("du-clear");
        Claim rate = DU.rateMeetsBound(t);
        assertEquals(Verdict.SUPPORTED, rate.verdict(), rate.sentence());
        // the curve 1, sqrt(L), L at steps 0, 10, 20 falls at -ln(L) / 20 per step; the bound is -ln(1 - 0.05 lambda_min / 64)
        double worstLow = Double.POSITIVE_INFINITY;
        Effect worst = null;
        for (String arch : List.of("mlp", "resmlp")) {
            for (int depth : new int[] {1, 2, 4}) {
                double[] v = new double[3];
                for (int seed = 0; seed < 3; seed++) {
                    double lambda = Math.exp((arch.equals("mlp") ? -1.0 : -0.1) * depth + 0.01 * seed);
                    v[seed] = Math.log(-Math.log(1e-4 * (1 + 0.1 * seed)) / 20 / -Math.log(1 - 0.05 * lambda / 64));
                }
                Effect e = Effect.mean(v);
                if (e.low() < worstLow) {
                    worstLow = e.low();
                    worst = e;
                }
            }
        }
        assertEquals(worst.estimate(), rate.effect().estimate(), 1e-9, rate.sentence());
        assertEquals(worst.low(), rate.effect().low(), 1e-9);
        // the largest lambda_min, resmlp at depth 1, has the highest bound
        assertTrue(rate.quantity().contains("resmlp depth 1"), rate.quantity());
        assertEquals(18, rate.runs());
        Claim kernel = DU.mlpKernelDecaysFaster(t);
        assertEquals(Verdict.SUPPORTED, kernel.verdict(), kernel.sentence());
        assertEquals(-0.1 - -1.0, kernel.effect().estimate(), 1e-9);
        assertEquals(18, kernel.runs());
        assertEquals(3, kernel.seeds());
        assertTrue(kernel.notes().contains("mlp -1.2"), kernel.notes());
        Claim decays = DU.mlpKernelDecays(t);
        assertEquals(Verdict.SUPPORTED, decays.verdict(), decays.sentence());
        assertEquals(1.2, decays.effect().estimate(), 1e-9, "the trace's growth is divided out");
        Report r = Report.of(t);
        assertEquals("du2018", r.claimSet());
        assertEquals(4, r.sentences().size());
        r.sentences().subList(0, 3).forEach(s -> assertTrue(s.startsWith("Supported: "), s));
        // one width: the width axis cannot be read
        assertTrue(r.sentences().get(3).startsWith("Inconclusive: "), r.sentences().get(3));
        assertTrue(r.scale().contains("Du et al."), r.scale());
    }

    @Test
    void aRateBelowTheBoundIsAgainstTheClaim() {
        Claim rate = DU.rateMeetsBound(open("du-slow"));
        assertEquals(Verdict.CONTRADICTED, rate.verdict(), rate.sentence());
        double[] v = new double[3];
        for (int seed = 0; seed < 3; seed++) {
            v[seed] = Math.log(Math.log(2) / 20 / -Math.log(1 - 0.05 * 1000 * (1 + 0.1 * seed) / 64));
        }
        Effect byHand = Effect.mean(v);
        assertEquals(byHand.estimate(), rate.effect().estimate(), 1e-9, rate.sentence());
        assertEquals(byHand.high(), rate.effect().high(), 1e-9);
        assertTrue(rate.effect().high() < 0);
    }

    @Test
    void aWiderRequirementForDeeperPlainNetworksIsSupportedAndCensoredResidualSeedsAreLeftOut() {
        StudyTables t = open("du-width");
        Claim w = DU.minimalWidthGrowsFasterForMlp(t);
        assertEquals(Verdict.SUPPORTED, w.verdict(), w.sentence());
        // seed 1's mlp at depth 4 is beyond the grid: the next width, 128; seed 2's resmlp needs 16 at depth 2
        double[] depth = {1, 2, 4};
        double[] slopes = new double[3];
        for (int seed = 0; seed < 3; seed++) {
            double[] mlp = {3, 4, seed == 1 ? 7 : 6};
            double[] res = {3, seed == 2 ? 4 : 3, 4};
            slopes[seed] = Effect.olsSlope(depth, mlp).estimate() - Effect.olsSlope(depth, res).estimate();
        }
        Effect byHand = Effect.mean(slopes);
        assertEquals(byHand.estimate(), w.effect().estimate(), 1e-12, w.sentence());
        assertEquals(byHand.low(), w.effect().low(), 1e-12);
        assertEquals(3, w.seeds());
    }

    @Test
    void equalWidthRequirementsShowNothing() {
        Claim w = DU.minimalWidthGrowsFasterForMlp(open("du-width-null"));
        assertEquals(Verdict.NOT_SHOWN, w.verdict(), w.sentence());
        assertEquals(0, w.effect().estimate(), 1e-12, w.sentence());
    }

    @Test
    void aResidualCellBeyondTheGridLeavesItsSeedOut() {
        List<Row> rows = new ArrayList<>();
        for (Row r : open("du-width").runRows()) {
            rows.add(r);
        }
        // resmlp seed 0 misses the target at every width at depth 4: censored, so seed 0 has no resmlp points
        List<MinimalWidth.Cell> cells = MinimalWidth.cells(rows).stream().map(c -> c.arch().equals("resmlp") && c.seed() == 0 && c.depth() == 4
                ? new MinimalWidth.Cell(0, "resmlp", 4, 128, true) : c).toList();
        assertEquals(List.of(1L, 2L), List.copyOf(MinimalWidth.points(cells, "resmlp").keySet()));
        assertEquals(3, MinimalWidth.points(cells, "mlp").size());
        MinimalWidth.Cell censored = MinimalWidth.cells(rows).stream().filter(c -> c.arch().equals("mlp") && c.seed() == 1 && c.depth() == 4)
                .findFirst().orElseThrow();
        assertTrue(censored.censored());
        assertEquals(128, censored.width());
    }

    @Test
    void equalDecayShowsNothing() {
        StudyTables t = open("du-null");
        Claim kernel = DU.mlpKernelDecaysFaster(t);
        assertEquals(Verdict.NOT_SHOWN, kernel.verdict(), kernel.sentence());
        assertEquals(0, kernel.effect().estimate(), 1e-12);
    }

    @Test
    void sigmoidDeltasShrinkingTowardsTheInputBelowReluAreSupported() {
        StudyTables t = open("van-clear");
        Claim shrink = VANISHING.sigmoidShrinksTowardsInput(t);
        assertEquals(Verdict.SUPPORTED, shrink.verdict(), shrink.sentence());
        // ln delta = (map - depth) ln 4 + ln(1 + seed/10): slope ln 4 in every seed, an interval of width 0
        assertEquals(Math.log(4), shrink.effect().estimate(), 1e-12);
        assertEquals(3, shrink.runs());
        assertEquals(3, shrink.seeds());
        assertTrue(shrink.quantity().contains("depth 4"), shrink.quantity());
        Claim ratio = VANISHING.sigmoidRatioBelowRelu(t);
        assertEquals(Verdict.SUPPORTED, ratio.verdict(), ratio.sentence());
        // relu ratio 1, sigmoid ratio 0.25^4 in every seed: ln ratios 0 and -4 ln 4
        assertEquals(4 * Math.log(4), ratio.effect().estimate(), 1e-12);
        assertEquals(6, ratio.runs());
        Report r = Report.of(t);
        assertEquals("vanishing", r.claimSet());
        assertEquals(4, r.findings().size());
    }

    @Test
    void flatDeltasShowNothing() {
        StudyTables t = open("van-null");
        Claim shrink = VANISHING.sigmoidShrinksTowardsInput(t);
        assertEquals(Verdict.NOT_SHOWN, shrink.verdict(), shrink.sentence());
        // by hand: per seed, ln(1 + 0.1 ((seed + map) % 3)) over maps 0..4
        double[] slopes = new double[3];
        for (int seed = 0; seed < 3; seed++) {
            double[] x = {0, 1, 2, 3, 4};
            double[] y = new double[5];
            for (int m = 0; m < 5; m++) {
                y[m] = Math.log(1 + 0.1 * ((seed + m) % 3));
            }
            slopes[seed] = Effect.olsSlope(x, y).estimate();
        }
        Effect byHand = Effect.mean(slopes);
        assertEquals(byHand.estimate(), shrink.effect().estimate(), 1e-12);
        assertEquals(byHand.low(), shrink.effect().low(), 1e-12);
        Claim ratio = VANISHING.sigmoidRatioBelowRelu(t);
        assertEquals(Verdict.NOT_SHOWN, ratio.verdict(), ratio.sentence());
        assertEquals(0, ratio.effect().estimate(), 1e-12);
    }
}
