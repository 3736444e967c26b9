package io.depthscope.jobs.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.jobs.orchestration.FaultInjection;
import io.depthscope.jobs.orchestration.StudyJob;
import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.probe.HessianMoments;
import io.depthscope.probe.HessianMomentsAt;
import io.depthscope.probe.HessianResults;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.train.RunDiagnostics;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.RunRecord;
import io.depthscope.util.Provenance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trends on synthetic runs (outcomes whose final values and Hessian moments the test chooses), checked against
 * ordinary least squares by hand on the values the test itself says should count: exact lines, noisy ones,
 * logs, constants, and values that must stay out (diverged runs, NaN, Inf, steps_to_target = -1, moments at an
 * earlier step, fewer than three depths). One case runs a whole study on Spark.
 */
class TrendsTest {
    static final int[] DEPTHS = {1, 2, 4, 8};
    static final int STEPS = 50;
    static final Provenance PROVENANCE = new Provenance("synthetic1", "cpu", "17", "Linux", "amd64");

    /** "arch/metric" to the (depth, value) pairs that should enter its fit. */
    static final Map<String, List<double[]>> expected = new TreeMap<>();
    static Map<String, Row> trends = new HashMap<>();
    static long rowCount;

    @BeforeAll
    static void fit() {
        Random rnd = new Random(7);
        Map<String, RunSpec> specs = new HashMap<>();
        StudyConfig.parse("name = trends\nrun { width = 4, steps = " + STEPS + " }\ngrid { arch = [mlp, resmlp], depth = [1, 2, 4, 8], seed = [0, 1, 2, 3, 4] }")
                .plan().forEach(s -> specs.put(s.arch() + s.depth() + "s" + s.seed(), s));
        List<RunOutcome> outcomes = new ArrayList<>();
        for (String arch : List.of("mlp", "resmlp")) {
            for (int d : DEPTHS) {
                for (int seed = 0; seed < 3; seed++) {
                    // mlp's loss is an exact line (zero residuals); resmlp's a noisy one.
                    double loss = arch.equals("mlp") ? 2 + 0.5 * d : 2 - 0.1 * d + 0.3 * rnd.nextGaussian();
                    double grad = 3 * Math.exp(-0.3 * d) * (1 + 0.1 * rnd.nextGaussian());
                    double testLoss = d <= 2 ? 1 + rnd.nextDouble() : Double.NaN; // two depths: no fit
                    int toTarget = d == 8 ? -1 : 10 * d + seed;
                    double m1 = -1 + 0.2 * d + 0.05 * rnd.nextGaussian(); // negative: no log fit
                    double m2 = Math.exp(0.1 * d + 0.2 * rnd.nextGaussian());
                    // an infinite kurtosis at one ok run must stay out of the fit
                    double kurtosis = d == 4 && seed == 0 ? Double.POSITIVE_INFINITY : 3 + d + rnd.nextDouble();
                    RunSpec spec = specs.get(arch + d + "s" + seed);
                    // moments at an earlier step are not the run's last, and must not enter
                    outcomes.add(outcome(spec, "ok", STEPS, loss, grad, 1.0, testLoss, toTarget,
                            List.of(moments(spec, 0, 1e6, 1e6, 1e6), moments(spec, STEPS, m1, m2, kurtosis))));
                    add(arch, "final_loss", d, loss);
                    add(arch, "final_gradient_norm", d, grad);
                    add(arch, "final_train_accuracy", d, 1.0);
                    if (d <= 2) {
                        add(arch, "final_test_loss", d, testLoss);
                    }
                    if (toTarget >= 0) {
                        add(arch, "steps_to_target", d, toTarget);
                    }
                    add(arch, "m1", d, m1);
                    add(arch, "m2", d, m2);
                    if (Double.isFinite(kurtosis)) {
                        add(arch, "kurtosis", d, kurtosis);
                    }
                }
            }
            outcomes.add(outcome(specs.get(arch + "8s3"), "diverged", 7, 1e9, 1e9, 0.1, 1e9, -1, List.of()));
            outcomes.add(outcome(specs.get(arch + "2s4"), "failed", 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, List.of()));
        }
        List<String> groups = new ArrayList<>(outcomes.get(0).spec().columns().keySet());
        groups.removeAll(List.of("depth", "seed"));
        List<Row> rows = Trends.rows(RunMetrics.of(outcomes), groups);
        rowCount = rows.size();
        int arch = groups.indexOf("arch");
        int metric = groups.size();
        for (Row r : rows) {
            trends.put(r.get(arch) + "/" + r.get(metric) + "/" + r.get(metric + 1), withSchema(r, Trends.schema(Tables.configFields(
                    outcomes.get(0).spec()), groups)));
        }
    }

