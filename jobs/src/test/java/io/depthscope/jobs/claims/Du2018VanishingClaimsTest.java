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
    static final String VAN_GRID = "activation = [sigmoid, relu], depth = [2, 4], seed = [0, 1, 2]";

    @BeforeAll
    static void start(SparkSession shared) {
        spark = shared;
        // final loss 1e-4 (1 + seed/10), target 1e-3: every cell well below; lambda_min = exp(-depth) (mlp), exp(-0.1 depth) (resmlp)
        write("du2018", DU_GRID, "target_loss = 0.001", s -> 1e-4 * (1 + 0.1 * s.seed()),
                (s, map) -> Double.NaN, s -> Math.exp((s.arch().equals("mlp") ? -1.0 : -0.1) * s.depth() + 0.01 * s.seed()), dir.resolve("du-clear"));
        // resmlp at depth 4 stays at the target's scale in one seed and above it in the others; both archs decay alike
        write("du2018", DU_GRID, "target_loss = 0.001", s -> s.arch().equals("resmlp") && s.depth() == 4 ? 1e-3 * (0.5 + s.seed()) : 1e-5,
                (s, map) -> Double.NaN, s -> Math.exp(-0.5 * s.depth() + 0.01 * ((s.seed() + s.depth()) % 3)), dir.resolve("du-null"));
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

    static StudyTables open(String name) {
        return StudyTables.open(spark, dir.resolve(name).toString());
    }

    @Test
    void lossBelowTargetEverywhereAndAFasterMlpKernelDecayAreSupported() {
        StudyTables t = open("du-clear");
        Claim loss = DU.lossReachesTarget(t);
        assertEquals(Verdict.SUPPORTED, loss.verdict(), loss.sentence());
        // every cell has the same seeds' values: ln(1e-3 / (1e-4 (1 + seed/10)))
        Effect byHand = Effect.mean(new double[] {Math.log(10), Math.log(10 / 1.1), Math.log(10 / 1.2)});
        assertEquals(byHand.estimate(), loss.effect().estimate(), 1e-12);
        assertEquals(byHand.low(), loss.effect().low(), 1e-12);
        assertEquals(18, loss.runs());
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
        r.sentences().forEach(s -> assertTrue(s.startsWith("Supported: "), s));
        assertTrue(r.scale().contains("Du et al."), r.scale());
    }

    @Test
    void aCellAboveTargetAndEqualDecayShowNothing() {
        StudyTables t = open("du-null");
        Claim loss = DU.lossReachesTarget(t);
        assertEquals(Verdict.NOT_SHOWN, loss.verdict(), loss.sentence());
        assertTrue(loss.quantity().contains("resmlp depth 4"), loss.quantity());
        Effect byHand = Effect.mean(new double[] {Math.log(1 / 0.5), Math.log(1 / 1.5), Math.log(1 / 2.5)});
        assertEquals(byHand.estimate(), loss.effect().estimate(), 1e-12);
        assertEquals(byHand.high(), loss.effect().high(), 1e-12);
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
