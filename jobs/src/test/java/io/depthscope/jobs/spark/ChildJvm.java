package io.depthscope.jobs.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Java process started by a test with the test's own class path and JVM options (the module opens Spark
 * needs, from the {@code depthscope.test.opens} property the poms set), ND4J's threads passive and Spark bound
 * to the loopback address: one place for the command that StudyRestartTest kills and NotebooksTest's studies
 * run in.
 */
public final class ChildJvm {
    private ChildJvm() {}

    public static ProcessBuilder of(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String o : System.getProperty("depthscope.test.opens", "").trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb;
    }
}
