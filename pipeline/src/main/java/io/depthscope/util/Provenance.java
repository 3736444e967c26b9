package io.depthscope.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * What made a number, besides its config and seed: the code version (git commit, from the build), the
 * ND4J backend with its native binary ({@link #nd4jBackend()}), Java, the OS and the CPU architecture.
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

    /**
     * {@code cuda} for the CUDA backend (JCublasBackend); on the CPU, {@code cpu} and the native binary's kind, as
     * libnd4j reports it about itself: {@code cpu} (the plain linux-x86_64 build), {@code cpu-avx2},
     * {@code cpu-avx512}, {@code cpu-onednn-avx2}. The kinds may differ in the last bits of a float (vectorised
     * elementwise loops and reductions), so bitwise reproducibility holds within one kind.
     */
    static String nd4jBackend() {
        String name = Nd4j.getBackend().getClass().getSimpleName();
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("cublas") || lower.contains("cuda")) {
            return "cuda";
        }
        String base = lower.replace("backend", "");
        return "cpu".equals(base) ? base + cpuBinary() : base;
    }

    /** "-onednn" when libnd4j was built with oneDNN, then "-avx2" or "-avx512" for its instruction level; "" for the plain build. */
    private static String cpuBinary() {
        try {
            NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
            String info = ops.buildInfo();
            String onednn = info != null && info.contains("HAVE_ONEDNN") ? "-onednn" : "";
            String level = switch (ops.binaryLevel()) {
                case 2 -> "-avx2";
                case 3 -> "-avx512";
                default -> "";
            };
            return onednn + level;
        } catch (RuntimeException | LinkageError e) {
            return "";
        }
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
