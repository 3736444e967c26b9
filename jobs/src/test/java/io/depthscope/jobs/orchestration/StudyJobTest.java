package io.depthscope.jobs.orchestration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.jobs.tables.RunMetrics;
import io.depthscope.jobs.tables.Tables;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart study's path on local[2], on a smaller grid: tables, row counts, schema, summary. */
@ExtendWith(SharedSpark.class)
@Tag("spark-study") // whole studies on Spark: left out of the fast path (mvn -Pfast)
class StudyJobTest {
    static final String CONF = """
            name = quickstart-test
            run { width = 12, dataset { input_dim = 5, n_train = 32, n_test = 16 }, steps = 20, eval_every = 5,
                  optimizer { lr = 0.1 },
                  hessian { probes = 4, probes_per_block = 3, top_k = 2, lanczos_steps = 10, density_runs = 2, density_steps = 8 },
                  diagnostics { steps = [0, 20], examples = 16, minibatches = 3, minibatch_size = 8 } }
            grid { arch = [mlp, resmlp], depth = [1, 3], seed = [0, 1, 2] }
            """;

    static SparkSession spark;
    @TempDir
    static Path dir;
    static StudyConfig config;
    static StudyJob.Result result;
    static String out;

    @BeforeAll
    static void runStudy(SparkSession shared) {
        spark = shared;
        config = StudyConfig.parse(CONF);
        out = dir.resolve("out").toString();
        result = StudyJob.run(spark, config, out);
    }

    @Test
    void everyTableHasThePredictedRows() {
        List<RunSpec> plan = config.plan();
        assertEquals(12, plan.size());
        List<Row> runs = StudyJob.read(spark, out, Tables.RUNS).collectAsList();
        assertEquals(12, runs.size());
        Set<String> ids = new HashSet<>();
        for (Row r : runs) {
            ids.add(r.getAs("run_id"));
            assertEquals("ok", r.getAs("status"));
            assertEquals("quickstart-test", r.getAs("study"));
            assertEquals("float64", r.getAs("dtype"));
            assertTrue(((String) r.getAs("code_version")).length() > 0);
            assertEquals(spark.version(), r.getAs("spark_version"));
        }
        Set<String> planned = new HashSet<>();
        plan.forEach(s -> planned.add(s.runId()));
        assertEquals(planned, ids);
        // steps 0, 5, 10, 15, 20 for every run
        assertEquals(12 * 5, StudyJob.read(spark, out, Tables.TRAIN_CURVE).count());
        assertEquals(12, StudyJob.read(spark, out, Tables.HESSIAN_MOMENTS).count());
        // 2 archs x 2 depths groups x every metric
        assertEquals(2 * 2 * (RunMetrics.METRICS.size() + RunMetrics.DIAGNOSTIC_METRICS.size()), StudyJob.read(spark, out, Tables.SUMMARY).count());
        // two depths are too few for a line with a standard error: the table is there, and empty
        assertEquals(0, StudyJob.read(spark, out, Tables.TRENDS).count());
    }

    @Test
    void diagnosticsAndHessianTablesHaveTheRowsThePlanPredicts() {
        // per arch and seed: depths 1 and 3, so 2 + 4 linear maps and 1 + 3 hidden layers, at 2 diagnostics steps
        assertEquals(2 * 3 * (2 + 4) * 2, count("layer_gradients"));
        assertEquals(12 * 2 * 2, count("gradient_confusion"), "per-example and minibatch at each step");
        assertEquals(12 * 2, count("ntk"));
        assertEquals(2 * 3 * (1 + 3) * 2, count("jacobian_spectrum"), "one input, every hidden layer");
        assertEquals(2 * 3 * (1 + 3) * 2, count("representation_rank"));
        assertEquals(12 * 4, count("hessian_probes"));
        assertEquals(12 * (2 + 2), count("hessian_top_eigenvalues"));
        assertEquals(12, count("hessian_density"));
        assertEquals(12, count(Tables.HESSIAN_SPECTRUM), "one row per run and Hessian step, derived from the three above");
        assertEquals(0, StudyJob.read(spark, out, Tables.HESSIAN_SPECTRUM).filter("outliers < 0 OR NOT (gradient_overlap BETWEEN 0 AND 1)").count());
        assertEquals(2 * 3 * 2, count(Tables.RESIDUAL_COMPARISON), "a plain/residual pair per depth and seed, at 2 steps");
        assertEquals(12, StudyJob.read(spark, out, Tables.HESSIAN_MOMENTS).filter("probes = 4 AND method = 'hutchinson'").count());
    }

