package io.depthscope.jobs.orchestration;

import io.depthscope.diag.ResidualComparisonAt;
import io.depthscope.io.JsonFormat;
import io.depthscope.jobs.storage.CommitStore;
import io.depthscope.jobs.storage.HadoopCheckpoints;
import io.depthscope.jobs.storage.HadoopFiles;
import io.depthscope.jobs.storage.ParameterStore;
import io.depthscope.jobs.tables.RecordTable;
import io.depthscope.jobs.tables.RunMetric;
import io.depthscope.jobs.tables.RunMetrics;
import io.depthscope.jobs.tables.Summary;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.jobs.tables.Trends;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.train.Progress;
import io.depthscope.train.ResidualPairs;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.RunRecord;
import io.depthscope.train.Trainer;
import io.depthscope.util.NativeThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.util.LongAccumulator;

/**
 * Runs a study on Spark: one task per training run (longest first), the outcomes collected, and the
 * tables written as Parquet under {@code out/<table>}. The numbers are all computed in pipeline code;
 * this class only plans, distributes, collects and writes.
 */
public final class StudyJob {
    /**
     * Where the tables went, and the summary and trends as written. {@code tablesSeconds} is the wall time of
     * writing the tables and computing the summary and trends: a once-per-study cost, apart from the tasks.
     */
    public record Result(String out, int runs, long diverged, long failed, String firstError, Dataset<Row> summary, Dataset<Row> trends,
            List<String> groupColumns, double tablesSeconds) {}

    /** A run and its index in the plan (fault injection and `plan` name runs by index). */
    record PlannedRun(int index, RunSpec spec) implements java.io.Serializable {}

    private StudyJob() {}

    public static Result run(SparkSession spark, StudyConfig config, String out) {
        return run(spark, config, out, FaultInjection.none());
    }

    /**
     * Runs every run of the plan that has no committed outcome under {@code out} yet (all of them, the
     * first time), then writes the tables from the outcomes of the whole plan. Killed and started again,
     * it keeps what it finished and redoes only the rest.
     */
    public static Result run(SparkSession spark, StudyConfig config, String out, FaultInjection faults) {
        return run(spark, config, out, faults, false);
    }

    /**
     * As {@link #run(SparkSession, StudyConfig, String, FaultInjection)}; with {@code retryFailed}, runs
     * recorded as failed and Hessian pieces that failed are withdrawn and done again (a transient fault:
     * a lost executor, memory), while every other committed result is kept. Every result is a function of
     * its config and seed, so a retried run that succeeds gives the numbers it would have given the first time.
     */
    public static Result run(SparkSession spark, StudyConfig config, String out, FaultInjection faults, boolean retryFailed) {
        List<RunSpec> plan = config.plan();
        CommitStore<RunOutcome> store = outcomeStore(out);
        ParameterStore parameters = new ParameterStore(out);
        Set<String> committed = store.finished();
        Map<String, RunOutcome> outcomes = new LinkedHashMap<>();
        List<Integer> todo = new ArrayList<>();
        int retried = 0;
        for (int i = 0; i < plan.size(); i++) {
            RunOutcome o = committed.contains(plan.get(i).runId()) ? store.load(plan.get(i).runId()) : null;
            if (o != null && !parameters.readable(o.run().runId(), o.hessianPending())) {
                // the second phase needs them: the run is trained again, which commits them again
                store.delete(o.run().runId());
                o = null;
            }
            if (o != null && retryFailed && "failed".equals(o.run().status())) {
                store.delete(plan.get(i).runId());
                o = null;
                retried++;
            }
            if (o != null) {
                outcomes.put(o.run().runId(), o);
            } else {
                todo.add(i);
            }
        }
        if (!outcomes.isEmpty() || retried > 0) {
            System.out.printf("resuming: %d of %d runs already finished, %d to run%s%n", outcomes.size(), plan.size(), todo.size(),
                    retryFailed ? ", retrying " + retried + " that failed" : "");
        }
        int taskCpus = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
        int maxFailures = maxTaskFailures(spark);
        if (!todo.isEmpty()) {
            // Longest first, so a long run started last does not straggle behind an idle cluster.
            todo.sort(Comparator.comparingDouble((Integer i) -> cost(plan.get(i))).reversed());
            List<PlannedRun> tasks = new ArrayList<>();
            todo.forEach(i -> tasks.add(new PlannedRun(i, plan.get(i))));
            HadoopCheckpoints checkpoints = new HadoopCheckpoints(out + "/checkpoints");
            FaultInjection f = faults.active() ? faults.withMarkers(out + "/_faults") : faults;
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            jsc.setJobDescription("depthscope study " + config.name() + ": " + tasks.size() + " training runs");
            int done = outcomes.size();
            // Counted by the tasks, not by listing the committed files: a listing every 2 s of a directory that grows
            // by a file per run made the progress line's cost grow with the square of the runs.
            LongAccumulator committedNow = jsc.sc().longAccumulator("depthscope runs committed");
            try (ProgressLine progress = new ProgressLine("runs", () -> done + (int) committedNow.value().longValue(), plan.size(), done)) {
                // A task run again after its executor was lost past the commit finds its run committed: nothing to do.
                jsc.parallelize(tasks, tasks.size()).foreach(t -> {
                    if (!store.has(t.spec().runId())) {
                        store.save(t.spec().runId(), runTask(t.index(), t.spec(), taskCpus, maxFailures, checkpoints, parameters, f));
                    }
                    committedNow.add(1);
                });
            }
            for (int i : todo) {
                RunOutcome o = store.load(plan.get(i).runId());
                if (o == null) {
                    throw new IllegalStateException("run " + plan.get(i).runId() + " finished but its outcome cannot be read back");
                }
                outcomes.put(o.run().runId(), o);
            }
        }
        Map<String, RunOutcome> measured = HessianPhase.run(spark, outcomes, out, taskCpus, maxFailures, retryFailed);
        sweepTemporaries(out);
        List<RunOutcome> ordered = new ArrayList<>();
        plan.forEach(s -> ordered.add(measured.get(s.runId())));
        return write(spark, config.name(), ordered, out);
    }

