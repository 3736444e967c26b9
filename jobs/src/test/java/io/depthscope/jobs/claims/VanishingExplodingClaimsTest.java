package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.LayerWeightChangeAt;
import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.study.RunSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vanishing study's exploding variant (c) and per-layer learning speed (d) on synthetic tables whose answers are known by
 * construction, beside the vanishing arm's claims (a) and (b), which must not pool the exploding sigmoid runs with the standard ones.
 */
@Tag("spark") // Spark SQL over tables written in the test: the full suite, not the fast path
@ExtendWith(SharedSpark.class)
class VanishingExplodingClaimsTest {
    static SparkSession spark;
    @TempDir
    static Path dir;
    static final VanishingClaims VANISHING = new VanishingClaims();
    static final String CONF = """
            name = vanishing
            run { width = 8, steps = 20, eval_every = 10, loss = cross_entropy, dataset { kind = sphere_labels, classes = 4 } }
            variants = [
              { activation = sigmoid, init { kind = gaussian, sigma2 = 1.0 } }
              { activation = sigmoid, init { kind = gaussian, sigma2 = 10000.0 } }
              { activation = relu, init { kind = gaussian, sigma2 = 2.0 } }
            ]
            grid { depth = [2, 4], seed = [0, 1, 2] }
            """;

    static boolean exploding(RunSpec s) {
        return s.activation().equals("sigmoid") && s.init().sigma2() > 1;
    }

    static boolean vanishing(RunSpec s) {
        return s.activation().equals("sigmoid") && !exploding(s);
    }

    @BeforeAll
    static void start(SparkSession shared) {
        spark = shared;
        // clear: the standard sigmoid's delta shrinks 4x per map towards the input and the exploding one's grows 4x; the exploding
        // first-map weight gradient is 3^depth (1 + seed/10) times the last's; by step 20 the standard sigmoid's last map has moved
        // 2^depth (1 + seed/10) times as much as its first (reversed at step 10, which the claim must not read)
        write("clear", (s, map) -> exploding(s) ? Math.pow(4, s.depth() - map) : vanishing(s) ? Math.pow(0.25, s.depth() - map) : 1.0,
                (s, map) -> exploding(s) && map == 0 ? Math.pow(3, s.depth()) * (1 + 0.1 * s.seed()) : 1.0,
                (s, map) -> vanishing(s) ? 0.01 * Math.pow(2, map) * (map == s.depth() ? 1 + 0.1 * s.seed() : 1) : 0.01, true);
        // null: the exploding ratio's ln is +0.5, -0.5, 0.1 by seed (no evidence either way); the standard sigmoid's first map moves
        // 2 (1 + seed/10) times as much as its last (against the claim)
        double[] lnRatio = {0.5, -0.5, 0.1};
        write("null", (s, map) -> 1.0, (s, map) -> exploding(s) && map == 0 ? Math.exp(lnRatio[(int) s.seed()]) : 1.0,
                (s, map) -> vanishing(s) && map == 0 ? 0.02 * (1 + 0.1 * s.seed()) : 0.01, true);
        // no weight-change table and no exploding variant
        SyntheticStudy.of(CONF.replace("{ activation = sigmoid, init { kind = gaussian, sigma2 = 10000.0 } }", "")).perRun("layer_gradients",
                LayerGradientsAt.class, s -> gradients(s, (x, m) -> 1.0, (x, m) -> 1.0)).write(spark, dir.resolve("missing"));
    }

    static void write(String name, BiFunction<RunSpec, Integer, Double> delta, BiFunction<RunSpec, Integer, Double> weightGradient,
            BiFunction<RunSpec, Integer, Double> change, boolean withChanges) {
        SyntheticStudy study = SyntheticStudy.of(CONF).perRun("layer_gradients", LayerGradientsAt.class, s -> gradients(s, delta, weightGradient));
        if (withChanges) {
            study = study.perRun("layer_weight_change", LayerWeightChangeAt.class, s -> {
                List<LayerWeightChangeAt> rows = new ArrayList<>();
                for (int map = 0; map <= s.depth(); map++) {
                    double c = change.apply(s, map);
                    rows.add(new LayerWeightChangeAt(s.runId(), 0, map, 2.0, 2.0, 0, 0));
                    rows.add(new LayerWeightChangeAt(s.runId(), 10, map, 2.0, 2.0, 0.02 * (s.depth() + 1 - map), 0.01 * (s.depth() + 1 - map)));
                    rows.add(new LayerWeightChangeAt(s.runId(), 20, map, 2.0, 2.0 + 2 * c, 2 * c, c));
                }
                return rows;
            });
        }
        study.write(spark, dir.resolve(name));
    }

