package io.depthscope.jobs.tables;

import io.depthscope.diag.GradientConfusionAt;
import io.depthscope.diag.JacobianSpectrumAt;
import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.LayerWeightChangeAt;
import io.depthscope.diag.NtkAt;
import io.depthscope.diag.RepresentationRankAt;
import io.depthscope.probe.HessianDensityAt;
import io.depthscope.probe.HessianEigenvalueAt;
import io.depthscope.probe.HessianMoments;
import io.depthscope.probe.HessianMomentsAt;
import io.depthscope.probe.HessianProbeAt;
import io.depthscope.probe.HessianSpectrumAt;
import io.depthscope.probe.SpectrumShape;
import io.depthscope.study.RunSpec;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.RunRecord;
import io.depthscope.train.TrainPoint;
import io.depthscope.util.Provenance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet tables of a study: one schema per record type, one row per record. Column meanings and
 * units are documented in docs/tables.md.
 */
public final class Tables {
    public static final String RUNS = "runs";
    public static final String TRAIN_CURVE = "train_curve";
    public static final String HESSIAN_MOMENTS = "hessian_moments";
    public static final String SUMMARY = "summary";
    public static final String TRENDS = "trends";
    public static final String RESIDUAL_COMPARISON = "residual_comparison";
    public static final String HESSIAN_SPECTRUM = "hessian_spectrum";

    /** Every table a study writes, in the order it writes them. */
    public static List<String> names() {
        List<String> names = new ArrayList<>(List.of(RUNS, TRAIN_CURVE, HESSIAN_MOMENTS));
        ROW_TABLES.forEach(t -> names.add(t.name()));
        names.addAll(List.of(RESIDUAL_COMPARISON, SUMMARY, TRENDS));
        return names;
    }

    /** A table of one record type, its rows taken from each run's outcome. */
    public record RowTable<R extends Record>(String name, Class<R> type, Function<RunOutcome, List<R>> extract) {
        public StructType schema() {
            return RecordTable.schema(type);
        }

        public List<Row> rows(List<RunOutcome> outcomes) {
            List<Row> out = new ArrayList<>();
            outcomes.forEach(o -> out.addAll(RecordTable.rows(extract.apply(o))));
            return out;
        }
    }

    /** The per-run tables written from record types (columns documented in docs/tables.md). */
    public static final List<RowTable<?>> ROW_TABLES = List.of(
            new RowTable<>("layer_gradients", LayerGradientsAt.class, o -> o.diagnostics().layerGradients()),
            new RowTable<>("layer_weight_change", LayerWeightChangeAt.class, o -> o.diagnostics().weightChanges()),
            new RowTable<>("gradient_confusion", GradientConfusionAt.class, o -> o.diagnostics().confusion()),
            new RowTable<>("ntk", NtkAt.class, o -> o.diagnostics().ntk()),
            new RowTable<>("jacobian_spectrum", JacobianSpectrumAt.class, o -> o.diagnostics().jacobians()),
            new RowTable<>("representation_rank", RepresentationRankAt.class, o -> o.diagnostics().ranks()),
            new RowTable<>("hessian_probes", HessianProbeAt.class, o -> o.hessian().probes()),
            new RowTable<>("hessian_top_eigenvalues", HessianEigenvalueAt.class, o -> o.hessian().eigenvalues()),
            new RowTable<>("hessian_density", HessianDensityAt.class, o -> o.hessian().densities()),
            // derived from the rows above when the tables are written: nothing of it is stored in the outcome
            new RowTable<>(HESSIAN_SPECTRUM, HessianSpectrumAt.class, o -> SpectrumShape.rows(o.hessian(), o.run().paramCount())));

    private Tables() {}

    private static StructField f(String name, DataType type) {
        return DataTypes.createStructField(name, type, true);
    }

    private static DataType typeOf(Object v) {
        if (v instanceof List<?>) {
            return DataTypes.createArrayType(DataTypes.IntegerType);
        }
        if (v instanceof Integer) {
            return DataTypes.IntegerType;
        }
        if (v instanceof Long) {
            return DataTypes.LongType;
        }
        if (v instanceof Double) {
            return DataTypes.DoubleType;
        }
        if (v instanceof Boolean) {
            return DataTypes.BooleanType;
        }
        return DataTypes.StringType;
    }

    /** The run config columns, named and typed as in {@link RunSpec#columns()}. */
    public static List<StructField> configFields(RunSpec example) {
        List<StructField> fields = new ArrayList<>();
        for (Map.Entry<String, Object> e : example.columns().entrySet()) {
            fields.add(f(e.getKey(), typeOf(e.getValue())));
        }
        return fields;
    }

