package io.depthscope.jobs.claims;

import io.depthscope.io.Json;
import io.depthscope.jobs.orchestration.StudyJob;
import io.depthscope.jobs.spark.SparkSessions;
import io.depthscope.study.StudyConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * NotebooksTest's studies, run in a JVM of their own so that the notebook test shares no Spark session with the
 * tests beside which it runs (several stop the shared one). Arguments: an output root, then NAME=CONF pairs. For
 * each in turn it runs the study into ROOT/NAME, writes the claim sentences of its report to ROOT/NAME.json,
 * and prints one line, {@code done NAME} or {@code failed NAME} (the error in ROOT/NAME.error), to stdout.
 */
public final class NotebookStudies {
    static final String DONE = "done ";
    static final String FAILED = "failed ";

    private NotebookStudies() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        try (SparkSession spark = SparkSessions.create("local[2]", "notebook studies", Map.of("spark.sql.shuffle.partitions", "2"))) {
            spark.sparkContext().setLogLevel("WARN");
            for (int i = 1; i < args.length; i++) {
                String name = args[i].substring(0, args[i].indexOf('='));
                Path conf = Path.of(args[i].substring(name.length() + 1));
                Path out = root.resolve(name);
                try {
                    long start = System.nanoTime();
                    StudyJob.run(spark, StudyConfig.parse(Files.readString(conf)), out.toString());
                    long ran = System.nanoTime();
                    List<String> sentences = Report.sentences(StudyTables.open(spark, out.toString()));
                    Json.writeAtomically(root.resolve(name + ".json"), sentences);
                    // where the notebook test's time goes, for whoever makes it faster
                    System.err.printf("notebook study %s: %.1f s, its report %.1f s%n", name, (ran - start) / 1e9, (System.nanoTime() - ran) / 1e9);
                    System.out.println(DONE + name);
                } catch (RuntimeException | Error e) {
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    Files.writeString(root.resolve(name + ".error"), trace.toString());
                    System.out.println(FAILED + name);
                }
                System.out.flush();
            }
        }
    }
}
