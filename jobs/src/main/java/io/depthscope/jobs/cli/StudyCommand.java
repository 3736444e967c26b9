package io.depthscope.jobs.cli;

import io.depthscope.jobs.orchestration.FaultInjection;
import io.depthscope.jobs.orchestration.StudyJob;
import io.depthscope.jobs.spark.SparkSessions;
import io.depthscope.jobs.storage.StudyLock;
import io.depthscope.study.StudyConfig;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code depthscope study CONF [--master URL] [--out DIR]}: runs a study and writes its Parquet tables. */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = "Run a study (a grid of training runs) on Spark and write its Parquet tables.")
public final class StudyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONF", description = "The study config (HOCON), e.g. conf/studies/quickstart.conf.")
    File config;

    @Option(names = "--master", description = "Spark master URL; default: the one spark-submit gives, else local[*].")
    String master;

    @Option(names = "--out", description = "Output directory (any Hadoop path: file://, hdfs://, s3a://); default: depthscope-out/<study name>.")
    String out;

    @Option(names = "--retry-failed",
            description = "run again the runs and Hessian tasks that an earlier start of this study recorded as failed "
                    + "(by default a restart keeps them as failed and redoes only unfinished work)")
    boolean retryFailed;

    @Option(names = "--fail-task-once", hidden = true, defaultValue = "-1",
            description = "fault injection for tests: the run at this plan index fails on its first attempt")
    int failOnce;

    @Option(names = "--fail-task-always", hidden = true, defaultValue = "-1",
            description = "fault injection for tests: the run at this plan index fails on every attempt")
    int failAlways;

    @Option(names = "--pause-task-once", hidden = true, defaultValue = "-1",
            description = "fault injection for tests: the run at this plan index pauses on its first attempt (see FaultInjection)")
    int pauseOnce;

    @Override
    public Integer call() throws Exception {
        StudyConfig study = StudyConfig.load(config);
        study.checkDataPaths(); // before Spark starts: a wrong path would otherwise fail every run, one task at a time
        String target = out != null ? out : "depthscope-out/" + study.name();
        int runs = study.plan().size();
        System.out.printf("study %s: %d runs%n", study.name(), runs);
        long start = System.nanoTime();
        try (StudyLock lock = StudyLock.acquire(target, study.name(), StudyLock.configuredTimeout());
                SparkSession spark = SparkSessions.create(master, "depthscope study " + study.name())) {
            StudyJob.Result result = StudyJob.run(spark, study, target, new FaultInjection(failOnce, failAlways, pauseOnce, null), retryFailed);
            System.out.printf("finished %d runs (%d diverged, %d failed) in %.1f s, of which %.1f s writing the tables, summary and trends%n",
                    result.runs(), result.diverged(), result.failed(), (System.nanoTime() - start) / 1e9, result.tablesSeconds());
            System.out.println("tables: " + new File(target).getAbsolutePath() + "/{" + String.join(",", io.depthscope.jobs.tables.Tables.names()) + "}");
            printSummary(result, study);
            if (result.runs() > 0 && result.failed() == result.runs()) {
                // a study with no run to measure is no result, whatever the tables say; they stay, as the record of why
                System.err.println("error: all " + result.runs() + " runs failed; the first error: " + oneLine(result.firstError())
                        + " (the tables under " + target + " record the failures)");
                return 1;
            }
        }
        return 0;
    }

    private static String oneLine(String s) {
        return s == null ? "(none recorded)" : s.replaceAll("\\s*\\R\\s*", " | ");
    }

    /** Prints the summary for the config columns that vary in this study. */
    private static void printSummary(StudyJob.Result result, StudyConfig study) {
        List<String> varying = new ArrayList<>();
        java.util.Set<String> axes = new java.util.HashSet<>();
        study.grid().keySet().forEach(k -> axes.add(k.replace('.', '_')));
        study.variants().forEach(v -> v.keySet().forEach(k -> axes.add(k.replace('.', '_'))));
        for (String g : result.groupColumns()) {
            if (axes.contains(g)) {
                varying.add(g);
            }
        }
        List<String> order = new ArrayList<>(varying);
        order.add("metric");
        List<Row> rows = result.summary().sort(order.stream().map(org.apache.spark.sql.functions::col)
                .toArray(org.apache.spark.sql.Column[]::new)).collectAsList();
        StringBuilder header = new StringBuilder();
        for (String v : varying) {
            header.append(String.format(Locale.ROOT, "%-10s ", v));
        }
        header.append(String.format(Locale.ROOT, "%-34s %3s %3s %13s %13s %29s", "metric", "n", "div", "mean", "std", "95% CI"));
        System.out.println();
        System.out.println(header);
        for (Row r : rows) {
            StringBuilder line = new StringBuilder();
            for (String v : varying) {
                line.append(String.format(Locale.ROOT, "%-10s ", String.valueOf((Object) r.getAs(v))));
            }
            line.append(String.format(Locale.ROOT, "%-34s %3d %3d %13.5g %13.5g  [%12.5g, %12.5g]", r.<String>getAs("metric"),
                    r.<Long>getAs("n"), r.<Long>getAs("n_diverged"), r.<Double>getAs("mean"), r.<Double>getAs("std"),
                    r.<Double>getAs("ci95_low"), r.<Double>getAs("ci95_high")));
            System.out.println(line);
        }
    }
}
