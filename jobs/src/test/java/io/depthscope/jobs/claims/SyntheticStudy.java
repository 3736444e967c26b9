package io.depthscope.jobs.claims;

import io.depthscope.jobs.storage.DriverParquet;
import io.depthscope.jobs.tables.RecordTable;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.probe.HessianMoments;
import io.depthscope.probe.HessianMomentsAt;
import io.depthscope.probe.HessianResults;
import io.depthscope.probe.HessianSpectrumAt;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.train.RunDiagnostics;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.RunRecord;
import io.depthscope.train.TrainPoint;
import io.depthscope.util.Provenance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A study's tables with numbers the test chooses, in the real schemas (rows made by {@link Tables} and
 * {@link RecordTable}), for the claims and report tests: the tests' one writer of fake study tables. Every run
 * of the config's plan is "ok", trains 20 steps and has a curve falling from 1 through sqrt(final loss) to the
 * final loss; the test adds the tables its claims read. The summary table (no claim reads it) is left out.
 */
public final class SyntheticStudy {
    static final int STEPS = 20;
    private final StudyConfig config;
    private ToDoubleFunction<RunSpec> finalLoss = s -> 0.4;
    private ToDoubleFunction<RunSpec> kurtosis;
    private ToIntFunction<RunSpec> stepsToTarget = s -> -1;
    private final Map<String, Function<List<RunSpec>, List<? extends Record>>> tables = new LinkedHashMap<>();
    private final Map<String, Class<? extends Record>> types = new LinkedHashMap<>();

    private SyntheticStudy(StudyConfig config) {
        this.config = config;
    }

    /** The study {@code name} over {@code grid} (a HOCON grid body), with {@code run} added to the run block (may be empty). */
    public static SyntheticStudy of(String name, String run, String grid) {
        return of("name = " + name + "\nrun { width = 8, steps = " + STEPS + ", eval_every = 10, " + run + " }\ngrid { " + grid + " }\n");
    }

    /** The study of a whole config text (for variants), whose runs should have {@code steps = 20}. */
    public static SyntheticStudy of(String conf) {
        return new SyntheticStudy(StudyConfig.parse(conf));
    }

    public List<RunSpec> plan() {
        return config.plan();
    }

    /** Each run's final training loss (default 0.4). */
    public SyntheticStudy finalLoss(ToDoubleFunction<RunSpec> loss) {
        this.finalLoss = loss;
        return this;
    }

    /** Each run's steps_to_target (default -1: never reached). */
    public SyntheticStudy stepsToTarget(ToIntFunction<RunSpec> steps) {
        this.stepsToTarget = steps;
        return this;
    }

    /** A hessian_moments table: each run's kurtosis (also its non-excess fourth moment) at the last step. */
    public SyntheticStudy kurtosis(ToDoubleFunction<RunSpec> kurtosis) {
        this.kurtosis = kurtosis;
        return this;
    }

    /**
     * A hessian_spectrum table: each run's non-null kurtosis and lambda_max / bulk edge at the last step (bulk edge 1, spectrum
     * std 1, top_k 3; the outlier count is 3 when the ratio exceeds 2, else 1).
     */
    public SyntheticStudy spectrum(ToDoubleFunction<RunSpec> nonnullKurtosis, ToDoubleFunction<RunSpec> lambdaMaxOverEdge) {
        return perRun(Tables.HESSIAN_SPECTRUM, HessianSpectrumAt.class, s -> {
            double ratio = lambdaMaxOverEdge.applyAsDouble(s);
            return List.of(new HessianSpectrumAt(s.runId(), STEPS, 32, s.paramCount(), 3, ratio, 1.0, ratio, 1.0, ratio, ratio > 2 ? 3 : 1,
                    0.5, 0.9, nonnullKurtosis.applyAsDouble(s), 0.2));
        });
    }

    /** A table of records made from each run. */
    public <R extends Record> SyntheticStudy perRun(String table, Class<R> type, Function<RunSpec, List<R>> rows) {
        return table(table, type, plan -> plan.stream().flatMap(s -> rows.apply(s).stream()).toList());
    }

    /** A table of records made from the whole plan (rows that pair runs). */
    public <R extends Record> SyntheticStudy table(String table, Class<R> type, Function<List<RunSpec>, List<R>> rows) {
        tables.put(table, rows::apply);
        types.put(table, type);
        return this;
    }

    /** Writes runs, train_curve, the kurtosis' hessian_moments if set, and the added tables under {@code out}. */
    public void write(SparkSession spark, Path out) {
        Provenance provenance = new Provenance("synthetic1", "cpu", "17", "Linux", "amd64");
        List<Row> runs = new ArrayList<>();
        List<Row> curves = new ArrayList<>();
        List<Row> moments = new ArrayList<>();
        for (RunSpec s : plan()) {
            double loss = finalLoss.applyAsDouble(s);
            RunRecord run = new RunRecord(s.runId(), "ok", null, s.paramCount(), "synthetic", 1.0, loss, 0.1, Double.NaN, Double.NaN,
                    Double.NaN, stepsToTarget.applyAsInt(s), STEPS, -1, 1.0, provenance);
            List<TrainPoint> curve = List.of(new TrainPoint(s.runId(), 0, 1.0, Double.NaN, 1, Double.NaN, Double.NaN, 0),
                    new TrainPoint(s.runId(), STEPS / 2, Math.sqrt(loss), Double.NaN, 1, Double.NaN, Double.NaN, 0.5),
                    new TrainPoint(s.runId(), STEPS, loss, Double.NaN, 1, Double.NaN, Double.NaN, 1));
            runs.add(Tables.runRow(config.name(), new RunOutcome(s, run, curve, RunDiagnostics.empty(), HessianResults.empty(), List.of()),
                    spark.version()));
            curve.forEach(p -> curves.add(Tables.curveRow(p)));
            if (kurtosis != null) {
                double k = kurtosis.applyAsDouble(s);
                HessianMoments m = new HessianMoments(0, 1, 0, k, 0, 0, 0, 0, 0, k, 0, 0, "exact", 0, s.paramCount());
                moments.add(Tables.momentsRow(new HessianMomentsAt(s.runId(), STEPS, 32, m)));
            }
        }
        save(spark, runs, Tables.runsSchema(plan().get(0)), out.resolve(Tables.RUNS));
        save(spark, curves, Tables.TRAIN_CURVE_SCHEMA, out.resolve(Tables.TRAIN_CURVE));
        if (kurtosis != null) {
            save(spark, moments, Tables.HESSIAN_MOMENTS_SCHEMA, out.resolve(Tables.HESSIAN_MOMENTS));
        }
        tables.forEach((name, rows) -> save(spark, RecordTable.rows(rows.apply(plan())), RecordTable.schema(types.get(name)), out.resolve(name)));
    }

    /** The study {@code name} over {@code grid} with each run's final loss and final Hessian kurtosis, written under {@code out}. */
    public static void write(SparkSession spark, String name, String grid, ToDoubleFunction<RunSpec> finalLoss,
            ToDoubleFunction<RunSpec> kurtosis, Path out) {
        of(name, "", grid).finalLoss(finalLoss).kurtosis(kurtosis).write(spark, out);
    }

    /** As a study writes its tables: {@link DriverParquet}, one file, no Spark job. */
    private static void save(SparkSession spark, List<Row> rows, StructType schema, Path path) {
        try {
            DriverParquet.write(spark, schema, rows, new org.apache.hadoop.fs.Path(path.toUri()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
