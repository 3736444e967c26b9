package io.depthscope.jobs.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.diag.GradientConfusionAt;
import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.NtkAt;
import io.depthscope.probe.HessianEigenvalueAt;
import io.depthscope.probe.HessianResults;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.train.RunDiagnostics;
import io.depthscope.train.RunOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The summary across seeds and the per-run metrics it starts from, on outcomes the test makes: means, sample
 * standard deviations and t intervals by hand, diverged and failed runs counted and left out, groups without a
 * finished run dropped, and each diagnostic metric taken at its step (the first or the last, whatever the order
 * of the rows).
 */
class SummaryTest {
    static final List<RunSpec> PLAN = StudyConfig.parse("name = summary\nrun { width = 4, steps = 20 }\n"
            + "grid { arch = [mlp, resmlp], depth = [2], seed = [0, 1, 2, 3, 4] }").plan();

    static RunSpec spec(String arch, int seed) {
        return PLAN.stream().filter(s -> s.arch().equals(arch) && s.seed() == seed).findFirst().orElseThrow();
    }

    static RunOutcome outcome(RunSpec spec, String status, double loss, RunDiagnostics d, HessianResults h) {
        return new RunOutcome(spec, TrendsTest.outcome(spec, status, 20, loss, 0.5, 1.0, Double.NaN, -1, List.of()).run(), List.of(), d, h,
                List.of());
    }

    static List<String> groups() {
        List<String> g = new ArrayList<>(PLAN.get(0).columns().keySet());
        g.remove("seed");
        return g;
    }

    /** The summary rows by "arch/metric", with their schema. */
    static Map<String, Row> summary(List<RunOutcome> outcomes) {
        List<String> groups = groups();
        Map<String, Row> out = new HashMap<>();
        for (Row r : Summary.rows(RunMetrics.of(outcomes), groups)) {
            Row named = TrendsTest.withSchema(r, Summary.schema(Tables.configFields(PLAN.get(0)), groups));
            out.put(named.getAs("arch") + "/" + named.getAs("metric"), named);
        }
        return out;
    }

    @Test
    void meansStandardDeviationsAndIntervalsOverTheFinishedRunsWithTheOthersCounted() {
        double[] losses = {0.3, 0.7, 1.4};
        List<RunOutcome> outcomes = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            outcomes.add(outcome(spec("mlp", s), "ok", losses[s], RunDiagnostics.empty(), HessianResults.empty()));
        }
        outcomes.add(outcome(spec("mlp", 3), "diverged", 1e12, RunDiagnostics.empty(), HessianResults.empty()));
        outcomes.add(outcome(spec("mlp", 4), "failed", Double.NaN, RunDiagnostics.empty(), HessianResults.empty()));
        for (int s = 0; s < 2; s++) {
            outcomes.add(outcome(spec("resmlp", s), "diverged", 1e12, RunDiagnostics.empty(), HessianResults.empty()));
        }
        Map<String, Row> rows = summary(outcomes);

        Row loss = rows.get("mlp/final_loss");
        double mean = (0.3 + 0.7 + 1.4) / 3;
        double std = Math.sqrt((Math.pow(0.3 - mean, 2) + Math.pow(0.7 - mean, 2) + Math.pow(1.4 - mean, 2)) / 2);
        double half = new TDistribution(2).inverseCumulativeProbability(0.975) * std / Math.sqrt(3);
        assertEquals(3L, loss.<Long>getAs("n"));
        assertEquals(1L, loss.<Long>getAs("n_diverged"));
        assertEquals(1L, loss.<Long>getAs("n_failed"));
        assertEquals(mean, loss.getAs("mean"), 1e-15);
        assertEquals(std, loss.getAs("std"), 1e-15);
        assertEquals(std / Math.sqrt(3), loss.getAs("stderr"), 1e-15);
        assertEquals(mean - half, loss.getAs("ci95_low"), 1e-14);
        assertEquals(mean + half, loss.getAs("ci95_high"), 1e-14);

        // no run reached its target: a row with n = 0 and no numbers
        Row target = rows.get("mlp/steps_to_target");
        assertEquals(0L, target.<Long>getAs("n"));
        assertTrue(Double.isNaN(target.<Double>getAs("mean")));
        assertTrue(Double.isNaN(target.<Double>getAs("std")));

