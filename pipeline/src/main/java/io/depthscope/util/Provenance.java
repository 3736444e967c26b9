package io.depthscope.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What made a number, besides its config and seed: the code version (git commit, from the build), the
 * ND4J backend, Java, the OS and the CPU architecture.
 */
public record Provenance(String codeVersion, String backend, String javaVersion, String os, String cpuArch) implements java.io.Serializable {

    private static final String CODE_VERSION = readCodeVersion();

    public static Provenance current() {
        return new Provenance(CODE_VERSION, nd4jBackend(), System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("os.arch"));
    }

    /** The git commit the code was built from ("+dirty" when the tree had changes), or "unknown". */
    public static String builtFrom() {
        return CODE_VERSION;
    }

    private static String nd4jBackend() {
        String name = Nd4j.getBackend().getClass().getSimpleName();
        return name.replace("Backend", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static String readCodeVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/io/depthscope/git.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String id = p.getProperty("git.commit.id.abbrev", "unknown");
            return "true".equals(p.getProperty("git.dirty")) ? id + "+dirty" : id;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
