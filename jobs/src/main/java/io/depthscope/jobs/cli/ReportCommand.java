package io.depthscope.jobs.cli;

import io.depthscope.io.AtomicFiles;
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

/** {@code depthscope report STUDY_DIR [--out FILE] [--figures DIR]}: the study's claims, judged and written as one HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Test a study's claims on its tables and write a self-contained HTML report (figures inline).")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "STUDY_DIR", description = "A study's output directory (any Hadoop path), e.g. depthscope-out/quickstart.")
    String dir;

    @Option(names = "--out", description = "The HTML file; default: STUDY_DIR/report.html when STUDY_DIR is local.")
    File out;

    @Option(names = "--master", description = "Spark master URL; default: the one spark-submit gives, else local[*].")
    String master;

    @Option(names = "--figures", paramLabel = "DIR", description = "Also write the study's main figure (its first claim's) as DIR/<study>.png "
            + "and its cross-explanation figure as DIR/<study>-explanations.png, e.g. docs/figures for the README.")
    File figures;

    @Override
    public Integer call() throws Exception {
        File target = out != null ? out : defaultTarget();
        if (target.isDirectory()) {
            throw new BadInputException("--out: '" + target + "' is a directory; allowed: a file path, e.g. report.html");
        }
        if (figures != null && figures.exists() && !figures.isDirectory()) {
            throw new BadInputException("--figures: '" + figures + "' is a file; allowed: a directory (made if missing)");
        }
        try (SparkSession spark = SparkSessions.create(master, "depthscope report")) {
            Report report = Report.of(StudyTables.open(spark, dir));
            ReportHtml.write(report, target.toPath());
            if (figures != null) {
                writeFigures(report);
            }
            System.out.print(report.text());
            System.out.println("report: " + target.getAbsolutePath());
        }
        return 0;
    }

    private void writeFigures(Report report) {
        if (!report.findings().isEmpty()) {
            AtomicFiles.write(figures.toPath().resolve(report.study() + ".png"), report.findings().get(0).figure().png());
            System.out.println("figure: " + figures.toPath().resolve(report.study() + ".png"));
        }
        if (report.explanationsFigure() != null) {
            AtomicFiles.write(figures.toPath().resolve(report.study() + "-explanations.png"), report.explanationsFigure().png());
            System.out.println("figure: " + figures.toPath().resolve(report.study() + "-explanations.png"));
        }
    }

    private File defaultTarget() {
        // a Hadoop URI other than file: (hdfs://, s3a://) is no place for a local file
        if (dir.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !dir.startsWith("file:")) {
            throw new BadInputException("--out: required when STUDY_DIR '" + dir + "' is not local; allowed: a local file path");
        }
        return new File(dir.startsWith("file:") ? URI.create(dir).getPath() : dir, "report.html");
    }
}