    /**
     * Deletes what attempts killed mid-write (a lost executor) left beside the stores and checkpoints: every job of the study
     * has ended and the study's lock keeps other studies out, so no temporary file here belongs to a live attempt.
     */
    static void sweepTemporaries(String out) {
        try {
            int n = HadoopFiles.sweepTemporaries(new Path(out, "checkpoints"), 2);
            for (String store : List.of("_outcomes", "_hessian", "_parameters")) {
                n += HadoopFiles.sweepTemporaries(new Path(out, store), 1);
            }
            if (n > 0) {
                System.out.printf("removed %d temporary file(s) that killed attempts left%n", n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sweeping temporary files under " + out, e);
        }
    }

    /**
     * Finished training runs, one file per run id under {@code <out>/_outcomes}. Version 2 added the spec's
     * batch_norm and shortcut, the Hessian's mode and chunk, and the dataset's channel_standardize and augment;
     * version 3 the dataset's downsample; version 4 the optimiser's curvature_lr, the run's lr_lambda_max and learning_rate,
     * the diagnostics' weight changes and the Hessian eigenvalue rows' gradient_overlap; version 5 those rows' probe_overlap.
     * An older file meant their defaults (a fixed learning rate, the spec's lr, no weight changes taken, no overlap measured), so
     * a study begun before them resumes with its finished runs read as they were.
     */
    static CommitStore<RunOutcome> outcomeStore(String out) {
        return new CommitStore<>(out + "/_outcomes", ".outcome", new JsonFormat<>("depthscope-outcome", 5, RunOutcome.class,
                StudyJob::upgradeOutcome));
    }

    static void upgradeOutcome(int from, org.nd4j.shade.jackson.databind.node.ObjectNode value) {
        if (from == 4) {
            upgradeOutcomeFrom4(value);
            return;
        }
        if (from == 3) {
            upgradeOutcomeFrom3(value);
            upgradeOutcomeFrom4(value);
            return;
        }
        if (from != 1 && from != 2) {
            throw new IllegalArgumentException("no upgrade of depthscope-outcome from version " + from);
        }
        if (!(value.get("spec") instanceof org.nd4j.shade.jackson.databind.node.ObjectNode spec)
                || !(spec.get("hessian") instanceof org.nd4j.shade.jackson.databind.node.ObjectNode hessian)
                || !(spec.get("dataset") instanceof org.nd4j.shade.jackson.databind.node.ObjectNode dataset)) {
            throw new IllegalArgumentException("value.spec.hessian or value.spec.dataset is missing");
        }
        if (from == 1) {
            dataset.put("channelStandardize", false);
            dataset.put("augment", "none");
            spec.put("batchNorm", false);
            spec.put("shortcut", "A");
            hessian.put("mode", "train");
            hessian.put("chunk", 0);
        } else {
            dataset.put("downsample", 1);
        }
        upgradeOutcomeFrom3(value);
        upgradeOutcomeFrom4(value);
    }

    /** Version 4 to 5: no probe overlap on the Hessian's eigenvalue rows (the top-k share then uses the probes' raw tr(H^2)). */
    private static void upgradeOutcomeFrom4(org.nd4j.shade.jackson.databind.node.ObjectNode value) {
        if (value.get("hessian") instanceof org.nd4j.shade.jackson.databind.node.ObjectNode h
                && h.get("eigenvalues") instanceof org.nd4j.shade.jackson.databind.node.ArrayNode rows) {
            rows.forEach(r -> ((org.nd4j.shade.jackson.databind.node.ObjectNode) r).put("probeOverlap", "NaN"));
        }
    }

    /**
     * Version 3 to 4: a fixed learning rate (the spec's lr, as the run used it; NaN for a run that never trained), no weight
     * changes, and no gradient overlap on the Hessian's eigenvalue rows.
     */
    private static void upgradeOutcomeFrom3(org.nd4j.shade.jackson.databind.node.ObjectNode value) {
        if (!(value.get("spec") instanceof org.nd4j.shade.jackson.databind.node.ObjectNode spec)
                || !(spec.get("optimizer") instanceof org.nd4j.shade.jackson.databind.node.ObjectNode optimizer)
                || !(value.get("run") instanceof org.nd4j.shade.jackson.databind.node.ObjectNode run)
                || !(value.get("diagnostics") instanceof org.nd4j.shade.jackson.databind.node.ObjectNode diagnostics)) {
            throw new IllegalArgumentException("value.spec.optimizer, value.run or value.diagnostics is missing");
        }
        optimizer.put("curvatureLr", "NaN");
        run.put("lrLambdaMax", "NaN");
        boolean trained = run.get("status") != null && !"failed".equals(run.get("status").asText());
        run.set("learningRate", trained && optimizer.get("lr") != null ? optimizer.get("lr").deepCopy()
                : org.nd4j.shade.jackson.databind.node.TextNode.valueOf("NaN"));
        diagnostics.putArray("weightChanges");
        // the overlap of the gradient with each Ritz vector was not measured
        if (value.get("hessian") instanceof org.nd4j.shade.jackson.databind.node.ObjectNode h
                && h.get("eigenvalues") instanceof org.nd4j.shade.jackson.databind.node.ArrayNode rows) {
            rows.forEach(r -> ((org.nd4j.shade.jackson.databind.node.ObjectNode) r).put("gradientOverlap", "NaN"));
        }
    }

    /** spark.task.maxFailures, or the F of a local[N,F] master (plain local mode never retries). */
    static int maxTaskFailures(SparkSession spark) {
        String master = spark.sparkContext().master();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[[^,\\]]+,\\s*(\\d+)\\]").matcher(master);
        if (m.matches()) {
            return Integer.parseInt(m.group(1));
        }
        if (master.startsWith("local")) {
            return 1;
        }
        return Integer.parseInt(spark.conf().get("spark.task.maxFailures", "4"));
    }

    /** Writes the tables of {@code outcomes} (and the summary and trends computed from them as stored) under {@code out}. */
    public static Result write(SparkSession spark, String study, List<RunOutcome> outcomes, String out) {
        long start = System.nanoTime();
        String sparkVersion = spark.version();
        List<Row> runs = new ArrayList<>();
        List<Row> curve = new ArrayList<>();
        List<Row> moments = new ArrayList<>();
        for (RunOutcome o : outcomes) {
            runs.add(Tables.runRow(study, o, sparkVersion));
            o.curve().forEach(t -> curve.add(Tables.curveRow(t)));
            o.moments().forEach(m -> moments.add(Tables.momentsRow(m)));
        }
        RunSpec example = outcomes.get(0).spec();
        List<PendingTable> tables = new ArrayList<>();
        tables.add(PendingTable.of(Tables.RUNS, runs, Tables.runsSchema(example)));
        tables.add(PendingTable.of(Tables.TRAIN_CURVE, curve, Tables.TRAIN_CURVE_SCHEMA));
        tables.add(PendingTable.of(Tables.HESSIAN_MOMENTS, moments, Tables.HESSIAN_MOMENTS_SCHEMA));
        for (Tables.RowTable<?> t : Tables.ROW_TABLES) {
            tables.add(PendingTable.of(t.name(), t.rows(outcomes), t.schema()));
        }
        tables.add(PendingTable.of(Tables.RESIDUAL_COMPARISON, RecordTable.rows(ResidualPairs.of(outcomes)),
                RecordTable.schema(ResidualComparisonAt.class)));

        // The summary and trends come from the records the tables are written from, so they agree with them.
        List<RunMetric> values = RunMetrics.of(outcomes);
        List<StructField> config = Tables.configFields(example);
        List<String> groups = new ArrayList<>(example.columns().keySet());
        groups.remove("seed");
        if (outcomes.stream().allMatch(o -> o.spec().dataset().seed() == o.spec().seed())) {
            // fresh_data_per_seed: the data seed is the run's seed, a replicate like it, not a group of its own
            groups.remove("dataset_seed");
        }
        tables.add(PendingTable.of(Tables.SUMMARY, Summary.rows(values, groups), Summary.schema(config, groups)));
        List<String> trendGroups = new ArrayList<>(groups);
        trendGroups.remove("depth");
        tables.add(PendingTable.of(Tables.TRENDS, Trends.rows(values, trendGroups), Trends.schema(config, trendGroups)));
        PendingTable.writeAll(spark, tables, out);
        long diverged = outcomes.stream().filter(o -> "diverged".equals(o.run().status())).count();
        long failed = outcomes.stream().filter(o -> "failed".equals(o.run().status())).count();
        String firstError = outcomes.stream().filter(o -> "failed".equals(o.run().status())).map(o -> o.run().runId() + ": " + o.run().error())
                .findFirst().orElse(null);
        return new Result(out, outcomes.size(), diverged, failed, firstError, read(spark, out, Tables.SUMMARY), read(spark, out, Tables.TRENDS),
                groups, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Relative cost of a training task: parameters x examples x passes, for the steps and (a few passes
     * each) the diagnostics; the Hessian is the second phase's. Unknown sizes count 1.
     */
    static double cost(RunSpec s) {
        long p = Math.max(1, s.paramCount());
        long n = Math.max(1, s.dataset().nTrain());
        long perStep = s.optimizer().batchSize() > 0 ? Math.min(n, s.optimizer().batchSize()) : n;
        long diag = s.diagnostics().any() ? (s.diagnostics().examples() > 0 ? Math.min(n, s.diagnostics().examples()) : n) : 0;
        return (double) p * (perStep * s.steps() + 4.0 * diag * s.diagnostics().steps().size());
    }

    /**
     * Runs one spec in a task. An exception is rethrown while Spark has attempts left (it retries the
     * task); on the last attempt it becomes a "failed" record, so the study finishes the rest.
     */
    static RunOutcome runTask(int planIndex, RunSpec spec, int taskCpus, int maxFailures, HadoopCheckpoints checkpoints,
            ParameterStore parameters, FaultInjection faults) {
        NativeThreads.configure(taskCpus);
        long start = System.nanoTime();
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        try {
            faults.before(planIndex);
            return Trainer.run(spec, checkpoints, Progress.NONE, parameters);
        } catch (RuntimeException | OutOfMemoryError e) {
            if (attempt + 1 < maxFailures) {
                throw e;
            }
            return RunOutcome.failed(spec, RunRecord.failed(spec.runId(), e.toString() + " (attempt " + (attempt + 1) + " of " + maxFailures
                    + ")", (System.nanoTime() - start) / 1e9));
        }
    }

    public static Dataset<Row> read(SparkSession spark, String out, String name) {
        return spark.read().parquet(out + "/" + name);
    }
}
