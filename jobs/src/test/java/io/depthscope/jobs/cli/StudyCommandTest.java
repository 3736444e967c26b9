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

    @Test
    void aMissingConfigFileIsABadInput() {
        String result = run("study", dir.resolve("nope.conf").toString());
        assertEquals('2', result.charAt(0), result);
        assertTrue(result.contains("nope.conf"), result);
    }
}
