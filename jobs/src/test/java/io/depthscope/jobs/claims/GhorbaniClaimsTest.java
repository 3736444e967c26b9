package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.diag.ResidualComparisonAt;
import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.jobs.tables.RecordTable;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Ghorbani et al. 2019 claims on synthetic tables whose answers are known by construction, and the density interpolation. */
@Tag("spark") // Spark SQL over tables written in the test: the full suite, not the fast path
@ExtendWith(SharedSpark.class)
class GhorbaniClaimsTest {
    static final String GRID = "arch = [mlp, resmlp], depth = [2, 4, 8], seed = [0, 1, 2]";
    static SparkSession spark;
    @TempDir
    static Path dir;
    static final GhorbaniClaims CLAIMS = new GhorbaniClaims();

    @BeforeAll
    static void start(SparkSession shared) {
        spark = shared;
        // plain kurtosis = 10 P depth^(1 + seed/10): per-seed slopes of ln(kurtosis / P) on ln(depth) 1, 1.1, 1.2; residual 5 + seed;
        // the fraction of layers lower in the residual run close to 1/2: equivalent
        write("clear", s -> s.arch().equals("mlp") ? 10.0 * s.paramCount() * Math.pow(s.depth(), 1 + 0.1 * s.seed()) : 5 + s.seed(),
                (depth, seed) -> 0.5 + 0.01 * (seed - 1) + 0.001 * depth);
        // both arms equal and kurtosis / P with per-seed slopes 0.1, -0.1, 0: effects exactly 0; fractions 0.2, 0.8, 0.5: no
        // equivalence shown
        write("null", s -> s.paramCount() * Math.pow(s.depth(), new double[] {0.1, -0.1, 0}[(int) s.seed()]),
                (depth, seed) -> new double[] {0.2, 0.8, 0.5}[(int) seed]);
        // the paper's own pair, simple against resnet 6n+2 with BatchNorm; residual gradients larger in nearly every layer
        write("conv", CONV_RUN, "arch = [simple, resnet], depth = [8, 14, 20], seed = [0, 1, 2]", "simple", "resnet",
                s -> s.arch().equals("simple") ? 10.0 * s.paramCount() * Math.pow(s.depth(), 1 + 0.1 * s.seed()) : 5 + s.seed(),
                (depth, seed) -> 0.1 + 0.01 * seed);
        write("mixed", "activation = relu, dataset { kind = fashion_mnist, layout = image }", "arch = [mlp, resnet], depth = [8, 14], seed = [0, 1]", "mlp", "resnet", s -> 5.0, (depth, seed) -> 0.5);
    }

    static final String CONV_RUN = "activation = relu, batch_norm = true, optimizer { kind = momentum, lr = 0.05, batch_size = 32 }, "
            + "dataset { kind = fashion_mnist, layout = image }";

    @Test
    void theConvolutionalPairIsJudgedAsThePlainAndResidualNetworksAre() {
        StudyTables t = open("conv");
        assertEquals(new GhorbaniClaims.Archs("simple", "resnet"), GhorbaniClaims.Archs.of(t));
        Claim growth = CLAIMS.kurtosisGrowsWithDepth(t);
        assertEquals(Verdict.SUPPORTED, growth.verdict(), growth.sentence());
        assertEquals(1.1, growth.effect().estimate(), 1e-12);
        assertEquals(9, growth.runs());
        assertEquals(20, CLAIMS.deepestPairedDepth(t));
        Claim lower = CLAIMS.residualLowerKurtosis(t);
        assertEquals(Verdict.SUPPORTED, lower.verdict(), lower.sentence());
        assertTrue(lower.effect().estimate() > 5, lower.sentence());
        Claim layers = CLAIMS.someLayersLowerInResidual(t);
        assertEquals(0.11 - 0.5, layers.effect().estimate(), 1e-12, layers.sentence());
        assertEquals(Verdict.CONTRADICTED, layers.verdict(), layers.sentence());
        assertTrue(layers.sentence().contains("beyond the margin"), layers.sentence());
    }