    static RunOutcome outcome(RunSpec spec, String status, int steps, double loss, double grad, double accuracy, double testLoss,
            int toTarget, List<HessianMomentsAt> moments) {
        RunRecord run = new RunRecord(spec.runId(), status, null, 100, "synthetic", 3.0, loss, grad, accuracy, testLoss, Double.NaN,
                toTarget, steps, -1, 1.0, PROVENANCE);
        return new RunOutcome(spec, run, List.of(), RunDiagnostics.empty(), new HessianResults(moments, List.of(), List.of(), List.of()),
                List.of());
    }

    static HessianMomentsAt moments(RunSpec spec, int step, double m1, double m2, double kurtosis) {
        return new HessianMomentsAt(spec.runId(), step, 16, new HessianMoments(m1, m2, 0, 0, 0, 0, 0, 0, Double.NaN, kurtosis, 0, 0,
                "exact", 0, 100));
    }

    /** The row with its schema, so its columns can be read by name. */
    static Row withSchema(Row r, StructType schema) {
        return new GenericRowWithSchema(java.util.stream.IntStream.range(0, r.length()).mapToObj(r::get).toArray(), schema);
    }

    private static void add(String arch, String metric, int depth, double value) {
        expected.computeIfAbsent(arch + "/" + metric, k -> new ArrayList<>()).add(new double[] {depth, value});
    }

    @Test
    void oneRowPerFitThatHasThreeDepthsAndOneMoreWhereAllValuesArePositive() {
        int rows = 0;
        for (Map.Entry<String, List<double[]>> e : expected.entrySet()) {
            long depths = e.getValue().stream().mapToDouble(p -> p[0]).distinct().count();
            boolean positive = e.getValue().stream().allMatch(p -> p[1] > 0);
            assertEquals(depths >= 3, trends.containsKey(e.getKey() + "/linear"), e.getKey());
            assertEquals(depths >= 3 && positive, trends.containsKey(e.getKey() + "/log"), e.getKey());
            rows += depths >= 3 ? (positive ? 2 : 1) : 0;
        }
        assertEquals(rows, rowCount);
        assertTrue(rows >= 2 * 5, "the synthetic tables exercise several fits");
    }

    @Test
    void slopesStandardErrorsAndIntervalsAreOrdinaryLeastSquares() {
        int checked = 0;
        for (Map.Entry<String, List<double[]>> e : expected.entrySet()) {
            for (String scale : List.of("linear", "log")) {
                Row r = trends.get(e.getKey() + "/" + scale);
                if (r == null || e.getKey().endsWith("accuracy")) {
                    continue;
                }
                List<double[]> points = e.getValue();
                double[] ols = ols(points, scale.equals("log"));
                String what = e.getKey() + "/" + scale;
                assertEquals(points.size(), r.<Long>getAs("n"), what);
                assertEquals(points.stream().mapToDouble(p -> p[0]).distinct().count(), r.<Long>getAs("n_depths"), what);
                assertClose(ols[0], r.getAs("slope"), what + " slope");
                assertClose(ols[1], r.getAs("slope_stderr"), what + " slope_stderr");
                assertClose(ols[2], r.getAs("intercept"), what + " intercept");
                assertClose(ols[3], r.getAs("intercept_stderr"), what + " intercept_stderr");
                TDistribution t = new TDistribution(points.size() - 2);
                double half = t.inverseCumulativeProbability(0.975) * ols[1];
                assertClose(ols[0] - half, r.getAs("slope_ci95_low"), what + " ci low");
                assertClose(ols[0] + half, r.getAs("slope_ci95_high"), what + " ci high");
                assertClose(2 * t.cumulativeProbability(-Math.abs(ols[0] / ols[1])), r.getAs("p_value"), what + " p_value");
                assertClose(ols[4], r.getAs("r2"), what + " r2");
                checked++;
            }
        }
        assertTrue(checked >= 10, "checked " + checked);
    }

    @Test
    void anExactLineHasItsSlopeAndNoResidualError() {
        Row r = trends.get("mlp/final_loss/linear");
        assertEquals(0.5, r.<Double>getAs("slope"), 1e-12);
        assertEquals(2.0, r.<Double>getAs("intercept"), 1e-12);
        assertEquals(0.0, r.<Double>getAs("slope_stderr"), 1e-12);
        assertEquals(1.0, r.<Double>getAs("r2"), 1e-12);
    }