        // resmlp has no finished run, and no diagnostics were measured: no rows for either
        assertTrue(rows.keySet().stream().noneMatch(k -> k.startsWith("resmlp/")), rows.keySet().toString());
        assertEquals(RunMetrics.METRICS.size(), rows.size());
    }

    @Test
    void eachDiagnosticMetricIsTakenAtItsFirstOrLastStepWhateverTheOrderOfTheRows() {
        RunSpec spec = spec("mlp", 0);
        String id = spec.runId();
        List<NtkAt> ntk = List.of(ntk(id, 5, 0.5, 0.05), ntk(id, 0, 0.1, 0.0), ntk(id, 10, 0.9, 0.3));
        List<GradientConfusionAt> confusion = List.of(confusion(id, 0, "minibatch", -0.9), confusion(id, 7, "per_example", -0.7),
                confusion(id, 3, "per_example", -0.3));
        List<LayerGradientsAt> gradients = List.of(gradient(id, 2, 0, 100), gradient(id, 2, 2, 1), gradient(id, 0, 1, 5),
                gradient(id, 0, 2, 8), gradient(id, 0, 0, 2));
        List<HessianEigenvalueAt> eigen = List.of(eigen(id, 20, "largest", 1, 4.0, 0.25), eigen(id, 20, "largest", 2, 3.0, 0.0),
                eigen(id, 20, "smallest", 1, -1.0, 0.0), eigen(id, 0, "largest", 1, 9.0, 0.5));
        RunOutcome o = outcome(spec, "ok", 0.5, new RunDiagnostics(gradients, confusion, ntk, List.of(), List.of()),
                new HessianResults(List.of(), List.of(), eigen, List.of()));
        Map<String, Double> m = new HashMap<>();
        RunMetrics.of(List.of(o)).forEach(v -> m.put(v.metric(), v.value()));
        assertEquals(0.1, m.get("ntk_lambda_min_init"));
        assertEquals(0.3, m.get("ntk_drift_final"));
        assertEquals(-0.3, m.get("confusion_min_cosine_init"));
        assertEquals(2.0 / 8.0, m.get("delta_first_over_last_init"));
        assertEquals(4.0, m.get("hessian_lambda_max"));
        assertEquals(0.25, m.get("hessian_negative_to_positive_ratio"));
        assertEquals(RunMetrics.METRICS.size() + RunMetrics.DIAGNOSTIC_METRICS.size(), m.size());
        assertNull(m.get("final_test_loss"), "NaN is no value");
        assertNull(m.get("steps_to_target"), "a target not reached is no value");
        assertNull(m.get("kurtosis"), "no Hessian moments, no kurtosis");
    }

    /**
     * The hessian_spectrum metrics come from the last Hessian step's moments and Lanczos rows: the top-2 share of tr(H^2) = P m2,
     * lambda_max / s and the summed gradient overlaps; without a density there is no outlier count, edge or null mass.
     */
    @Test
    void theSpectrumMetricsAreTheLastHessianStepsHessianSpectrumRow() {
        RunSpec spec = spec("mlp", 0);
        String id = spec.runId();
        long p = outcome(spec, "ok", 0.5, RunDiagnostics.empty(), HessianResults.empty()).run().paramCount();
        var early = new io.depthscope.probe.HessianMoments(0.5, 9, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, "exact", 0, p);
        var late = new io.depthscope.probe.HessianMoments(1, 5, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, "exact", 0, p);
        List<HessianEigenvalueAt> eigen = List.of(
                new HessianEigenvalueAt(id, 20, 16, 8, "largest", 1, 4.0, 1e-6, 4.0, 0.0, 0.0, 0.25, Double.NaN),
                new HessianEigenvalueAt(id, 20, 16, 8, "largest", 2, 3.0, 1e-6, 3.0, 0.0, 0.0, 0.125, Double.NaN),
                new HessianEigenvalueAt(id, 0, 16, 8, "largest", 1, 9.0, 1e-6, 9.0, 0.0, 0.0, 0.5, Double.NaN));
        RunOutcome o = outcome(spec, "ok", 0.5, RunDiagnostics.empty(), new HessianResults(List.of(
                new io.depthscope.probe.HessianMomentsAt(id, 20, 16, late), new io.depthscope.probe.HessianMomentsAt(id, 0, 16, early)),
                List.of(), eigen, List.of()));
        Map<String, Double> m = new HashMap<>();
        RunMetrics.of(List.of(o)).forEach(v -> m.put(v.metric(), v.value()));
        assertEquals(25.0 / (p * 5.0), m.get("hessian_top_k_share"), 1e-15);
        assertEquals(4.0 / 2.0, m.get("hessian_lambda_max_over_std"), 1e-15);
        assertEquals(0.375, m.get("hessian_gradient_overlap"), 1e-15);
        assertNull(m.get("hessian_outliers"), "no density, no bulk: -1 is no value");
        assertNull(m.get("hessian_nonnull_kurtosis"));
        assertTrue(m.containsKey("hessian_lambda_max_over_bulk_edge") && m.get("hessian_lambda_max_over_bulk_edge") == null);
    }

    @Test
    void aRunWithoutADiagnosticHasNoValueForIt() {
        RunOutcome o = outcome(spec("mlp", 0), "ok", 0.5, RunDiagnostics.empty(), HessianResults.empty());
        List<String> metrics = RunMetrics.of(List.of(o)).stream().map(RunMetric::metric).toList();
        assertEquals(RunMetrics.METRICS, metrics);
    }

    static NtkAt ntk(String id, int step, double lambdaMin, double drift) {
        return new NtkAt(id, step, 8, 1, lambdaMin, 2.0, 2.0 / lambdaMin, 3.0, 2.5, 0, drift, 1.0);
    }

    static GradientConfusionAt confusion(String id, int step, String kind, double minCosine) {
        return new GradientConfusionAt(id, step, kind, 4, 8, -1.0, 0.1, minCosine, 0.2, 1.0, 0.1);
    }

    static LayerGradientsAt gradient(String id, int step, int map, double deltaRms) {
        return new LayerGradientsAt(id, step, 8, map, 1.0, 0.5, deltaRms * 8, deltaRms);
    }

    static HessianEigenvalueAt eigen(String id, int step, String side, int rank, double eigenvalue, double ratio) {
        return new HessianEigenvalueAt(id, step, 16, 8, side, rank, eigenvalue, 1e-6, eigenvalue, 0.0, ratio, Double.NaN, Double.NaN);
    }
}
