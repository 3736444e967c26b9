package io.depthscope.jobs.orchestration;

import io.depthscope.jobs.spark.SparkSessions;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.study.StudyConfig;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The orchestration at the scale of a cluster study (issue 16): {@code runs} tiny runs (an mlp of width 8 on 64
 * points for a few steps: milliseconds of arithmetic, no Hessian, no diagnostics) on local[2], so that what is timed
 * is the study's machinery, not its arithmetic: planning, scheduling, committing outcomes, writing the tables, and,
 * when the same study is started again into the same output, scanning the committed outcomes (everything is
 * committed, so the restart only scans and writes the tables again). The driver's heap is sampled throughout.
 */
public final class StudyScaleBench {
    /** Issue 16: slot time per run beyond the run's own, at most this many milliseconds. */
    public static final double TASK_OVERHEAD_GOAL_MS = 50;

    /**
     * One study of {@code runs} runs and its restart.
     *
     * @param planSeconds seconds to expand the config into its runs (with their ids)
     * @param wallSeconds the first study, from start to tables written
     * @param taskSeconds the sum of the runs' trainer seconds (the runs table's wall_seconds)
     * @param tablesSeconds the first study's tables, summary and trends (part of wallSeconds)
     * @param restartSeconds the second study into the same output: the scan of the committed outcomes and the tables again
     * @param restartTablesSeconds the restart's tables (part of restartSeconds)
     * @param heapPeakBytes the largest heap in use that the sampler saw (every {@link HeapSampler#PERIOD_MILLIS} ms), garbage included
     * @param heapPoolPeaksBytes the sum of the heap pools' peaks: an upper bound of the heap's peak
     * @param heapMaxBytes the heap's limit (-Xmx or the JVM's default)
     * @param gcSeconds time the collectors spent during both studies
     */
    public record Result(int runs, int slots, long failed, double planSeconds, double wallSeconds, double taskSeconds, double tablesSeconds,
                         double restartSeconds, double restartTablesSeconds, long heapPeakBytes, long heapPoolPeaksBytes, long heapMaxBytes,
                         double gcSeconds) {
        /** (slots x wall - sum of task seconds) / runs, in milliseconds: the tables included, as every slot waits for them. */
        public double taskOverheadMs() {
            return 1e3 * (slots * wallSeconds - taskSeconds) / runs;
        }

        /** The same without the tables: scheduling, commits, idle slots. */
        public double taskOverheadWithoutTablesMs() {
            return 1e3 * (slots * (wallSeconds - tablesSeconds) - taskSeconds) / runs;
        }

        /** The restart's scan of the committed outcomes (its wall without its tables). */
        public double scanSeconds() {
            return restartSeconds - restartTablesSeconds;
        }
    }

    private StudyScaleBench() {}

    /** {@code runs} tiny runs, differing only in their seed. */
    public static StudyConfig tiny(String name, int runs, int steps) {
        if (runs < 2) {
            throw new IllegalArgumentException("study-scale: value " + runs + " is not allowed; allowed: >= 2");
        }
        String seeds = IntStream.range(0, runs).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
        return StudyConfig.parse("name = " + name + "\n"
                + "run { arch = mlp, depth = 1, width = 8, activation = tanh, loss = mse,\n"
                + "  dataset { kind = sphere, n_train = 64, n_test = 16, input_dim = 4, seed = 0 },\n"
                + "  optimizer { kind = gd, lr = 0.05 }, steps = " + steps + ", eval_every = " + steps + ",\n"
                + "  hessian { method = none }, dtype = float64 }\n"
                + "grid { seed = " + seeds + " }\n");
    }

    /** The study of {@code runs} tiny runs on local[2] in {@code work}/scale, after an untimed two-run study that warms the session. */
    public static Result run(int runs, int steps, Path work, boolean warmUp) {
        int slots = 2;
        String master = "local[" + slots + "]";
        SparkSession spark = SparkSessions.create(master, "depthscope bench --study-scale on " + master, Map.of("spark.task.cpus", "1"));
        if (!master.equals(spark.sparkContext().master())) {
            throw new IllegalStateException("a Spark session on " + spark.sparkContext().master()
                    + " is already running; the study bench needs its own " + master);
        }
        try {
            if (warmUp) {
                StudyJob.run(spark, tiny("bench-scale-warm-up", 2, steps), work.resolve("warm-up").toString());
            }
            String out = work.resolve("scale").toString();
            try (HeapSampler heap = HeapSampler.start()) {
                double gc0 = gcSeconds();
                long t0 = System.nanoTime();
                StudyConfig config = tiny("bench-scale", runs, steps);
                config.plan().forEach(s -> s.runId());
                double plan = (System.nanoTime() - t0) / 1e9;
                StudyJob.Result first = StudyJob.run(spark, config, out);
                double wall = (System.nanoTime() - t0) / 1e9;
                long t1 = System.nanoTime();
                StudyJob.Result again = StudyJob.run(spark, config, out);
                double restart = (System.nanoTime() - t1) / 1e9;
                double gc = gcSeconds() - gc0;
                List<Row> rows = StudyJob.read(spark, out, Tables.RUNS).select("wall_seconds", "status").collectAsList();
                double tasks = rows.stream().mapToDouble(r -> r.getDouble(0)).sum();
                long failed = rows.stream().filter(r -> "failed".equals(r.getString(1))).count();
                return new Result(rows.size(), slots, failed, plan, wall, tasks, first.tablesSeconds(), restart, again.tablesSeconds(),
                        heap.peak(), heap.poolPeaks(), Runtime.getRuntime().maxMemory(), gc);
            }
        } finally {
            spark.stop();
        }
    }

    private static double gcSeconds() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum() / 1e3;
    }
}
