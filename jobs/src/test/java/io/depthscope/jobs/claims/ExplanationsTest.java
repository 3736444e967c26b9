package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.diag.GradientConfusionAt;
import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.NtkAt;
import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.study.RunSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The cross-explanation table on synthetic runs whose diagnostics predict their difficulty, or not, by construction. */
@Tag("spark") // Spark SQL over tables written in the test: the full suite, not the fast path
@ExtendWith(SharedSpark.class)
class ExplanationsTest {
    static final String GRID = "arch = [mlp, resmlp], depth = [1, 2, 4, 8], seed = [0, 1, 2]";
    static SparkSession spark;
    @TempDir
    static Path dir;

    /** Plain networks get harder with depth, residual ones do not; the seed shifts every loss a little. */
    static double loss(RunSpec s) {
        return (s.arch().equals("mlp") ? 0.1 * s.depth() : 0.1) * (1 + 0.01 * s.seed()) + 0.001 * s.depth();
    }

    @BeforeAll
    static void start(SparkSession shared) {
        spark = shared;
        write("a", 0);
        write("b", 1);
    }

    /**
     * The gradient imbalance tracks the loss (the explanation holds); the NTK's scale-free lambda_min rises with the loss (against its
     * explanation, which says lower is harder); the confusion is the same for every run of a seed but one (no variation to rank).
     */
    static void write(String name, int offset) {
        // a Hessian at the last step only (the quickstart claims read it): not at initialisation, so no explanation of its own
        SyntheticStudy.of("quickstart", "", GRID).finalLoss(ExplanationsTest::loss).kurtosis(s -> 5.0).perRun("layer_gradients", LayerGradientsAt.class, s -> {
            List<LayerGradientsAt> rows = new ArrayList<>();
            // delta of map 0 over the last map's = exp(10 loss): |ln ratio| = 10 loss
            for (int map = 0; map <= s.depth(); map++) {
                double delta = map == 0 ? Math.exp(10 * loss(s)) : 1.0;
                rows.add(new LayerGradientsAt(s.runId(), 0, 32, map, 1, 1, delta, delta));
                rows.add(new LayerGradientsAt(s.runId(), 20, 32, map, 1, 1, 1, 1)); // after training: not read
            }
            return rows;
        }).perRun("ntk", NtkAt.class, s -> List.of(new NtkAt(s.runId(), 0, 32, 1, loss(s), 10, 10, 32, 1, 0, 0, 1)))
                .perRun("gradient_confusion", GradientConfusionAt.class, s -> {
                    double c = s.depth() == 8 && s.arch().equals("mlp") ? -0.5 + offset : -0.1;
                    return List.of(new GradientConfusionAt(s.runId(), 0, "per_example", 1, 64, c, 0.1, c, 0.1, 1, 0.2));
                }).write(spark, dir.resolve(name));
    }

    static StudyTables open(String name) {
        return StudyTables.open(spark, dir.resolve(name).toString());
    }

    static Claim find(List<Claim> claims, String explanation) {
        return claims.stream().filter(c -> c.statement().startsWith(explanation)).findFirst().orElseThrow();
    }

    @Test
    void aDiagnosticThatRanksTheRunsByDifficultyIsSupportedAndOneThatRanksThemBackwardsContradicted() {
        List<Claim> claims = Explanations.of(open("a")).claims();
        // only the four diagnostics the study measured; the gradient size is the same in every run, so nothing ranks by it
        assertEquals(4, claims.size(), claims.toString());
        assertEquals(Verdict.INCONCLUSIVE, find(claims, "small gradients").verdict());
        Claim gradients = find(claims, "vanishing or exploding gradients");
        assertEquals(1.0, gradients.effect().estimate(), 1e-12, gradients.sentence());
        assertEquals(Verdict.SUPPORTED, gradients.verdict(), gradients.sentence());
        Claim kernel = find(claims, "an ill-conditioned tangent kernel");
        assertEquals(-1.0, kernel.effect().estimate(), 1e-12, kernel.sentence());
        assertEquals(Verdict.CONTRADICTED, kernel.verdict(), kernel.sentence());
        assertEquals(3, kernel.seeds());
        // 8 runs a seed, less resmlp at depth 1, which is mlp at depth 1
        assertEquals(21, kernel.runs());
        assertEquals(3, gradients.family());
    }

