package io.depthscope.jobs.cli;

import io.depthscope.jobs.orchestration.StudyJob;
import io.depthscope.jobs.spark.SparkSessions;
import io.depthscope.jobs.storage.HadoopCheckpoints;
import io.depthscope.jobs.storage.HadoopFiles;
import io.depthscope.jobs.storage.StudyLock;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.train.Progress;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.RunRecord;
import io.depthscope.train.TrainPoint;
import io.depthscope.train.Trainer;
import java.io.File;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code depthscope train --config FILE}: one run, here, with a progress line, writing the same Parquet
 * rows (and checkpoints) a study would. The config is a study config whose plan has one run, or one run
 * of it chosen with {@code --index}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train one run locally with progress, writing the same tables and checkpoints a study would.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "a study config (HOCON)")
    File config;

    @Option(names = "--index", paramLabel = "N", description = "which run of the config's plan (0-based; `depthscope plan` lists them)")
    Integer index;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory; default: depthscope-out/<name>-train")
    String out;

    @Override
    public Integer call() throws Exception {
        StudyConfig study = StudyConfig.load(config);
        List<RunSpec> plan = study.plan();
        if (index == null && plan.size() != 1) {
            throw new BadInputException("--index: missing, and the config's plan has " + plan.size()
                    + " runs; allowed: a config with one run, or --index 0.." + (plan.size() - 1));
        }
        int i = index == null ? 0 : index;
        if (i < 0 || i >= plan.size()) {
            throw new BadInputException("--index: value " + i + " is out of range; allowed: 0.." + (plan.size() - 1));
        }
        RunSpec spec = plan.get(i);
        String target = out != null ? out : "depthscope-out/" + study.name() + "-train";
        System.out.printf("run %s: %s depth %d width %d %s on %s, %s lr %s, %d steps, seed %d%n", spec.runId(), spec.arch(), spec.depth(),
                spec.width(), spec.activation(), spec.dataset().kind(), spec.optimizer().kind(), spec.optimizer().fromCurvature()
                        ? spec.optimizer().curvatureLr() + " / lambda_max(H_0)" : String.valueOf(spec.optimizer().lr()), spec.steps(), spec.seed());
        try (StudyLock lock = StudyLock.acquire(target, study.name() + " (train --index " + i + ")", StudyLock.configuredTimeout())) {
            train(study, spec, target);
        }
        return 0;
    }

    private static void train(StudyConfig study, RunSpec spec, String target) throws java.io.IOException {
        // what an earlier attempt killed mid-write left: under the lock, nothing else writes there
        HadoopFiles.sweepTemporaries(new org.apache.hadoop.fs.Path(target + "/checkpoints", spec.runId()), 1);
        RunOutcome outcome = Trainer.run(spec, new HadoopCheckpoints(target + "/checkpoints"), new ProgressLine());
        RunRecord r = outcome.run();
        System.out.printf(Locale.ROOT, "%s after %d steps in %.1f s: train loss %.6g, test loss %.6g%s%n", r.status(), r.stepsCompleted(),
                r.wallSeconds(), r.finalLoss(), r.finalTestLoss(), r.stepsToTarget() >= 0 ? ", target reached at step " + r.stepsToTarget() : "");
        if (spec.optimizer().fromCurvature()) {
            System.out.printf(Locale.ROOT, "learning rate %.6g = %s / lambda_max(H_0) = %.6g%s%n", r.learningRate(), spec.optimizer().curvatureLr(),
                    r.lrLambdaMax(), r.error() != null ? " (" + r.error() + ")" : "");
        }
        outcome.moments().forEach(m -> System.out.printf(Locale.ROOT, "Hessian (%s, %d examples): m1 %.6g +- %.2g, skewness %.4g, kurtosis %.4g%n",
                m.moments().method(), m.examples(), m.moments().m1(), m.moments().m1Stderr(), m.moments().skewness(), m.moments().kurtosis()));
        try (SparkSession spark = SparkSessions.create("local[1]", "depthscope train " + study.name())) {
            StudyJob.write(spark, study.name(), List.of(outcome), target);
        }
        System.out.println("tables: " + new File(target).getAbsolutePath() + "/{" + String.join(",", io.depthscope.jobs.tables.Tables.names()) + "}");
    }

    /** step, losses, speed and time left, at most once a second (and at the last step). */
    static final class ProgressLine implements Progress {
        private final long start = System.nanoTime();
        private long lastPrint;

        @Override
        public void evaluated(TrainPoint p, int steps) {
            long now = System.nanoTime();
            if (now - lastPrint < 1_000_000_000L && p.step() != steps && p.step() != 0) {
                return;
            }
            lastPrint = now;
            double seconds = (now - start) / 1e9;
            double rate = p.step() / Math.max(seconds, 1e-9);
            long eta = rate > 0 ? Math.round((steps - p.step()) / rate) : -1;
            System.out.printf(Locale.ROOT, "step %d/%d  train loss %.6g  test loss %.6g  |g| %.3g  %.0f steps/s  ETA %s%n", p.step(), steps,
                    p.trainLoss(), p.testLoss(), p.gradientNorm(), rate, eta < 0 ? "-" : String.format("%d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60));
        }
    }
}
