package io.depthscope.jobs.cli;

import io.depthscope.io.Json;
import io.depthscope.jobs.orchestration.StudyBench;
import io.depthscope.jobs.orchestration.StudyScaleBench;
import io.depthscope.study.StudyConfig;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/** {@code depthscope bench --study}: its options, checked before Spark starts, and the run that prints its figures. */
final class StudyBenchOptions {
    static final int DEFAULT_STEPS = 300;

    @Option(names = "--study", description = "only measure a study's parallel efficiency and Spark overhead (see --study-*)")
    boolean study;

    @Option(names = "--study-config", paramLabel = "CONF",
            description = "with --study: this study config (HOCON, >= 2 runs) instead of the built-in 16 runs")
    File config;

    @Option(names = "--study-steps", paramLabel = "N",
            description = "with --study: training steps per run of the built-in study (default " + DEFAULT_STEPS
                    + "; a run's time grows linearly with it)")
    Integer steps;

    @Option(names = "--study-out", paramLabel = "DIR",
            description = "with --study: keep both studies' tables in DIR/local-1 and DIR/local-2 (DIR new or empty); "
                    + "default: a temporary directory, deleted afterwards")
    Path out;

    @Option(names = "--study-scale", paramLabel = "N",
            description = "only this: a study of N tiny runs (no Hessian) on local[2], then the same study again into the same output "
                    + "(a restart that finds everything committed); the driver's peak heap, the per-task overhead, the tables' time "
                    + "and the restart's scan, per run")
    Integer scale;

    @Option(names = "--study-scale-steps", paramLabel = "N", defaultValue = "20",
            description = "with --study-scale: training steps per tiny run (default ${DEFAULT-VALUE}: a few milliseconds)")
    int scaleSteps;

    @Option(names = "--study-no-warm-up", hidden = true,
            description = "for tests: skip the untimed two-run study that warms each session")
    boolean noWarmUp;

    /** Whether a study mode was asked for: --study or --study-scale. */
    boolean any() {
        return study || scale != null;
    }

    void rejectWithoutStudy() {
        Object[][] given = {{"study-config", config}, {"study-steps", steps}, {"study-out", out}};
        for (Object[] o : given) {
            if (o[1] != null) {
                throw new IllegalArgumentException(o[0] + ": value " + o[1] + " is not allowed without --study; allowed: with --study");
            }
        }
    }

    int run(PrintWriter printer, Path json) throws IOException {
        if (scale != null) {
            return runScale(printer, json);
        }
        if (config != null && steps != null) {
            throw new IllegalArgumentException("study-steps: value " + steps
                    + " is not allowed with --study-config; allowed: the built-in study only (set steps in the config)");
        }
        int n = steps != null ? steps : DEFAULT_STEPS;
        StudyConfig study = config != null ? StudyConfig.load(config) : StudyBench.builtIn(n);
        StudyBench.check(study);
        if (out != null && Files.exists(out) && !isEmptyDirectory(out)) {
            // a study resumes from the outcomes it finds, and would time only the runs left over
            throw new IllegalArgumentException("study-out: " + out + " exists and is not an empty directory; allowed: a new or empty directory");
        }
        Path work = out != null ? out.toAbsolutePath() : Files.createTempDirectory("depthscope-bench-study");
        printer.printf(Locale.ROOT, "study %s: %d runs, on local[1] then local[2]%n", study.name(), study.plan().size());
        printer.flush();
        StudyBench.Result result;
        try {
            result = StudyBench.run(study, work, !noWarmUp);
        } finally {
            if (out == null) {
                deleteRecursively(work);
            }
        }
        printer.print(StudyBenchReport.text(result));
        printer.flush();
        if (json != null) {
            Json.writeAtomically(json, StudyBenchReport.json(result, config == null ? n : 0));
        }
        return 0;
    }

    private int runScale(PrintWriter printer, Path json) throws IOException {
        if (study || config != null || steps != null) {
            throw new IllegalArgumentException("study-scale: value " + scale + " is not allowed with --study, --study-config or --study-steps; "
                    + "allowed: alone (it builds its own study)");
        }
        if (scaleSteps < 1) {
            throw new IllegalArgumentException("study-scale-steps: value " + scaleSteps + " is not allowed; allowed: >= 1");
        }
        StudyScaleBench.tiny("bench-scale", scale, scaleSteps); // checks N before Spark starts
        Path work = prepareOut();
        printer.printf(Locale.ROOT, "study scale: %d tiny runs of %d steps on local[2], then a restart into the same output%n", scale, scaleSteps);
        printer.flush();
        StudyScaleBench.Result result;
        try {
            result = StudyScaleBench.run(scale, scaleSteps, work, !noWarmUp);
        } finally {
            if (out == null) {
                deleteRecursively(work);
            }
        }
        printer.print(StudyScaleReport.text(result));
        printer.flush();
        if (json != null) {
            Json.writeAtomically(json, StudyScaleReport.json(result, scaleSteps));
        }
        return 0;
    }

    /** --study-out (new or empty: a study resumes from the outcomes it finds) or a temporary directory. */
    private Path prepareOut() throws IOException {
        if (out != null && Files.exists(out) && !isEmptyDirectory(out)) {
            throw new IllegalArgumentException("study-out: " + out + " exists and is not an empty directory; allowed: a new or empty directory");
        }
        return out != null ? out.toAbsolutePath() : Files.createTempDirectory("depthscope-bench-study");
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