    public static StructType runsSchema(RunSpec example) {
        List<StructField> fields = new ArrayList<>();
        fields.add(f("run_id", DataTypes.StringType));
        fields.add(f("study", DataTypes.StringType));
        fields.addAll(configFields(example));
        fields.add(f("param_count", DataTypes.LongType));
        fields.add(f("dataset", DataTypes.StringType));
        fields.add(f("status", DataTypes.StringType));
        fields.add(f("error", DataTypes.StringType));
        fields.add(f("initial_loss", DataTypes.DoubleType));
        fields.add(f("final_loss", DataTypes.DoubleType));
        fields.add(f("final_gradient_norm", DataTypes.DoubleType));
        fields.add(f("final_train_accuracy", DataTypes.DoubleType));
        fields.add(f("final_test_loss", DataTypes.DoubleType));
        fields.add(f("final_test_accuracy", DataTypes.DoubleType));
        fields.add(f("steps_to_target", DataTypes.IntegerType));
        fields.add(f("steps_completed", DataTypes.IntegerType));
        fields.add(f("diverged_at_step", DataTypes.IntegerType));
        fields.add(f("lr_lambda_max", DataTypes.DoubleType));
        fields.add(f("learning_rate", DataTypes.DoubleType));
        fields.add(f("wall_seconds", DataTypes.DoubleType));
        fields.add(f("code_version", DataTypes.StringType));
        fields.add(f("backend", DataTypes.StringType));
        fields.add(f("spark_version", DataTypes.StringType));
        fields.add(f("java_version", DataTypes.StringType));
        fields.add(f("os", DataTypes.StringType));
        fields.add(f("cpu_arch", DataTypes.StringType));
        return DataTypes.createStructType(fields);
    }

    public static Row runRow(String study, RunOutcome o, String sparkVersion) {
        RunRecord r = o.run();
        Provenance p = r.provenance();
        List<Object> values = new ArrayList<>();
        values.add(r.runId());
        values.add(study);
        values.addAll(o.spec().columns().values());
        values.add(r.paramCount());
        values.add(r.dataset());
        values.add(r.status());
        values.add(r.error());
        values.add(r.initialLoss());
        values.add(r.finalLoss());
        values.add(r.finalGradientNorm());
        values.add(r.finalTrainAccuracy());
        values.add(r.finalTestLoss());
        values.add(r.finalTestAccuracy());
        values.add(r.stepsToTarget());
        values.add(r.stepsCompleted());
        values.add(r.divergedAtStep());
        values.add(r.lrLambdaMax());
        values.add(r.learningRate());
        values.add(r.wallSeconds());
        values.add(p.codeVersion());
        values.add(p.backend());
        values.add(sparkVersion);
        values.add(p.javaVersion());
        values.add(p.os());
        values.add(p.cpuArch());
        return RowFactory.create(values.toArray());
    }

    public static final StructType TRAIN_CURVE_SCHEMA = DataTypes.createStructType(List.of(
            f("run_id", DataTypes.StringType),
            f("step", DataTypes.IntegerType),
            f("train_loss", DataTypes.DoubleType),
            f("train_accuracy", DataTypes.DoubleType),
            f("gradient_norm", DataTypes.DoubleType),
            f("test_loss", DataTypes.DoubleType),
            f("test_accuracy", DataTypes.DoubleType),
            f("seconds", DataTypes.DoubleType)));

    public static Row curveRow(TrainPoint t) {
        return RowFactory.create(t.runId(), t.step(), t.trainLoss(), t.trainAccuracy(), t.gradientNorm(), t.testLoss(),
                t.testAccuracy(), t.seconds());
    }

    public static final StructType HESSIAN_MOMENTS_SCHEMA = DataTypes.createStructType(List.of(
            f("run_id", DataTypes.StringType),
            f("step", DataTypes.IntegerType),
            f("examples", DataTypes.IntegerType),
            f("method", DataTypes.StringType),
            f("probes", DataTypes.LongType),
            f("param_count", DataTypes.LongType),
            f("m1", DataTypes.DoubleType),
            f("m2", DataTypes.DoubleType),
            f("m3", DataTypes.DoubleType),
            f("m4", DataTypes.DoubleType),
            f("m1_stderr", DataTypes.DoubleType),
            f("m2_stderr", DataTypes.DoubleType),
            f("m3_stderr", DataTypes.DoubleType),
            f("m4_stderr", DataTypes.DoubleType),
            f("skewness", DataTypes.DoubleType),
            f("kurtosis", DataTypes.DoubleType),
            f("skewness_stderr", DataTypes.DoubleType),
            f("kurtosis_stderr", DataTypes.DoubleType)));

    public static Row momentsRow(HessianMomentsAt h) {
        HessianMoments m = h.moments();
        return RowFactory.create(h.runId(), h.step(), h.examples(), m.method(), m.probes(), m.paramCount(),
                m.m1(), m.m2(), m.m3(), m.m4(), m.m1Stderr(), m.m2Stderr(), m.m3Stderr(), m.m4Stderr(),
                m.skewness(), m.kurtosis(), m.skewnessStderr(), m.kurtosisStderr());
    }
}