    @Test
    void aConstantMetricHasSlopeZeroAndNoStandardError() {
        for (String scale : List.of("linear", "log")) {
            Row r = trends.get("mlp/final_train_accuracy/" + scale);
            assertEquals(0.0, r.<Double>getAs("slope"), 1e-15);
            assertEquals(scale.equals("log") ? 0.0 : 1.0, r.<Double>getAs("intercept"), 1e-15);
            for (String c : List.of("slope_stderr", "slope_ci95_low", "slope_ci95_high", "intercept_stderr", "p_value", "r2")) {
                assertTrue(Double.isNaN(r.<Double>getAs(c)), c);
            }
        }
    }

    @Test
    @Tag("spark-study") // a whole 6-run study: left out of the fast path, which keeps the fits above on outcomes made here
    @ExtendWith(SharedSpark.class)
    void aStudyWritesOneTrendPerMetricWithThreeDepthsAndOneMorePerPositiveMetric(@TempDir Path dir, SparkSession spark) {
        StudyConfig config = StudyConfig.parse("""
                name = trends-test
                run { width = 6, dataset { input_dim = 3, n_train = 16, n_test = 8 }, steps = 6, eval_every = 3, hessian { probes = 2 } }
                grid { depth = [1, 2, 3], seed = [0, 1] }
                """);
        String out = dir.resolve("out").toString();
        StudyJob.Result result = StudyJob.run(spark, config, out, FaultInjection.none());
        Map<String, Row> moments = new HashMap<>();
        // a run's metrics are its moments at its last step
        for (Row m : StudyJob.read(spark, out, Tables.HESSIAN_MOMENTS).collectAsList()) {
            moments.put(m.getAs("run_id") + "/" + m.getAs("step"), m);
        }
        Map<String, List<double[]>> points = new TreeMap<>();
        for (Row r : StudyJob.read(spark, out, Tables.RUNS).collectAsList()) {
            Row m = moments.get(r.<String>getAs("run_id") + "/" + r.getAs("steps_completed"));
            for (String metric : RunMetrics.METRICS) {
                Row from = List.of("m1", "m2", "skewness", "kurtosis").contains(metric) ? m : r;
                double v = ((Number) from.getAs(metric)).doubleValue();
                if (Double.isFinite(v) && !(metric.equals("steps_to_target") && v < 0)) {
                    points.computeIfAbsent(metric, k -> new ArrayList<>()).add(new double[] {r.<Integer>getAs("depth"), v});
                }
            }
        }
        long rows = 0;
        for (List<double[]> p : points.values()) {
            if (p.stream().mapToDouble(x -> x[0]).distinct().count() >= 3) {
                rows += p.stream().allMatch(x -> x[1] > 0) ? 2 : 1;
            }
        }
        assertEquals(rows, result.trends().count());
        Row loss = result.trends().filter("metric = 'final_loss' AND scale = 'linear'").first();
        assertClose(ols(points.get("final_loss"), false)[0], loss.getAs("slope"), "final_loss slope");
        assertEquals(6L, loss.<Long>getAs("n"));
    }

    /** slope, its stderr, intercept, its stderr and r2 of y (or log y) on x, from the closed forms. */
    static double[] ols(List<double[]> points, boolean log) {
        int n = points.size();
        double mx = 0;
        double my = 0;
        for (double[] p : points) {
            mx += p[0] / n;
            my += (log ? Math.log(p[1]) : p[1]) / n;
        }
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (double[] p : points) {
            double y = log ? Math.log(p[1]) : p[1];
            sxx += (p[0] - mx) * (p[0] - mx);
            sxy += (p[0] - mx) * (y - my);
            syy += (y - my) * (y - my);
        }
        double slope = sxy / sxx;
        double intercept = my - slope * mx;
        double rss = 0;
        for (double[] p : points) {
            double e = (log ? Math.log(p[1]) : p[1]) - intercept - slope * p[0];
            rss += e * e;
        }
        double s2 = rss / (n - 2);
        return new double[] {slope, Math.sqrt(s2 / sxx), intercept, Math.sqrt(s2 * (1.0 / n + mx * mx / sxx)), 1 - rss / syy};
    }

    private static void assertClose(double want, double got, String what) {
        assertEquals(want, got, 1e-9 * Math.abs(want) + 1e-12, what);
    }
}
