package io.depthscope.jobs.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A command's exit code, and what it printed on stdout and stderr: the tests' one capture of System.out and System.err. */
public record Captured(int code, String out, String err) {
    /** Runs {@link Main#execute} on {@code args} with stdout and stderr captured, and puts both streams back after. */
    public static Captured run(String... args) {
        // synchronized on the class: System.out and System.err are global, and two captures at once would swap them wrongly
        synchronized (Captured.class) {
            PrintStream oldOut = System.out;
            PrintStream oldErr = System.err;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                int code = Main.execute(args);
                return new Captured(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
    }

    /** "code:stderr", the form the bad-input tests assert on. */
    public String codeAndErr() {
        return code + ":" + err;
    }
}
