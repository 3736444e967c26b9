package io.depthscope.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        SyntheticStudy.write(spark, "quickstart", "arch = [mlp, resmlp], depth = [1, 2], seed = [0, 1, 2]",
                s -> s.arch().equals("resmlp") && s.depth() == 2 ? 0.01 * (1 + s.seed()) : 0.4 + 0.01 * s.seed(),
                s -> 10.0 * s.depth() + s.seed(), dir.resolve("quickstart"));
        SyntheticStudy.write(spark, "other", "seed = [0, 1]", s -> 0.4, s -> 10.0, dir.resolve("other"));
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
        assertEquals(2, html.split("<img ", -1).length - 1);
        assertEquals(2, html.split("src=\"data:image/png;base64,", -1).length - 1);
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
}
