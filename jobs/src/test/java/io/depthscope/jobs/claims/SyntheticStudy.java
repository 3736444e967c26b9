package io.depthscope.jobs.claims;

import io.depthscope.probe.HessianMoments;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.probe.HessianMomentsAt;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.RunRecord;
import io.depthscope.train.TrainPoint;
import io.depthscope.util.Provenance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A study's tables with numbers the test chooses, in the real schemas (rows made by {@link Tables}): each
 * run's final loss and final Hessian kurtosis, a curve falling from 1 to the final loss. The summary table
 * (no claim reads it) is left out, to keep the test short.
 */
public final class SyntheticStudy {
    private SyntheticStudy() {}

    /** Writes the study {@code name} over {@code grid} (HOCON grid body) under {@code out}. */
    public static void write(SparkSession spark, String name, String grid, ToDoubleFunction<RunSpec> finalLoss,
            ToDoubleFunction<RunSpec> kurtosis, Path out) {
        StudyConfig config = StudyConfig.parse("name = " + name + "\nrun { width = 8, steps = 20, eval_every = 10 }\ngrid { " + grid + " }\n");
        Provenance provenance = new Provenance("synthetic1", "cpu", "17", "Linux", "amd64");
        List<Row> runs = new ArrayList<>();
        List<Row> curves = new ArrayList<>();
        List<Row> moments = new ArrayList<>();
        for (RunSpec s : config.plan()) {
            double loss = finalLoss.applyAsDouble(s);
            RunRecord run = new RunRecord(s.runId(), "ok", null, 100, "synthetic", 1.0, loss, 0.1, Double.NaN, Double.NaN,
                    Double.NaN, -1, 20, -1, 1.0, provenance);
            List<TrainPoint> curve = List.of(new TrainPoint(s.runId(), 0, 1.0, Double.NaN, 1, Double.NaN, Double.NaN, 0),
                    new TrainPoint(s.runId(), 10, Math.sqrt(loss), Double.NaN, 1, Double.NaN, Double.NaN, 0.5),
                    new TrainPoint(s.runId(), 20, loss, Double.NaN, 1, Double.NaN, Double.NaN, 1));
            HessianMoments m = new HessianMoments(0, 1, 0, kurtosis.applyAsDouble(s), 0, 0, 0, 0, 0, kurtosis.applyAsDouble(s), 0, 0,
                    "exact", 0, 100);
            runs.add(Tables.runRow(name, new RunOutcome(s, run, curve, io.depthscope.train.RunDiagnostics.empty(), io.depthscope.probe.HessianResults.empty(), List.of()), spark.version()));
            curve.forEach(p -> curves.add(Tables.curveRow(p)));
            moments.add(Tables.momentsRow(new HessianMomentsAt(s.runId(), 20, 32, m)));
        }
        write(spark.createDataFrame(runs, Tables.runsSchema(config.plan().get(0))), out.resolve(Tables.RUNS));
        write(spark.createDataFrame(curves, Tables.TRAIN_CURVE_SCHEMA), out.resolve(Tables.TRAIN_CURVE));
        write(spark.createDataFrame(moments, Tables.HESSIAN_MOMENTS_SCHEMA), out.resolve(Tables.HESSIAN_MOMENTS));
    }

    private static void write(Dataset<Row> table, Path path) {
        table.coalesce(1).write().parquet(path.toString());
    }
}
