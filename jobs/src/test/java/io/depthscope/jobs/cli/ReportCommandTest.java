package io.depthscope.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.jobs.claims.SyntheticStudy;
import io.depthscope.jobs.spark.SharedSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@Tag("spark") // Spark SQL over tables written in the test: the full suite, not the fast path
@ExtendWith(SharedSpark.class)
class ReportCommandTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void writeStudies(SparkSession spark) {
        // per-map deltas at initialisation, so the study has one explanation of its own: the gradient imbalance, |ln ratio| = 10 loss
        SyntheticStudy.of("quickstart", "", "arch = [mlp, resmlp], depth = [1, 2, 4], seed = [0, 1, 2]")
                .finalLoss(ReportCommandTest::loss)
                .kurtosis(s -> 10.0 * s.depth() + s.seed())
                .perRun("layer_gradients", LayerGradientsAt.class, s -> java.util.stream.IntStream.rangeClosed(0, s.depth())
                        .mapToObj(m -> new LayerGradientsAt(s.runId(), 0, 8, m, 1, 1, 1, m == 0 ? Math.exp(10 * loss(s)) : 1)).toList())
                .write(spark, dir.resolve("quickstart"));
        SyntheticStudy.write(spark, "other", "seed = [0, 1]", s -> 0.4, s -> 10.0, dir.resolve("other"));
        // SyntheticStudy writes no trends table, the one a study commits last: mark both finished, as 'explain' requires
        for (String study : new String[] {"quickstart", "other"}) {
            try {
                Files.createDirectories(dir.resolve(study + "/trends"));
                Files.createFile(dir.resolve(study + "/trends/_SUCCESS"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** The residual network at depth 4 is the easiest; the others get harder with depth. */
    static double loss(io.depthscope.study.RunSpec s) {
        return s.arch().equals("resmlp") && s.depth() == 4 ? 0.01 * (1 + s.seed()) : 0.4 + 0.01 * s.seed() + 0.1 * s.depth();
    }

    private static String run(String... args) {
        return Captured.run(args).codeAndErr();
    }

    @Test
    void writesOneSelfContainedPageWithEachClaimAndFigure() throws Exception {
        Path out = dir.resolve("r/report.html");
        String result = run("report", dir.resolve("quickstart").toString(), "--out", out.toString(), "--master", "local[1]");
        assertTrue(result.startsWith("0:"), result);
        String html = Files.readString(out);
        assertTrue(html.contains("<h1>Claims of study quickstart</h1>"), html);
        // each of the quickstart's four claims' figures and the cross-explanation figure
        assertEquals(5, html.split("<img ", -1).length - 1);
        assertEquals(5, html.split("src=\"data:image/png;base64,", -1).length - 1);
        assertTrue(html.contains("Supported: residual networks reach lower final training loss"), html);
        assertTrue(html.contains("spark_version: 4.1.0"), html);
        try (var files = Files.list(out.getParent())) {
            assertEquals(1, files.count(), "no temporary file is left beside the report");
        }
    }

    @Test
    void withoutOutTheReportGoesIntoTheStudyDir() {
        String result = run("report", dir.resolve("quickstart").toString(), "--master", "local[1]");
        assertTrue(result.startsWith("0:"), result);
        assertTrue(Files.isRegularFile(dir.resolve("quickstart/report.html")));
    }

    @Test
    void aRemoteStudyDirNeedsAnOut() {
        String result = run("report", "hdfs://namenode/depthscope/quickstart", "--master", "local[1]");
        assertTrue(result.startsWith("2:error: --out: required when STUDY_DIR 'hdfs://namenode/depthscope/quickstart' is not local"), result);
    }

    @Test
    void aMissingStudyDirIsABadInputAndWritesNothing() {
        Path out = dir.resolve("missing.html");
        String result = run("report", dir.resolve("nope").toString(), "--out", out.toString(), "--master", "local[1]");
        assertTrue(result.startsWith("2:error: study dir: '"), result);
        assertTrue(result.contains("nope' does not exist; allowed: a directory written by 'depthscope study'"), result);
        assertEquals(1, result.strip().split("\n").length, result);
        assertFalse(Files.exists(out));
    }

    @Test
    void aStudyWithoutClaimsIsABadInputNamingTheKnownOnes() {
        Path out = dir.resolve("other.html");
        String result = run("report", dir.resolve("other").toString(), "--out", out.toString(), "--master", "local[1]");
        assertTrue(result.startsWith("2:error: runs.study: 'other' has no claim set; allowed: quickstart"), result);
        assertFalse(Files.exists(out));
    }

    @Test
    void figuresGoToTheirDirectoryAsPngFilesAndAFileThereIsABadInput() throws Exception {
        Path figures = dir.resolve("figures");
        String result = run("report", dir.resolve("quickstart").toString(), "--out", dir.resolve("f.html").toString(), "--figures",
                figures.toString(), "--master", "local[1]");
        assertTrue(result.startsWith("0:"), result);
        for (String name : new String[] {"quickstart.png", "quickstart-explanations.png"}) {
            var image = javax.imageio.ImageIO.read(figures.resolve(name).toFile());
            assertTrue(image.getWidth() >= 760, name);
        }
        try (var files = Files.list(figures)) {
            assertEquals(2, files.count(), "no temporary file is left beside the figures");
        }
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String bad = run("report", dir.resolve("quickstart").toString(), "--out", dir.resolve("g.html").toString(), "--figures",
                file.toString(), "--master", "local[1]");
        assertTrue(bad.startsWith("2:error: --figures: '" + file + "' is a file; allowed: a directory"), bad);
        assertFalse(Files.exists(dir.resolve("g.html")), "nothing written");
    }

    @Test
    void explainPrintsEachStudysTableAndThePooledOneWithItsFigure() throws Exception {
        Path figure = dir.resolve("pooled.png");
        Captured c = Captured.run("explain", dir.toString(), "--figure", figure.toString(), "--master", "local[1]");
        assertEquals(0, c.code(), c.codeAndErr());
        assertTrue(c.out().contains("study other (") && c.out().contains("measures no diagnostic at initialisation"), c.out());
        assertTrue(c.out().contains("pooled over 2 studies (Holm over the 1 that can be computed):"), c.out());
        // the imbalance ranks every seed's five distinct networks as their losses do: exact p = 2 (2/120)^3 (one pair ties in both)
        assertTrue(c.out().contains("- Supported: vanishing or exploding gradients"), c.out());
        assertEquals(760, javax.imageio.ImageIO.read(figure.toFile()).getWidth());
        Path none = Files.createDirectories(dir.resolve("no-study"));
        String empty = run("explain", none.toString(), "--master", "local[1]");
        assertTrue(empty.startsWith("2:error: ROOT: '"), empty);
        assertEquals(1, empty.strip().split("\n").length, empty);
    }
}