    @Test
    void theCorrelationIsSpearmansWithinEachSeedWithTiesAveraged() {
        // one seed of study a, by hand: confusion -0.1 for every run but mlp depth 8 (-0.5, the hardest run): ranks of x are 1 for that
        // run and the average of 2..7 for the six others; y ranks 1..7 with that run last
        List<double[]> pts = new ArrayList<>();
        for (double[] p : new double[][] {{-0.1, 1}, {-0.1, 2}, {-0.1, 3}, {-0.1, 4}, {-0.1, 5}, {-0.1, 6}, {-0.5, 7}}) {
            pts.add(p);
        }
        double[] rx = {4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 1};
        double[] ry = {1, 2, 3, 4, 5, 6, 7};
        assertEquals(pearson(rx, ry), Explanations.spearman(pts), 1e-12);
        Claim confusion = find(Explanations.of(open("a")).claims(), "gradient confusion");
        // expected sign -1: lower cosine, harder; the hardest run has the lowest cosine in every seed
        assertEquals(-pearson(rx, ry), confusion.effect().estimate(), 1e-12, confusion.sentence());
        // a diverged run ranks above every finite loss: x ranks 3, 1, 2 against y ranks 1, 2, 3, so rho = 1 - 6 (4 + 1 + 1) / 24
        List<double[]> diverged = List.of(new double[] {3, 0.5}, new double[] {1, 2}, new double[] {2, Double.POSITIVE_INFINITY});
        assertEquals(-0.5, Explanations.spearman(diverged), 1e-12);
    }

    static double pearson(double[] x, double[] y) {
        return new org.apache.commons.math3.stat.correlation.PearsonsCorrelation().correlation(x, y);
    }

    @Test
    void pooledOverStudiesEachStudysSeedIsAUnit() {
        List<Claim> pooled = Explanations.of(List.of(open("a"), open("b"))).claims();
        Claim gradients = find(pooled, "vanishing or exploding gradients");
        assertEquals(6, gradients.seeds());
        assertEquals(42, gradients.runs());
        assertTrue(gradients.effect().method().contains("study seeds"), gradients.effect().method());
        // in study b the confusion of the hardest run is the highest: its seeds' correlations have the other sign, and the mean is 0
        Claim confusion = find(pooled, "gradient confusion");
        assertEquals(0, confusion.effect().estimate(), 1e-12, confusion.sentence());
        assertEquals(Verdict.NOT_SHOWN, confusion.verdict());
    }

    @Test
    void theResidualTwinOfAPlainDepthOneRunIsDroppedAndNoOtherRun() {
        List<org.apache.spark.sql.Row> runs = open("a").runRows();
        List<org.apache.spark.sql.Row> distinct = Explanations.distinctNetworks(runs);
        assertEquals(runs.size() - 3, distinct.size());
        assertTrue(distinct.stream().noneMatch(r -> "resmlp".equals(r.getAs("arch")) && r.<Integer>getAs("depth") == 1));
    }

    @Test
    void theReportCarriesTheTableAndItsFigure() {
        Report r = Report.of(open("a"));
        assertEquals(4, r.explanations().entries().size());
        assertTrue(r.text().contains("Which explanation predicts training difficulty"), r.text());
        assertTrue(r.text().contains("an ill-conditioned tangent kernel"), r.text());
        String html = ReportHtml.render(r);
        assertTrue(html.contains("<h2>Which explanation predicts training difficulty</h2>"), html);
        assertTrue(html.contains("class=\"v CONTRADICTED\">Contradicted"), "the kernel row");
        assertEquals(760, r.explanationsFigure().image().getWidth());
    }
}
