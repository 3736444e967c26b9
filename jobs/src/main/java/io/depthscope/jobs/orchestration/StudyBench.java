package io.depthscope.jobs.orchestration;

import io.depthscope.jobs.spark.SparkSessions;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.study.StudyConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * How well a study uses the slots Spark gives it: the same study on local[1], then on local[2], in this
 * process. Parallel efficiency is T1 / (2 T2); a master's overhead is the slot time not spent inside the
 * trainer, (slots x wall - sum of task seconds) / sum of task seconds, where a task's seconds are the
 * trainer's own clock (the runs table's wall_seconds). So scheduling, outcome commits, the Parquet tables,
 * the summary and any slot left idle at the tail all count as overhead. That overhead is split in two: the
 * tables' share (writing the Parquet tables, the summary and the trends, once per study on the driver while
 * every slot waits) and the tasks' share (the rest: scheduling, commits, idle slots), so a reader can see
 * which of them a longer study would amortise.
 *
 * <p>spark.task.cpus = 1, so each task runs ND4J on one thread and two tasks on local[2] use two cores.
 * Before each timed study a two-run study warms the session (classes, JIT, Parquet writers): otherwise the
 * first master would pay the JVM's start-up costs and look slower than it is.
 */
public final class StudyBench {
    public static final double EFFICIENCY_GOAL = 0.9;
    public static final double OVERHEAD_GOAL = 0.05;
    /** The overhead goal holds for tasks at least this long; shorter tasks cannot amortise a fixed cost. */
    public static final double OVERHEAD_GOAL_TASK_SECONDS = 10;

    /**
     * One master's timing: wall of the whole study, and the sum of its runs' trainer seconds.
     *
     * @param processCores cores this process kept busy on average during the study (NaN if unknown)
     * @param machineCores cores the whole machine kept busy meanwhile, this process included (NaN if unknown): more
     *     than processCores means other processes competed for the cores
     * @param cores the machine's cores (0 if unknown)
     * @param tablesSeconds wall seconds of writing the tables, summary and trends (part of wallSeconds)
     */
    public record Measurement(String master, int slots, int runs, long failed, double wallSeconds, double taskSeconds,
            double processCores, double machineCores, int cores, double tablesSeconds) {
        public double overhead() {
            return (slots * wallSeconds - taskSeconds) / taskSeconds;
        }

        /** The tables' share of {@link #overhead()}: every slot waits while the driver writes them. */
        public double tablesOverhead() {
            return slots * tablesSeconds / taskSeconds;
        }

        /** The tasks' share of {@link #overhead()}: scheduling, commits and idle slots while the tasks ran. */
        public double taskOverhead() {
            return overhead() - tablesOverhead();
        }

        public double meanTaskSeconds() {
            return taskSeconds / runs;
        }
    }

    public record Result(String study, Measurement serial, Measurement parallel) {
        public double efficiency() {
            return serial.wallSeconds() / (parallel.slots() * parallel.wallSeconds());
        }
    }

    private StudyBench() {}

    /**
     * The built-in study: 16 runs of equal cost (plain and residual mlps, which cost the same, eight seeds
     * each), full-batch gradient descent on 512 sphere points, then 20 Hutchinson probes. On this project's
     * idle 2-core machine a run took 3.7 s at the CLI's default of 300 steps and 8.2 s at 800 (about 10 ms a
     * step), so tasks of 10 s need about 1000 steps.
     */
    public static StudyConfig builtIn(int steps) {
        return builtIn("bench-study", steps, "[0, 1, 2, 3, 4, 5, 6, 7]");
    }

    private static StudyConfig builtIn(String name, int steps, String seeds) {
        if (steps < 1) {
            throw new IllegalArgumentException("study-steps: value " + steps + " is not allowed; allowed: >= 1");
        }
        return StudyConfig.parse("name = " + name + "\n"
                + "run { depth = 4, width = 128, activation = tanh, loss = mse,\n"
                + "  dataset { kind = sphere, n_train = 512, n_test = 256, input_dim = 32, seed = 0 },\n"
                + "  optimizer { kind = gd, lr = 0.05 }, steps = " + steps + ", eval_every = " + Math.max(1, steps / 10) + ",\n"
                + "  hessian { method = hutchinson, probes = 20 }, dtype = float64 }\n"
                + "grid { arch = [mlp, resmlp], seed = " + seeds + " }\n");
    }

    /**
     * Runs {@code config} on local[1], then local[2]; their tables go to {@code work}/local-1 and local-2.
     * {@code warmUp} false skips the warm-up studies (for tests, which check the figures, not their accuracy).
     */
    public static Result run(StudyConfig config, Path work, boolean warmUp) {
        check(config);
        return new Result(config.name(), onLocal(1, config, work, warmUp), onLocal(2, config, work, warmUp));
    }

    /** Rejects a study that cannot measure parallel efficiency, before any session starts. */
    public static void check(StudyConfig config) {
        int runs = config.plan().size();
        if (runs < 2) {
            throw new IllegalArgumentException("study-config: " + runs + " run is not allowed; allowed: a study of at least 2 runs "
                    + "(one run cannot use two slots)");
        }
    }

    static Measurement onLocal(int slots, StudyConfig config, Path work, boolean warmUp) {
        String master = "local[" + slots + "]";
        SparkSession spark = SparkSessions.create(master, "depthscope bench --study on " + master, Map.of("spark.task.cpus", "1"));
        // getOrCreate hands back a session that is already running, whatever master was asked for: not ours to stop
        if (!master.equals(spark.sparkContext().master())) {
            throw new IllegalStateException("a Spark session on " + spark.sparkContext().master()
                    + " is already running; the study bench needs its own " + master);
        }
        try {
            if (warmUp) {
                StudyJob.run(spark, builtIn("bench-study-warm-up", 2, "[0]"), work.resolve("warm-up-" + slots).toString());
            }
            String out = work.resolve("local-" + slots).toString();
            CpuSample start = CpuSample.now();
            StudyJob.Result study = StudyJob.run(spark, config, out);
            CpuSample end = CpuSample.now();
            double wall = (end.wallNanos() - start.wallNanos()) / 1e9;
            List<Row> runs = StudyJob.read(spark, out, Tables.RUNS).select("wall_seconds", "status").collectAsList();
            double tasks = runs.stream().mapToDouble(r -> r.getDouble(0)).sum();
            long failed = runs.stream().filter(r -> "failed".equals(r.getString(1))).count();
            return new Measurement(master, slots, runs.size(), failed, wall, tasks, end.processCoresSince(start),
                    end.machineCoresSince(start), end.machineCores(), study.tablesSeconds());
        } finally {
            spark.stop();
        }
    }
}