    @Test
    void archsOfTwoFamiliesAreRefusedWithOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CLAIMS.findings(open("mixed")));
        assertTrue(e.getMessage().startsWith("arch: values [mlp, resnet]"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    interface Fraction {
        double of(int depth, long seed);
    }

    /**
     * runs, train_curve, hessian_moments (the kurtosis), hessian_spectrum (non-null kurtosis and lambda_max / bulk edge both the
     * kurtosis / P: a study whose raw kurtosis carries P's growth) and the residual comparison of each plain run with its residual
     * twin.
     */
    static void write(String name, ToDoubleFunction<RunSpec> kurtosis, Fraction fraction) {
        write(name, "", GRID, "mlp", "resmlp", kurtosis, fraction);
    }

    static void write(String name, String run, String grid, String plainArch, String residualArch, ToDoubleFunction<RunSpec> kurtosis,
            Fraction fraction) {
        SyntheticStudy.of("ghorbani2019", run, grid).kurtosis(kurtosis)
                .spectrum(s -> kurtosis.applyAsDouble(s) / s.paramCount(), s -> kurtosis.applyAsDouble(s) / s.paramCount()).table(Tables.RESIDUAL_COMPARISON, ResidualComparisonAt.class, plan -> {
            List<ResidualComparisonAt> rows = new ArrayList<>();
            for (RunSpec p : plan) {
                for (RunSpec r : plan) {
                    if (p.arch().equals(plainArch) && r.arch().equals(residualArch) && p.depth() == r.depth() && p.seed() == r.seed()) {
                        // initialisation, which claim (d) must not read: the paper compares gradients after training
                        rows.add(new ResidualComparisonAt(p.runId(), r.runId(), 0, p.depth() + 1, 1.0, 0.5));
                        rows.add(new ResidualComparisonAt(p.runId(), r.runId(), 20, p.depth() + 1, fraction.of(p.depth(), p.seed()), 0.5));
                    }
                }
            }
            return rows;
        }).write(spark, dir.resolve(name));
    }

    static StudyTables open(String name) {
        return StudyTables.open(spark, dir.resolve(name).toString());
    }

    @Test
    void kurtosisGrowingAsAPowerOfDepthAndLowerInResidualNetsIsSupported() {
        StudyTables t = open("clear");
        Claim growth = CLAIMS.kurtosisGrowsWithDepth(t);
        assertEquals(Verdict.SUPPORTED, growth.verdict(), growth.sentence());
        assertEquals(1.1, growth.effect().estimate(), 1e-12);
        assertEquals(Effect.mean(new double[] {1.0, 1.1, 1.2}).low(), growth.effect().low(), 1e-12);
        assertEquals(9, growth.runs());
        assertTrue(growth.quantity().contains("nonnull_kurtosis") && growth.quantity().contains("ln(depth)"), growth.quantity());
        Claim outliers = CLAIMS.outliersGrowWithDepth(t);
        assertEquals(Verdict.SUPPORTED, outliers.verdict(), outliers.sentence());
        assertEquals(1.1, outliers.effect().estimate(), 1e-12);
        assertEquals(8, CLAIMS.deepestPairedDepth(t));
        Claim lower = CLAIMS.residualLowerKurtosis(t);
        assertEquals(Verdict.SUPPORTED, lower.verdict(), lower.sentence());
        // paired by seed: ln(plain kurtosis) - ln(residual kurtosis) per seed, then the t interval across seeds
        double[] d = new double[3];
        for (int seed = 0; seed < 3; seed++) {
            long p = t.okRunRows().stream().filter(r -> "mlp".equals(r.getAs("arch")) && r.<Integer>getAs("depth") == 8)
                    .mapToLong(r -> r.<Long>getAs("param_count")).findFirst().orElseThrow();
            d[seed] = Math.log(10.0 * p * Math.pow(8, 1 + 0.1 * seed)) - Math.log(5 + seed);
        }
        Effect byHand = Effect.mean(d);
        assertEquals(byHand.estimate(), lower.effect().estimate(), 1e-12);
        assertEquals(byHand.low(), lower.effect().low(), 1e-12);
        assertEquals(byHand.high(), lower.effect().high(), 1e-12);
        assertEquals(6, lower.runs());
        assertEquals(3, lower.seeds());
        assertTrue(lower.quantity().contains("depth 8"), lower.quantity());
        // SyntheticStudy writes skewness 0 everywhere: no difference, not shown
        Claim skew = CLAIMS.residualLowerSkewness(t);
        assertEquals(Verdict.NOT_SHOWN, skew.verdict(), skew.sentence());
        assertEquals(0, skew.effect().estimate(), 0);
    }

    @Test
    void aboutHalfTheLayersLowerAfterTrainingIsEquivalentPerSeed() {
        Claim d = CLAIMS.someLayersLowerInResidual(open("clear"));
        double[] perSeed = new double[3];
        for (int seed = 0; seed < 3; seed++) {
            for (int depth : new int[] {2, 4, 8}) {
                perSeed[seed] += (0.5 + 0.01 * (seed - 1) + 0.001 * depth - 0.5) / 3;
            }
        }
        Effect byHand = Effect.mean(perSeed);
        assertEquals(Verdict.EQUIVALENT, d.verdict(), d.sentence());
        assertEquals(byHand.estimate(), d.effect().estimate(), 1e-12);
        assertEquals(byHand.low(), d.effect().low(), 1e-12);
        assertEquals(byHand.high(), d.effect().high(), 1e-12);
        assertEquals(3, d.seeds());
        assertEquals(18, d.runs());
        assertEquals(GhorbaniClaims.FRACTION_MARGIN, d.hypothesis().margin());
        assertTrue(d.notes().contains("49.4%") && d.notes().contains("step 20"), d.notes());
    }

    @Test
    void equalArmsFlatKurtosisAndScatteredFractionsShowNothing() {
        StudyTables t = open("null");
        Claim growth = CLAIMS.kurtosisGrowsWithDepth(t);
        assertEquals(Verdict.NOT_SHOWN, growth.verdict(), growth.sentence());
        assertEquals(0, growth.effect().estimate(), 1e-12);
        assertEquals(0, CLAIMS.outliersGrowWithDepth(t).effect().estimate(), 1e-12);
        Claim lower = CLAIMS.residualLowerKurtosis(t);
        assertEquals(Verdict.NOT_SHOWN, lower.verdict(), lower.sentence());
        assertEquals(0, lower.effect().estimate(), 1e-12);
        Claim d = CLAIMS.someLayersLowerInResidual(t);
        assertEquals(Verdict.NOT_SHOWN, d.verdict(), d.sentence());
        assertEquals(0, d.effect().estimate(), 1e-12);
        assertTrue(d.sentence().contains("no equivalence is shown"), d.sentence());
    }

    @Test
    void theStudyNameSelectsThisClaimSet() {
        assertEquals("ghorbani2019", ClaimSets.forStudy("ghorbani2019").name());
        assertEquals("ghorbani2019", ClaimSets.forStudy("ghorbani2019-quick").name());
    }

    @Test
    void aGaussianDensityInterpolatedOnAnotherGridKeepsItsValuesAndItsMass() {
        double[] x = Densities.grid(-5, 5, 1001);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.exp(-x[i] * x[i] / 2) / Math.sqrt(2 * Math.PI);
        }
        double[] at = Densities.grid(-6, 6, 241);
        double[] on = Densities.interpolate(x, y, at);
        for (int k = 0; k < at.length; k++) {
            double expected = Math.abs(at[k]) > 5 ? 0 : Math.exp(-at[k] * at[k] / 2) / Math.sqrt(2 * Math.PI);
            assertEquals(expected, on[k], 1e-4, "at " + at[k]);
        }
        assertEquals(1.0, Densities.integral(at, on), 1e-5);
        // at a grid point the value is exact
        assertEquals(y[500], Densities.interpolate(x, y, new double[] {0.0})[0], 0);
    }

    @Test
    void theMeanOnTheCommonGridAveragesEachDensityWithZeroOutsideItsSupport() {
        // uniform densities on [0, 1] and [0, 2]
        Series s = Densities.meanOnGrid("u", List.of(new double[] {0, 1}, new double[] {0, 2}), List.of(new double[] {1, 1},
                new double[] {0.5, 0.5}), new double[] {0.5, 1.5, 3});
        assertArrayEquals(new double[] {0.75, 0.25, 0}, s.means(), 1e-15);
        Interval expected = Interval.of(0, 0.5);
        assertEquals(expected.low(), s.points().get(1).y().low(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Densities.interpolate(new double[] {0, 0}, new double[] {1, 1}, new double[] {0}));
    }
}
