package io.depthscope.jobs.cli;

import io.depthscope.io.AtomicFiles;
import io.depthscope.jobs.claims.ExplanationTable;
import io.depthscope.jobs.claims.Explanations;
import io.depthscope.jobs.claims.StudyTables;
import io.depthscope.jobs.spark.SparkSessions;
import java.io.File;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code depthscope explain ROOT [--figure FILE]}: the cross-explanation table of every finished study under ROOT, and pooled. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Which explanation's diagnostic at initialisation predicts training difficulty: a table per finished study under ROOT, "
                + "then all of them pooled (each study's seed one unit).")
public final class ExplainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROOT", description = "A directory of study dirs (any Hadoop path), e.g. depthscope-out.")
    String root;

    @Option(names = "--figure", paramLabel = "FILE", description = "Also write the pooled table's figure as a PNG file.")
    File figure;

    @Option(names = "--master", description = "Spark master URL; default: the one spark-submit gives, else local[*].")
    String master;

    @Override
    public Integer call() throws Exception {
        if (figure != null && figure.isDirectory()) {
            throw new BadInputException("--figure: '" + figure + "' is a directory; allowed: a file path, e.g. explanations.png");
        }
        try (SparkSession spark = SparkSessions.create(master, "depthscope explain")) {
            List<StudyTables> studies = StudyTables.under(spark, root);
            if (studies.isEmpty()) {
                throw new BadInputException("ROOT: '" + root + "' holds no finished study; allowed: a directory of dirs written by 'depthscope study'");
            }
            for (StudyTables t : studies) {
                ExplanationTable one = Explanations.of(t);
                System.out.println("study " + t.study() + " (" + t.dir() + "):");
                System.out.print(one.isEmpty() ? "  measures no diagnostic at initialisation\n" : one.text());
                System.out.println();
            }
            ExplanationTable pooled = Explanations.of(studies);
            int family = pooled.family();
            System.out.println("pooled over " + studies.size() + " studies (Holm over the " + family + " that can be computed):");
            System.out.print(pooled.text());
            pooled.claims().forEach(c -> System.out.println("- " + c.sentence()));
            if (figure != null && !pooled.isEmpty()) {
                AtomicFiles.write(figure.toPath(), pooled.figure("Which explanation predicts difficulty: " + studies.size()
                        + " studies pooled").png());
                System.out.println("figure: " + figure.getAbsolutePath());
            }
        }
        return 0;
    }
}
