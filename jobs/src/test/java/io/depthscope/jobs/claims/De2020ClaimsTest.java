package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.diag.GradientConfusionAt;
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
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The de2020 claims on synthetic confusion tables whose answers are known by construction. */
@Tag("spark") // Spark SQL over tables written in the test: the full suite, not the fast path
@ExtendWith(SharedSpark.class)
class De2020ClaimsTest {
    static SparkSession spark;
    @TempDir
    static Path dir;
    static final De2020Claims DE = new De2020Claims();
    static final String CONF = """
            name = de2020
            run { steps = 20, eval_every = 10 }
            variants = [ { activation = tanh }, { activation = linear, bias = false, init { kind = orthogonal } },
                         { activation = linear, bias = false, init { kind = gaussian } } ]
            grid { depth = [2, 4, 8], width = [16, 64], seed = [0, 1, 2] }
            """;

    /** Seed noise that averages to 0 over seeds 0, 1, 2 at every depth. */
    static double noise(RunSpec s) {
        return 0.001 * (s.seed() - 1) * (1 + (s.depth() % 3));
    }

    static double log2(RunSpec s) {
        return Math.log(s.depth()) / Math.log(2);
    }

    static boolean orthogonal(RunSpec s) {
        return s.init().kind().equals("orthogonal");
    }

    @BeforeAll
    static void start(SparkSession shared) {
        spark = shared;
        // tanh: min cosine -0.05 depth at width 16, -0.01 depth at width 64; orthogonal linear: per-seed slopes on log2(depth)
        // -0.002, 0, 0.002 (within the margin); Gaussian linear: -0.03 per doubling
        write(s -> (s.activation().equals("tanh") ? (s.width() == 16 ? -0.05 : -0.01) * s.depth()
                : orthogonal(s) ? -0.1 + 0.002 * (s.seed() - 1) * log2(s) : -0.03 * log2(s)) + noise(s), dir.resolve("clear"));
        // tanh and Gaussian linear flat: no depth trend, no width effect; orthogonal linear falling by 0.05 per doubling: beyond the margin
        write(s -> -0.1 + noise(s) + (s.activation().equals("linear") && orthogonal(s) ? (-0.05 + 0.002 * (s.seed() - 1)) * log2(s) : 0),
                dir.resolve("null"));
    }

    /** runs (final loss 0.5) and gradient_confusion at steps 0 and 20, per-example min cosine as chosen, minibatch rows beside. */
    static void write(ToDoubleFunction<RunSpec> minCosine, Path out) {
        SyntheticStudy.of(CONF).finalLoss(s -> 0.5).perRun("gradient_confusion", GradientConfusionAt.class, s -> {
            double c = minCosine.applyAsDouble(s);
            List<GradientConfusionAt> rows = new ArrayList<>();
            for (int step : new int[] {0, 20}) {
                rows.add(new GradientConfusionAt(s.runId(), step, "per_example", 1, 64, c, 0.1, c, 0.1, 1, 0.2));
                rows.add(new GradientConfusionAt(s.runId(), step, "minibatch", 16, 8, 5, 5, 0.5, 0.5, 1, 0));
            }
            return rows;
        }).write(spark, out);
    }

    static StudyTables open(String name) {
        return StudyTables.open(spark, dir.resolve(name).toString());
    }

    @Test
    void depthAndWidthEffectsBuiltInAreSupportedWithTheirExactSizes() {
        StudyTables t = open("clear");
        Claim depth = DE.fallsWithDepth(t, true);
        assertEquals(Verdict.SUPPORTED, depth.verdict(), depth.sentence());
        // the noise's per-seed slopes average out, so the mean slope is exactly the built-in -0.05
        assertEquals(0.05, depth.effect().estimate(), 1e-12);
        assertEquals(9, depth.runs());
        assertEquals(3, depth.seeds());
        assertEquals(2, depth.effect().df());
        assertEquals(Verdict.SUPPORTED, DE.fallsWithDepth(t, false).verdict());
        Claim width = DE.widerIsLessConfused(t);
        assertEquals(Verdict.SUPPORTED, width.verdict(), width.sentence());
        assertEquals((-0.01 + 0.05) * 8, width.effect().estimate(), 1e-12);
        Claim control = DE.gaussianLinearFallsWithDepth(t);
        assertEquals(Verdict.SUPPORTED, control.verdict(), control.sentence());
        assertEquals(0.03, control.effect().estimate(), 1e-12);
        assertEquals("de2020", Report.of(t).claimSet());
    }

    @Test
    void orthogonalLinearConfusionFlatWithinTheMarginIsEquivalentAndFallingIsContradicted() {
        Claim flat = DE.orthogonalLinearIndependentOfDepth(open("clear"));
        // per-seed slopes on log2(depth): -0.002, 0, 0.002 (the noise has slope 0 on log2 of depths 2, 4, 8)
        Effect byHand = Effect.mean(new double[] {-0.002, 0, 0.002});
        assertEquals(Verdict.EQUIVALENT, flat.verdict(), flat.sentence());
        assertEquals(0, flat.effect().estimate(), 1e-12);
        assertEquals(byHand.high(), flat.effect().high(), 1e-12);
        assertEquals(De2020Claims.DEPTH_MARGIN, flat.hypothesis().margin());
        Claim falling = DE.orthogonalLinearIndependentOfDepth(open("null"));
        assertEquals(Verdict.CONTRADICTED, falling.verdict(), falling.sentence());
        assertEquals(-0.05, falling.effect().estimate(), 1e-12);
    }

    @Test
    void flatConfusionShowsNothing() {
        StudyTables t = open("null");
        for (Claim c : List.of(DE.fallsWithDepth(t, true), DE.widerIsLessConfused(t), DE.gaussianLinearFallsWithDepth(t))) {
            assertEquals(Verdict.NOT_SHOWN, c.verdict(), c.sentence());
            assertEquals(0, c.effect().estimate(), 1e-12);
        }
    }
}
