package io.depthscope.jobs.claims;

import io.depthscope.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Jupyter kernel spec for the rapaio Java kernel that runs depthscope's notebooks: the kernel jar
 * started by {@code java} with Spark's module flags, and the notebook class path (the project's classes,
 * Spark, XChart) handed to JShell. Written by notebooks/install-kernel.sh and by the notebook test.
 *
 * @param java        the java executable (17 or 21: Spark 4.1)
 * @param javaOptions JVM options: Spark's --add-opens flags and the like
 * @param classPath   jars and class directories for the notebooks' code
 * @param kernelDir   notebooks/kernel: the JShell script the kernel runs before the first cell (init.jsh) and
 *                    the launcher that starts the kernel without its two start-up races (KernelLauncher.java)
 * @param log4jConfig Spark's log4j2 configuration (conf/log4j2.properties keeps it at WARN)
 */
public record KernelSpec(String java, List<String> javaOptions, Path kernelJar, List<String> classPath, Path kernelDir, Path log4jConfig) {
    /** The kernel's name, as the notebooks' metadata names it. */
    public static final String NAME = "depthscope-java";

    /** Writes {@code jupyterPath/kernels/depthscope-java/kernel.json} (a JUPYTER_PATH entry) and returns its path. */
    public Path writeInto(Path jupyterPath) {
        Path file = jupyterPath.resolve("kernels").resolve(NAME).resolve("kernel.json");
        Json.writeAtomically(file, json());
        return file;
    }

    Map<String, Object> json() {
        List<String> argv = new ArrayList<>();
        argv.add(java);
        argv.add("-Djava.awt.headless=true");
        argv.add("-Dlog4j2.configurationFile=" + log4jConfig.toAbsolutePath());
        argv.addAll(javaOptions);
        // a single-file program on the kernel jar's class path, in place of the jar's own main class
        argv.addAll(List.of("-cp", kernelJar.toAbsolutePath().toString(), kernelDir.resolve("KernelLauncher.java").toAbsolutePath().toString(),
                "{connection_file}"));
        Map<String, String> env = new LinkedHashMap<>();
        // the kernel splits its class path at ';' (with ':' the classes are silently missing)
        env.put("RJK_CLASSPATH", classPath.stream().map(p -> Path.of(p).toAbsolutePath().toString()).collect(Collectors.joining(";")));
        env.put("RJK_INIT_SCRIPT", kernelDir.resolve("init.jsh").toAbsolutePath().toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        // libnd4j's OpenMP threads otherwise spin against OpenBLAS's when a notebook calls the pipeline
        env.put("OMP_WAIT_POLICY", "PASSIVE");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", "Java (depthscope)");
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("env", env);
        return spec;
    }

    /**
     * {@code KernelSpec JUPYTER_PATH JAVA KERNEL_JAR KERNEL_DIR LOG4J_CONFIG CLASS_PATH [JAVA_OPTION...]}, with
     * CLASS_PATH separated by ':' as java's -cp takes it.
     */
    public static void main(String[] args) {
        if (args.length < 6) {
            System.err.println("usage: KernelSpec JUPYTER_PATH JAVA KERNEL_JAR KERNEL_DIR LOG4J_CONFIG CLASS_PATH [JAVA_OPTION...]");
            System.exit(2);
        }
        List<String> classPath = Arrays.stream(args[5].split(":")).filter(s -> !s.isBlank()).toList();
        KernelSpec spec = new KernelSpec(args[1], List.of(args).subList(6, args.length), Path.of(args[2]), classPath, Path.of(args[3]),
                Path.of(args[4]));
        System.out.println(spec.writeInto(Path.of(args[0])));
    }
}
