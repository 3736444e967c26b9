package io.depthscope.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.jobs.storage.StudyLock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A study whose --out another study holds is refused with exit code 3 and one line naming the holder; once free, it runs. */
class OutputInUseTest {
    static final String TINY = "name = tiny\nrun { width = 4, dataset { n_train = 8, n_test = 4 }, steps = 2, hessian { probes = 2, probes_per_block = 2 } }\n";
    @TempDir
    Path dir;

    private String run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Main.execute(args) + ":" + err.toString(StandardCharsets.UTF_8);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void aSecondStudyOnTheSameOutExitsWithThreeNamingTheFirst() throws Exception {
        Path conf = dir.resolve("tiny.conf");
        Files.writeString(conf, TINY);
        Path out = dir.resolve("out");
        String result;
        try (StudyLock running = StudyLock.acquire(out.toString(), "running-study", Duration.ofSeconds(60))) {
            result = run("study", conf.toString(), "--out", out.toString(), "--master", "local[1]");
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        assertTrue(result.startsWith("3:error: output directory " + out + " is in use by study 'running-study' (host "), result);
        assertTrue(result.contains(", pid " + pid + ", started "), result);
        assertEquals(1, result.strip().lines().count(), "one line: " + result);
        assertFalse(Files.exists(out.resolve("_outcomes")), "the refused study wrote nothing");
    }

    @Test
    @Tag("spark-study") // a whole study on Spark: the full suite, not the fast path
    void onceTheOutIsFreeTheStudyRunsAndReleasesIt() throws Exception {
        Path conf = dir.resolve("tiny.conf");
        Files.writeString(conf, TINY);
        Path out = dir.resolve("out");
        try (StudyLock earlier = StudyLock.acquire(out.toString(), "earlier-study", Duration.ofSeconds(60))) {
            assertTrue(Files.exists(out.resolve(StudyLock.NAME)));
        }
        String second = run("study", conf.toString(), "--out", out.toString(), "--master", "local[1]");
        assertTrue(second.startsWith("0:"), second);
        assertFalse(Files.exists(out.resolve(StudyLock.NAME)), "released at the end");
        assertTrue(Files.exists(out.resolve("_outcomes")));
    }

    @Test
    void trainOnAnOutThatAStudyHoldsExitsWithThree() throws Exception {
        Path conf = dir.resolve("one.conf");
        Files.writeString(conf, "name = one\nrun { width = 4, dataset { n_train = 8, n_test = 4 }, steps = 2 }\n");
        Path out = dir.resolve("out");
        String result;
        try (StudyLock running = StudyLock.acquire(out.toString(), "running-study", Duration.ofSeconds(60))) {
            result = run("train", "--config", conf.toString(), "--out", out.toString());
        }
        assertTrue(result.startsWith("3:error: output directory " + out + " is in use by study 'running-study' (host "), result);
        assertFalse(Files.exists(out.resolve("checkpoints")), "nothing trained");
    }
}
