package io.depthscope.jobs.orchestration;

import io.depthscope.data.Dataset;
import io.depthscope.data.Datasets;
import io.depthscope.io.JsonFormat;
import io.depthscope.jobs.storage.CommitStore;
import io.depthscope.jobs.storage.ParameterStore;
import io.depthscope.nn.Landscape;
import io.depthscope.probe.HessianResults;
import io.depthscope.probe.HessianWork;
import io.depthscope.study.RunSpec;
import io.depthscope.train.RunContext;
import io.depthscope.train.RunOutcome;
import io.depthscope.util.Dtypes;
import io.depthscope.util.NativeThreads;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A study's second phase: the Hessian work of every run at every Hessian step, spread as (run, step,
 * task) Spark tasks (blocks of Hutchinson probes, one whole Lanczos run, one task per quadrature run),
 * so one large model's probes run on many executors at once. Each task reads the run's parameters from
 * the {@link ParameterStore}, commits its piece under {@code <out>/_hessian}, and the driver combines
 * the pieces of each step into rows ({@link HessianWork#combine}). Killed and restarted, it redoes only
 * the pieces that were not committed.
 */
final class HessianPhase {
    /** A task's committed result: its piece, or the error of its last attempt. */
    record PieceOutcome(HessianWork.Task task, HessianWork.Piece piece, int examples, String error, double seconds) implements Serializable {}

    /** What one Spark task gets: the run's spec and the task. */
    record Work(RunSpec spec, HessianWork.Task task) implements Serializable {}

    /** Datasets per executor JVM, so a run's many Hessian tasks load its data once. */
    private static final Map<String, Dataset> DATA = new ConcurrentHashMap<>();

    private HessianPhase() {}

    /**
     * The outcomes with their pending Hessian steps measured (outcomes without any come back as they were).
     * With {@code retryFailed}, committed pieces that hold an error are withdrawn and computed again.
     */
    static Map<String, RunOutcome> run(SparkSession spark, Map<String, RunOutcome> outcomes, String out, int taskCpus, int maxFailures,
            boolean retryFailed) {
        CommitStore<PieceOutcome> pieces = pieceStore(out);
        ParameterStore parameters = new ParameterStore(out);
        List<Work> all = new ArrayList<>();
        for (RunOutcome o : outcomes.values()) {
            for (int step : o.hessianPending()) {
                HessianWork.plan(o.run().runId(), o.spec().hessian(), step, o.run().paramCount()).forEach(t -> all.add(new Work(o.spec(), t)));
            }
        }
        if (all.isEmpty()) {
            return outcomes;
        }
        Set<String> committed = pieces.readable();
        if (retryFailed) {
            int retried = 0;
            for (Work w : all) {
                String key = key(w.task());
                PieceOutcome p = committed.contains(key) ? pieces.load(key) : null;
                if (p != null && p.error() != null) {
                    pieces.delete(key);
                    committed.remove(key);
                    retried++;
                }
            }
            if (retried > 0) {
                System.out.printf("hessian: retrying %d failed tasks%n", retried);
            }
        }
        List<Work> todo = new ArrayList<>(all.stream().filter(w -> !committed.contains(key(w.task()))).toList());
        if (!todo.isEmpty()) {
            // largest first, and a run's tasks side by side so an executor's data cache serves them
            todo.sort(Comparator.comparingDouble((Work w) -> -cost(w)).thenComparing(w -> w.task().runId())
                    .thenComparing(w -> w.task().name()));
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            jsc.setJobDescription("depthscope Hessian: " + todo.size() + " tasks");
            System.out.printf("hessian: %d tasks (%d already finished)%n", todo.size(), all.size() - todo.size());
            int total = all.size();
            int already = all.size() - todo.size();
            // counted by the tasks, as in the training phase: no listing of the growing directory every 2 s
            org.apache.spark.util.LongAccumulator committedNow = jsc.sc().longAccumulator("depthscope Hessian pieces committed");
            try (ProgressLine progress = new ProgressLine("hessian tasks", () -> already + (int) committedNow.value().longValue(), total, already)) {
                // as in the training phase, a task run again after its commit finds its piece committed
                jsc.parallelize(todo, todo.size()).foreach(w -> {
                    if (!pieces.has(key(w.task()))) {
                        pieces.save(key(w.task()), runTask(w, parameters, taskCpus, maxFailures));
                    }
                    committedNow.add(1);
                });
            }
        }
        Map<String, RunOutcome> measured = new LinkedHashMap<>();
        for (RunOutcome o : outcomes.values()) {
            measured.put(o.run().runId(), o.hessianPending().isEmpty() ? o : combine(o, pieces));
        }
        return measured;
    }

    /**
     * Committed pieces, one JSON file per task under {@code <out>/_hessian} (format in docs/storage.md). Version 2 added each
     * Ritz vector's gradient overlap to the Lanczos pieces, version 3 its probe overlap; an older piece did not measure them and
     * reads with NaN there.
     */
    static CommitStore<PieceOutcome> pieceStore(String out) {
        return new CommitStore<>(out + "/_hessian", ".piece", new JsonFormat<>("depthscope-hessian-piece", 3, PieceOutcome.class,
                HessianPhase::upgradePiece));
    }

    static void upgradePiece(int from, org.nd4j.shade.jackson.databind.node.ObjectNode value) {
        if (from != 1 && from != 2) {
            throw new IllegalArgumentException("no upgrade of depthscope-hessian-piece from version " + from);
        }
        if (value.get("piece") instanceof org.nd4j.shade.jackson.databind.node.ObjectNode piece) {
            for (String side : List.of("largest", "smallest")) {
                if (piece.get(side) instanceof org.nd4j.shade.jackson.databind.node.ArrayNode splits) {
                    splits.forEach(c -> {
                        if (from == 1) {
                            ((org.nd4j.shade.jackson.databind.node.ObjectNode) c).put("gradientOverlap", "NaN");
                        }
                        ((org.nd4j.shade.jackson.databind.node.ObjectNode) c).put("probeOverlap", "NaN");
                    });
                }
            }
        }
    }

    static String key(HessianWork.Task t) {
        return t.runId() + "." + t.name();
    }

    private static double cost(Work w) {
        long p = Math.max(1, w.spec().paramCount());
        long n = w.spec().hessian().examples() > 0 ? w.spec().hessian().examples() : Math.max(1, w.spec().dataset().nTrain());
        return (double) p * n * w.task().products(w.spec().hessian(), p);
    }

    /** The pending steps' rows from their committed pieces; a failed piece leaves its step out and names it in the error. */
    private static RunOutcome combine(RunOutcome o, CommitStore<PieceOutcome> pieces) {
        HessianResults rows = HessianResults.empty();
        List<String> errors = new ArrayList<>();
        double seconds = 0;
        for (int step : o.hessianPending()) {
            List<HessianWork.Piece> got = new ArrayList<>();
            String error = null;
            int examples = 0;
            for (HessianWork.Task t : HessianWork.plan(o.run().runId(), o.spec().hessian(), step, o.run().paramCount())) {
                PieceOutcome p = pieces.load(key(t));
                if (p == null) {
                    throw new IllegalStateException("Hessian task " + key(t) + " finished but its piece cannot be read back");
                }
                seconds += p.seconds();
                if (p.error() != null) {
                    error = error == null ? "hessian at step " + step + ": " + p.error() : error;
                } else {
                    got.add(p.piece());
                    examples = p.examples();
                }
            }
            if (error != null) {
                errors.add(error);
                continue;
            }
            rows = rows.plus(HessianWork.combine(o.spec().hessian(), o.run().runId(), step, examples, o.run().paramCount(), got));
        }
        return o.withHessian(rows, o.run().withHessianPhase(errors.isEmpty() ? null : String.join("; ", errors), seconds));
    }

    /**
     * Runs one Hessian task. An exception is rethrown while Spark has attempts left; on the last attempt
     * it becomes a committed error, so the study finishes the rest.
     */
    static PieceOutcome runTask(Work w, ParameterStore parameters, int taskCpus, int maxFailures) {
        NativeThreads.configure(taskCpus);
        long start = System.nanoTime();
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        try {
            RunSpec spec = w.spec();
            RunContext context = context(spec);
            ParameterStore.State state = parameters.load(spec.runId(), w.task().step(), context.network(), context.dtype());
            Landscape landscape = context.hessianLandscape(state.theta(), state.buffers());
            HessianWork.Piece piece = HessianWork.compute(spec.hessian(), spec.seed(), landscape, w.task());
            return new PieceOutcome(w.task(), piece, landscape.batchSize(), null, (System.nanoTime() - start) / 1e9);
        } catch (RuntimeException | OutOfMemoryError e) {
            if (attempt + 1 < maxFailures) {
                throw e;
            }
            return new PieceOutcome(w.task(), null, 0, e + " (attempt " + (attempt + 1) + " of " + maxFailures + ")",
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** The run's context (the trainer's), from a per-JVM cache of its dataset. */
    private static RunContext context(RunSpec spec) {
        DataType dtype = Dtypes.parse(spec.dtype());
        String key = spec.dataset() + "/" + dtype;
        Dataset data = DATA.get(key);
        if (data == null) {
            if (DATA.size() >= 2) {
                DATA.clear(); // a study rarely has more than a couple of datasets; keep memory bounded
            }
            data = Datasets.load(spec.dataset(), dtype);
            DATA.put(key, data);
        }
        return RunContext.of(spec, data);
    }
}
