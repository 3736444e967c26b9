package io.depthscope.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyCommandTest {
    @TempDir
    Path dir;

    private static String run(String... args) {
        return Captured.run(args).codeAndErr();
    }

    @Test
    void aConfigFieldOfTheWrongTypeExitsWithTwoAndWritesNothing() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "name = bad\nrun { width = \"abc\" }\n");
        Path out = dir.resolve("out");
        String result = run("study", conf.toString(), "--out", out.toString(), "--master", "local[1]");
        assertTrue(result.startsWith("2:"), result);
        assertTrue(result.contains("run.width") && result.contains("abc") && result.contains("integer"), result);
        assertFalse(Files.exists(out), "no output is written for a bad config");
    }

    /** The npz of a missing file: valid as a config, so only the data check can catch it before every run fails. */
    private Path missingData() throws Exception {
        Path conf = dir.resolve("missing-data.conf");
        Files.writeString(conf, "name = missing\nrun { steps = 2, width = 4, dataset { kind = npz, path = \"" + dir.resolve("gone.npz")
                + "\" } }\n");
        return conf;
    }

    @Test
    void aMissingDatasetPathIsABadInputForPlanAndForStudyBeforeSparkStarts() throws Exception {
        Path out = dir.resolve("out");
        for (String command : new String[] {"plan", "study"}) {
            String result = command.equals("plan") ? run("plan", missingData().toString())
                    : run("study", missingData().toString(), "--out", out.toString(), "--master", "local[1]");
            assertTrue(result.startsWith("2:error: run.dataset.path: value '" + dir.resolve("gone.npz") + "'"), result);
            assertTrue(result.contains("allowed: a readable .npz file"), result);
            assertEquals(1, result.strip().lines().count(), "one line: " + result);
        }
        assertFalse(Files.exists(out), "study stopped before writing anything");
    }

    @Test
    void aDataUriIsNamedAsNotReadByTheReaders() throws Exception {
        Path conf = dir.resolve("fashion.conf");
        Files.writeString(conf, "name = f\nrun { dataset { kind = fashion_mnist, path = \"hdfs://namenode/fashion\" } }\n");
        String result = run("plan", conf.toString());
        assertTrue(result.startsWith("2:error: run.dataset.path: value 'hdfs://namenode/fashion' is not allowed; allowed: a local path"),
                result);
        assertTrue(result.contains("a URI such as hdfs:// or file:// is not read"), result);
    }

    /** Four IDX files of 2 images of 4x6 pixels in dir/small: a Fashion-MNIST directory of another image size. */
    private Path smallImages() throws Exception {
        Path small = Files.createDirectories(dir.resolve("small"));
        for (String split : new String[] {"train", "t10k"}) {
            java.io.ByteArrayOutputStream images = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream out = new java.io.DataOutputStream(images);
            for (int v : new int[] {0x803, 2, 4, 6}) {
                out.writeInt(v);
            }
            out.write(new byte[2 * 4 * 6]);
            Files.write(small.resolve(split + "-images-idx3-ubyte"), images.toByteArray());
            Files.write(small.resolve(split + "-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 3, 4});
        }
        return small;
    }

    /** Whether a downsample divides Fashion-MNIST's images is known from the files' header: checked before Spark starts. */
    @Test
    void aDownsampleThatDoesNotDivideTheImagesIsABadInputForPlanAndForStudy() throws Exception {
        Path small = smallImages();
        Path conf = dir.resolve("downsample.conf");
        String base = "name = d\nrun { steps = 2, width = 4, dataset { kind = fashion_mnist, layout = image, path = \"" + small + "\"";
        Files.writeString(conf, base + ", downsample = 4 } }\n");
        Path out = dir.resolve("out");
        for (String command : new String[] {"plan", "study"}) {
            String result = command.equals("plan") ? run("plan", conf.toString())
                    : run("study", conf.toString(), "--out", out.toString(), "--master", "local[1]");
            assertEquals("2:error: run.dataset.downsample: value 4 does not divide the 4x6 images in " + small + "; allowed: 1, 2"
                    + " (a divisor of both)", result.strip());
        }
        assertFalse(Files.exists(out), "study stopped before writing anything");
        Files.writeString(conf, base + ", downsample = 2 } }\n");
        assertTrue(run("plan", conf.toString()).startsWith("0:"), "2 divides 4x6");
    }

    /** Every run failing is no result: exit 1 and one line, the tables left as the record of the failures. */
    @Test
    void aStudyWhoseRunsAllFailedExitsWithOne() throws Exception {
        Path conf = dir.resolve("one.conf");
        Files.writeString(conf, "name = allfail\nrun { steps = 2, width = 4, dataset { n_train = 8, n_test = 8, input_dim = 3 } }\n");
        Path out = dir.resolve("out");
        String result = run("study", conf.toString(), "--out", out.toString(), "--master", "local[1]", "--fail-task-always", "0");
        assertTrue(result.startsWith("1:error: all 1 runs failed; the first error: "), result);
        assertTrue(result.contains("injected") || result.contains("fail"), result);
        assertTrue(result.contains("the tables under " + out + " record the failures"), result);
        assertEquals(1, result.strip().lines().count(), "one line, no stack trace: " + result);
        assertTrue(Files.exists(out.resolve("runs")), "the tables stay");
    }

    @Test
    void aMissingConfigFileIsABadInput() {
        String result = run("study", dir.resolve("nope.conf").toString());
        assertEquals('2', result.charAt(0), result);
        assertTrue(result.contains("nope.conf"), result);
    }
}