    /** layer_gradients at step 0 (the claims read it) and step 20 (they must not). */
    static List<LayerGradientsAt> gradients(RunSpec s, BiFunction<RunSpec, Integer, Double> delta, BiFunction<RunSpec, Integer, Double> weight) {
        List<LayerGradientsAt> rows = new ArrayList<>();
        for (int map = 0; map <= s.depth(); map++) {
            double d = delta.apply(s, map) * (1 + 0.1 * s.seed());
            rows.add(new LayerGradientsAt(s.runId(), 0, 32, map, weight.apply(s, map), 1, d / Math.sqrt(32), d));
            rows.add(new LayerGradientsAt(s.runId(), 20, 32, map, 1e-9 * (map + 1), 1, 1, 1));
        }
        return rows;
    }

    static StudyTables open(String name) {
        return StudyTables.open(spark, dir.resolve(name).toString());
    }

    @Test
    void explodingGradientsAndASlowFirstLayerAreSupportedAndTheVanishingArmKeepsItsOwnRuns() {
        StudyTables t = open("clear");
        Claim exploding = VANISHING.explodingFirstGradientAboveLast(t);
        assertEquals(Verdict.SUPPORTED, exploding.verdict(), exploding.sentence());
        double[] byHand = new double[3];
        for (int seed = 0; seed < 3; seed++) {
            byHand[seed] = 4 * Math.log(3) + Math.log(1 + 0.1 * seed);
        }
        assertEquals(Effect.mean(byHand).estimate(), exploding.effect().estimate(), 1e-12);
        assertEquals(Effect.mean(byHand).low(), exploding.effect().low(), 1e-12);
        assertEquals(3, exploding.seeds());
        assertTrue(exploding.quantity().contains("depth 4") && exploding.notes().contains("10000"), exploding.quantity() + exploding.notes());
        Claim slow = VANISHING.firstLayerLearnsSlowerThanLast(t);
        assertEquals(Verdict.SUPPORTED, slow.verdict(), slow.sentence());
        for (int seed = 0; seed < 3; seed++) {
            byHand[seed] = 4 * Math.log(2) + Math.log(1 + 0.1 * seed);
        }
        assertEquals(Effect.mean(byHand).estimate(), slow.effect().estimate(), 1e-12, "read at step 20, the last diagnostics step");
        assertEquals(Effect.mean(byHand).high(), slow.effect().high(), 1e-12);
        assertTrue(slow.notes().contains("step 20"), slow.notes());
        // (a) and (b) read the standard sigmoid only: pooled with the exploding runs the slope would be 0 and the ratio 1
        Claim shrink = VANISHING.sigmoidShrinksTowardsInput(t);
        assertEquals(Math.log(4), shrink.effect().estimate(), 1e-12);
        assertEquals(3, shrink.runs());
        Claim ratio = VANISHING.sigmoidRatioBelowRelu(t);
        assertEquals(4 * Math.log(4), ratio.effect().estimate(), 1e-12);
        assertEquals(6, ratio.runs());
        Report r = Report.of(t);
        assertEquals(4, r.findings().size());
        r.sentences().forEach(s -> assertTrue(s.startsWith("Supported: "), s));
    }

    @Test
    void noExplosionIsNotShownAndAFasterFirstLayerIsContradicted() {
        StudyTables t = open("null");
        Claim exploding = VANISHING.explodingFirstGradientAboveLast(t);
        assertEquals(Verdict.NOT_SHOWN, exploding.verdict(), exploding.sentence());
        assertEquals(Effect.mean(new double[] {0.5, -0.5, 0.1}).estimate(), exploding.effect().estimate(), 1e-12);
        assertEquals(Effect.mean(new double[] {0.5, -0.5, 0.1}).low(), exploding.effect().low(), 1e-12);
        Claim slow = VANISHING.firstLayerLearnsSlowerThanLast(t);
        assertEquals(Verdict.CONTRADICTED, slow.verdict(), slow.sentence());
        double[] byHand = new double[3];
        for (int seed = 0; seed < 3; seed++) {
            byHand[seed] = -Math.log(2 * (1 + 0.1 * seed));
        }
        assertEquals(Effect.mean(byHand).estimate(), slow.effect().estimate(), 1e-12);
    }

    @Test
    void withoutTheVariantOrTheTableTheClaimsAreInconclusive() {
        StudyTables t = open("missing");
        Claim exploding = VANISHING.explodingFirstGradientAboveLast(t);
        assertEquals(Verdict.INCONCLUSIVE, exploding.verdict(), exploding.sentence());
        assertTrue(exploding.effect().missing().contains("exploding variant"), exploding.effect().missing());
        Claim slow = VANISHING.firstLayerLearnsSlowerThanLast(t);
        assertEquals(Verdict.INCONCLUSIVE, slow.verdict(), slow.sentence());
        assertTrue(slow.effect().missing().contains("layer_weight_change"), slow.effect().missing());
        assertEquals(4, Report.of(t).findings().size(), "the figures draw without them");
    }
}