    @Test
    void distributedHessianAndDiagnosticsEqualTheRunComputedInOneProcess() {
        RunSpec spec = config.plan().get(7);
        RunOutcome direct = Trainer.run(spec);
        String id = "run_id = '" + spec.runId() + "'";
        Row m = StudyJob.read(spark, out, Tables.HESSIAN_MOMENTS).filter(id).first();
        var dm = direct.moments().get(0).moments();
        assertEquals(dm.m1(), m.<Double>getAs("m1"), 1e-9 * Math.abs(dm.m1()));
        assertEquals(dm.kurtosis(), m.<Double>getAs("kurtosis"), 1e-9 * Math.abs(dm.kurtosis()));
        assertEquals(dm.m4Stderr(), m.<Double>getAs("m4_stderr"), 1e-9 * dm.m4Stderr());
        Row top = StudyJob.read(spark, out, "hessian_top_eigenvalues").filter(id + " AND side = 'largest' AND rank = 1").first();
        double lambda = direct.hessian().eigenvalues().get(0).eigenvalue();
        assertEquals(lambda, top.<Double>getAs("eigenvalue"), 1e-9 * Math.abs(lambda));
        Row density = StudyJob.read(spark, out, "hessian_density").filter(id).first();
        List<Double> grid = density.getList(density.fieldIndex("grid"));
        assertEquals(direct.hessian().densities().get(0).grid().size(), grid.size());
        assertEquals(direct.hessian().densities().get(0).spectrumStd(), density.<Double>getAs("spectrum_std"), 1e-9);
        Row ntk = StudyJob.read(spark, out, "ntk").filter(id + " AND step = 20").first();
        var dn = direct.diagnostics().ntk().get(1);
        assertEquals(dn.lambdaMin(), ntk.<Double>getAs("lambda_min"), 1e-9 * dn.lambdaMax());
        assertEquals(dn.drift(), ntk.<Double>getAs("drift"), 1e-9);
    }

