package io.depthscope.jobs.cli;

import io.depthscope.jobs.claims.Report;
import io.depthscope.jobs.claims.ReportHtml;
import io.depthscope.jobs.claims.StudyTables;
import io.depthscope.jobs.spark.SparkSessions;
import java.io.File;
import java.net.URI;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code depthscope report STUDY_DIR [--out FILE]}: the study's claims, judged and written as one HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Test a study's claims on its tables and write a self-contained HTML report (figures inline).")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "STUDY_DIR", description = "A study's output directory (any Hadoop path), e.g. depthscope-out/quickstart.")
    String dir;

    @Option(names = "--out", description = "The HTML file; default: STUDY_DIR/report.html when STUDY_DIR is local.")
    File out;

    @Option(names = "--master", description = "Spark master URL; default: the one spark-submit gives, else local[*].")
    String master;

    @Override
    public Integer call() throws Exception {
        File target = out != null ? out : defaultTarget();
        if (target.isDirectory()) {
            throw new BadInputException("--out: '" + target + "' is a directory; allowed: a file path, e.g. report.html");
        }
        try (SparkSession spark = SparkSessions.create(master, "depthscope report")) {
            Report report = Report.of(StudyTables.open(spark, dir));
            ReportHtml.write(report, target.toPath());
            System.out.print(report.text());
            System.out.println("report: " + target.getAbsolutePath());
        }
        return 0;
    }

    private File defaultTarget() {
        // a Hadoop URI other than file: (hdfs://, s3a://) is no place for a local file
        if (dir.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !dir.startsWith("file:")) {
            throw new BadInputException("--out: required when STUDY_DIR '" + dir + "' is not local; allowed: a local file path");
        }
        return new File(dir.startsWith("file:") ? URI.create(dir).getPath() : dir, "report.html");
    }
}
