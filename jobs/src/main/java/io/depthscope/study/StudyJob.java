package io.depthscope.study;

import io.depthscope.io.Tables;
import io.depthscope.train.Progress;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.RunRecord;
import io.depthscope.train.Trainer;
import io.depthscope.util.NativeThreads;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a study on Spark: one task per training run (longest first), the outcomes collected, and the
 * tables written as Parquet under {@code out/<table>}. The numbers are all computed in pipeline code;
 * this class only plans, distributes, collects and writes.
 */
public final class StudyJob {
    /** Where the tables went, and the summary as written. */
    public record Result(String out, int runs, long diverged, long failed, Dataset<Row> summary, List<String> groupColumns) {}

    private StudyJob() {}

    public static Result run(SparkSession spark, StudyConfig config, String out) {
        List<RunSpec> plan = new ArrayList<>(config.plan());
        // Longest first, so a long run started last does not straggle behind an idle cluster.
        plan.sort(Comparator.comparingDouble(StudyJob::cost).reversed());
        int taskCpus = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        jsc.setJobDescription("depthscope study " + config.name() + ": " + plan.size() + " training runs");
        HadoopCheckpoints checkpoints = new HadoopCheckpoints(out + "/checkpoints");
        List<RunOutcome> outcomes = jsc.parallelize(plan, Math.max(1, plan.size()))
                .map(spec -> runOne(spec, taskCpus, checkpoints))
                .collect();
        return write(spark, config.name(), outcomes, out);
    }

    /** Writes the tables of {@code outcomes} (and the summary computed from them as stored) under {@code out}. */
    public static Result write(SparkSession spark, String study, List<RunOutcome> outcomes, String out) {
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
        write(spark.createDataFrame(runs, Tables.runsSchema(example)), out, Tables.RUNS);
        write(spark.createDataFrame(curve, Tables.TRAIN_CURVE_SCHEMA), out, Tables.TRAIN_CURVE);
        write(spark.createDataFrame(moments, Tables.HESSIAN_MOMENTS_SCHEMA), out, Tables.HESSIAN_MOMENTS);

        // The summary is computed from the tables as stored, so it always agrees with them.
        List<String> groups = new ArrayList<>(example.columns().keySet());
        groups.remove("seed");
        Dataset<Row> summary = Summary.compute(spark, read(spark, out, Tables.RUNS), read(spark, out, Tables.HESSIAN_MOMENTS), groups);
        write(summary, out, Tables.SUMMARY);
        long diverged = outcomes.stream().filter(o -> "diverged".equals(o.run().status())).count();
        long failed = outcomes.stream().filter(o -> "failed".equals(o.run().status())).count();
        return new Result(out, outcomes.size(), diverged, failed, read(spark, out, Tables.SUMMARY), groups);
    }

    /** Relative cost of a run: parameters x examples x (steps + Hessian-vector products); unknown sizes count 1. */
    static double cost(RunSpec s) {
        long p = Math.max(1, s.paramCount());
        long n = Math.max(1, s.dataset().nTrain());
        long perStep = s.optimizer().batchSize() > 0 ? Math.min(n, s.optimizer().batchSize()) : n;
        return (double) p * (perStep * s.steps() + 2.0 * n * s.hessian().hessianVectorProducts(p));
    }

    /** Runs one spec in a task; an exception becomes a "failed" record, so the study finishes the rest. */
    static RunOutcome runOne(RunSpec spec, int taskCpus, HadoopCheckpoints checkpoints) {
        NativeThreads.configure(taskCpus);
        long start = System.nanoTime();
        try {
            return Trainer.run(spec, checkpoints, Progress.NONE);
        } catch (RuntimeException | OutOfMemoryError e) {
            return new RunOutcome(spec, RunRecord.failed(spec.runId(), e.toString(), (System.nanoTime() - start) / 1e9),
                    List.of(), List.of());
        }
    }

    static void write(Dataset<Row> table, String out, String name) {
        table.coalesce(1).write().mode(SaveMode.Overwrite).parquet(out + "/" + name);
    }

    public static Dataset<Row> read(SparkSession spark, String out, String name) {
        return spark.read().parquet(out + "/" + name);
    }
}
