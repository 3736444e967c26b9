package io.depthscope.jobs.tables;

import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.probe.HessianEigenvalueAt;
import io.depthscope.probe.HessianMoments;
import io.depthscope.probe.HessianMomentsAt;
import io.depthscope.probe.HessianSpectrumAt;
import io.depthscope.probe.SpectrumShape;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.RunRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToIntFunction;

/**
 * The per-run scalars that the summary and the trends aggregate, taken from the same records that the tables
 * are written from (a Parquet round trip changes no value), so they agree with the stored tables. Computed in
 * the driver: for a study's few thousand values, a Spark SQL plan per statistic cost most of a small study's
 * time after its work.
 */
public final class RunMetrics {
    /** Metrics of every run: the runs table's final values and the Hessian moments at the run's last step. */
    public static final List<String> METRICS = List.of("final_loss", "final_gradient_norm", "final_train_accuracy",
            "final_test_loss", "final_test_accuracy", "steps_to_target", "m1", "m2", "skewness", "kurtosis");

    /**
     * Metrics of the runs that measured them (a run without the diagnostic has no value): the NTK Gram's
     * lambda_min at the first diagnostics step and its drift at the last; the per-example gradient confusion
     * (min cosine) at the first step; the ratio of the first map's per-example delta to the last one's at the
     * first step (below 1: gradients shrink towards the input); the largest Hessian eigenvalue and
     * |lambda_min|/lambda_max at the last Hessian step; and the hessian_spectrum row of the last Hessian step: outliers beyond the
     * bulk, lambda_max over the spectrum's std and over the bulk edge, the top-k share of tr(H^2), the non-null kurtosis and the
     * gradient's overlap with the top-k subspace (each where defined: an outlier count of -1, not measured, is no value).
     */
    public static final List<String> DIAGNOSTIC_METRICS = List.of("ntk_lambda_min_init", "ntk_drift_final", "confusion_min_cosine_init",
            "delta_first_over_last_init", "hessian_lambda_max", "hessian_negative_to_positive_ratio", "hessian_outliers",
            "hessian_lambda_max_over_std", "hessian_lambda_max_over_bulk_edge", "hessian_top_k_share", "hessian_nonnull_kurtosis",
            "hessian_gradient_overlap");

    private RunMetrics() {}

    /** Every run's metrics, run by run in the given order, each run's in the order of the lists above. */
    public static List<RunMetric> of(List<RunOutcome> outcomes) {
        List<RunMetric> out = new ArrayList<>();
        outcomes.forEach(o -> out.addAll(of(o)));
        return out;
    }

    static List<RunMetric> of(RunOutcome o) {
        RunRecord r = o.run();
        Map<String, Object> config = o.spec().columns();
        List<RunMetric> out = new ArrayList<>();
        HessianMoments last = o.moments().stream().filter(m -> m.step() == r.stepsCompleted()).findFirst().map(HessianMomentsAt::moments)
                .orElse(null);
        double[] values = {r.finalLoss(), r.finalGradientNorm(), r.finalTrainAccuracy(), r.finalTestLoss(), r.finalTestAccuracy(),
                r.stepsToTarget() < 0 ? Double.NaN : r.stepsToTarget(), last == null ? Double.NaN : last.m1(),
                last == null ? Double.NaN : last.m2(), last == null ? Double.NaN : last.skewness(), last == null ? Double.NaN : last.kurtosis()};
        for (int i = 0; i < METRICS.size(); i++) {
            out.add(new RunMetric(config, r.runId(), r.status(), METRICS.get(i), present(values[i])));
        }
        var d = o.diagnostics();
        first(d.ntk(), n -> n.step()).ifPresent(n -> out.add(metric(o, config, "ntk_lambda_min_init", n.lambdaMin())));
        last(d.ntk(), n -> n.step()).ifPresent(n -> out.add(metric(o, config, "ntk_drift_final", n.drift())));
        first(d.confusion().stream().filter(c -> "per_example".equals(c.kind())).toList(), c -> c.step())
                .ifPresent(c -> out.add(metric(o, config, "confusion_min_cosine_init", c.minCosine())));
        first(d.layerGradients(), LayerGradientsAt::step).ifPresent(g -> out.add(metric(o, config, "delta_first_over_last_init",
                firstOverLast(d.layerGradients().stream().filter(x -> x.step() == g.step()).toList()))));
        List<HessianEigenvalueAt> top = o.hessian().eigenvalues().stream().filter(e -> "largest".equals(e.side()) && e.rank() == 1).toList();
        last(top, HessianEigenvalueAt::step).ifPresent(e -> {
            out.add(metric(o, config, "hessian_lambda_max", e.eigenvalue()));
            out.add(metric(o, config, "hessian_negative_to_positive_ratio", e.negativeToPositiveRatio()));
        });
        last(SpectrumShape.rows(o.hessian(), r.paramCount()), HessianSpectrumAt::step).ifPresent(s -> {
            out.add(metric(o, config, "hessian_outliers", s.outliers() < 0 ? Double.NaN : s.outliers()));
            out.add(metric(o, config, "hessian_lambda_max_over_std", s.lambdaMaxOverStd()));
            out.add(metric(o, config, "hessian_lambda_max_over_bulk_edge", s.lambdaMaxOverBulkEdge()));
            out.add(metric(o, config, "hessian_top_k_share", s.topKShare()));
            out.add(metric(o, config, "hessian_nonnull_kurtosis", s.nonnullKurtosis()));
            out.add(metric(o, config, "hessian_gradient_overlap", s.gradientOverlap()));
        });
        return out;
    }

    /** The first map's per-example delta over the last map's, at one step; none without map 0 or with a zero last delta. */
    private static double firstOverLast(List<LayerGradientsAt> step) {
        OptionalDouble first = step.stream().filter(g -> g.map() == 0).mapToDouble(LayerGradientsAt::deltaRmsPerExample).max();
        double lastDelta = last(step, LayerGradientsAt::map).orElseThrow().deltaRmsPerExample();
        return first.isEmpty() || lastDelta == 0 ? Double.NaN : first.getAsDouble() / lastDelta;
    }

    private static RunMetric metric(RunOutcome o, Map<String, Object> config, String name, double value) {
        return new RunMetric(config, o.run().runId(), o.run().status(), name, present(value));
    }

    /** NaN is no value. */
    private static Double present(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** The row with the smallest key (the first such in the list). */
    private static <T> Optional<T> first(List<T> rows, ToIntFunction<T> key) {
        return rows.stream().min(Comparator.comparingInt(key));
    }

    /** The row with the largest key (the first such in the list). */
    private static <T> Optional<T> last(List<T> rows, ToIntFunction<T> key) {
        return rows.stream().max(Comparator.comparingInt(key));
    }
}