    @Test
    void aRestartRedoesOnlyTheHessianPiecesThatWereNotCommitted() throws Exception {
        List<Row> before = StudyJob.read(spark, out, Tables.HESSIAN_MOMENTS).orderBy("run_id", "step").collectAsList();
        java.io.File pieces = new java.io.File(out, "_hessian");
        java.io.File[] files = pieces.listFiles((d, n) -> n.endsWith(".piece") && n.contains("probes-1"));
        assertTrue(files != null && files.length == 12, "one second probe block per run");
        long untouched = new java.io.File(pieces, files[1].getName()).lastModified();
        assertTrue(files[0].delete());
        StudyJob.run(spark, config, out);
        assertTrue(files[0].isFile(), "the deleted piece was computed again");
        assertEquals(untouched, files[1].lastModified(), "a committed piece is not redone");
        List<Row> after = StudyJob.read(spark, out, Tables.HESSIAN_MOMENTS).orderBy("run_id", "step").collectAsList();
        assertEquals(before.size(), after.size(), "no row twice");
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).<Double>getAs("m2"), after.get(i).<Double>getAs("m2"), 1e-12 * Math.abs(before.get(i).<Double>getAs("m2")));
        }
    }

    @Test
    void diagnosticMetricsInTheSummaryAreMeansOfTheirTables() {
        Map<String, Row> runs = new HashMap<>();
        StudyJob.read(spark, out, Tables.RUNS).collectAsList().forEach(r -> runs.put(r.getAs("run_id"), r));
        Map<String, List<Double>> lambdaMin = new HashMap<>();
        for (Row n : StudyJob.read(spark, out, "ntk").filter("step = 0").collectAsList()) {
            Row r = runs.get(n.<String>getAs("run_id"));
            add(lambdaMin, r.getAs("arch") + "/" + r.getAs("depth"), n.getAs("lambda_min"));
        }
        Map<String, List<Double>> ratio = new HashMap<>();
        Map<String, double[]> deltas = new HashMap<>();
        for (Row g : StudyJob.read(spark, out, "layer_gradients").filter("step = 0").collectAsList()) {
            Row r = runs.get(g.<String>getAs("run_id"));
            int depth = r.getAs("depth");
            double[] d = deltas.computeIfAbsent(g.getAs("run_id"), k -> new double[depth + 1]);
            d[g.<Integer>getAs("map")] = g.getAs("delta_rms_per_example");
        }
        deltas.forEach((id, d) -> add(ratio, runs.get(id).getAs("arch") + "/" + runs.get(id).getAs("depth"), d[0] / d[d.length - 1]));
        int checked = 0;
        for (Row s : StudyJob.read(spark, out, Tables.SUMMARY).filter("metric IN ('ntk_lambda_min_init', 'delta_first_over_last_init')")
                .collectAsList()) {
            String key = s.getAs("arch") + "/" + s.getAs("depth");
            List<Double> v = (s.getAs("metric").equals("ntk_lambda_min_init") ? lambdaMin : ratio).get(key);
            double mean = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertEquals(3L, s.<Long>getAs("n"));
            assertEquals(mean, s.<Double>getAs("mean"), 1e-12 * Math.abs(mean), key + " " + s.getAs("metric"));
            checked++;
        }
        assertEquals(2 * 2 * 2, checked);
    }

    private static long count(String table) {
        return StudyJob.read(spark, out, table).count();
    }

    @Test
    void schemasHaveTheDocumentedColumns() {
        List<String> runs = Arrays.asList(StudyJob.read(spark, out, Tables.RUNS).columns());
        for (String c : List.of("run_id", "arch", "depth", "width", "seed", "status", "wall_seconds", "code_version", "backend", "dtype",
                "final_loss", "param_count", "dataset_kind", "optimizer_lr", "init_kind", "hessian_probes", "final_test_loss")) {
            assertTrue(runs.contains(c), "runs lacks " + c);
        }
        assertEquals(List.of("run_id", "step", "train_loss", "train_accuracy", "gradient_norm", "test_loss", "test_accuracy", "seconds"),
                Arrays.asList(StudyJob.read(spark, out, Tables.TRAIN_CURVE).columns()));
        List<String> moments = Arrays.asList(StudyJob.read(spark, out, Tables.HESSIAN_MOMENTS).columns());
        assertTrue(moments.containsAll(List.of("m1", "m4_stderr", "skewness", "kurtosis", "kurtosis_stderr", "probes", "method")));
        List<String> summary = Arrays.asList(StudyJob.read(spark, out, Tables.SUMMARY).columns());
        assertTrue(summary.containsAll(List.of("arch", "depth", "metric", "n", "mean", "std", "stderr", "ci95_low", "ci95_high")));
    }

    @Test
    void summaryEqualsAnAggregateRecomputedFromRuns() {
        Map<String, Row> moments = new HashMap<>();
        for (Row m : StudyJob.read(spark, out, Tables.HESSIAN_MOMENTS).collectAsList()) {
            moments.put(m.getAs("run_id"), m);
        }
        Map<String, List<Double>> byGroup = new HashMap<>();
        for (Row r : StudyJob.read(spark, out, Tables.RUNS).collectAsList()) {
            String key = r.getAs("arch") + "/" + r.getAs("depth");
            Row m = moments.get(r.<String>getAs("run_id"));
            add(byGroup, key + "/final_loss", r.getAs("final_loss"));
            add(byGroup, key + "/kurtosis", m.getAs("kurtosis"));
            add(byGroup, key + "/skewness", m.getAs("skewness"));
        }
        int checked = 0;
        for (Row s : StudyJob.read(spark, out, Tables.SUMMARY).collectAsList()) {
            List<Double> values = byGroup.get(s.getAs("arch") + "/" + s.getAs("depth") + "/" + s.getAs("metric"));
            if (values == null) {
                continue;
            }
            int n = values.size();
            double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
            double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
            double std = Math.sqrt(ss / (n - 1));
            double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * std / Math.sqrt(n);
            assertEquals(n, s.<Long>getAs("n"));
            assertEquals(mean, s.<Double>getAs("mean"), 1e-12 * Math.abs(mean));
            assertEquals(std, s.<Double>getAs("std"), 1e-9 * std);
            assertEquals(mean - half, s.<Double>getAs("ci95_low"), 1e-9 * Math.abs(half) + 1e-12 * Math.abs(mean));
            assertEquals(mean + half, s.<Double>getAs("ci95_high"), 1e-9 * Math.abs(half) + 1e-12 * Math.abs(mean));
            checked++;
        }
        assertEquals(2 * 2 * 3, checked);
    }

    @Test
    void sparkRunsGiveTheSameNumbersAsTheLibraryCalledDirectly() {
        RunSpec spec = config.plan().get(5);
        RunOutcome direct = Trainer.run(spec);
        Row row = StudyJob.read(spark, out, Tables.RUNS).filter("run_id = '" + spec.runId() + "'").first();
        // Same backend, same dtype; thread counts may differ, so rounding-level agreement.
        assertEquals(direct.run().finalLoss(), row.<Double>getAs("final_loss"), 1e-12 * direct.run().finalLoss());
        Row m = StudyJob.read(spark, out, Tables.HESSIAN_MOMENTS).filter("run_id = '" + spec.runId() + "'").first();
        assertEquals(direct.moments().get(0).moments().m2(), m.<Double>getAs("m2"), 1e-9 * Math.abs(m.<Double>getAs("m2")));
    }

    private static void add(Map<String, List<Double>> m, String key, double v) {
        m.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
    }
}
