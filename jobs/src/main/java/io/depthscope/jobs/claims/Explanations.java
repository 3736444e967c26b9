package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;

import io.depthscope.nn.NetworkSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The question Depthscope exists for: which explanation of why depth makes training hard predicts how hard
 * each network is to train? Each explanation is a diagnostic measured at initialisation (step 0)
 * on the same runs, and each is judged by how well it ranks the runs by their
 * training difficulty: the final training loss, with a diverged run ranked hardest.
 *
 * <p>The seed is the unit. Within each seed, the runs (which differ in depth, arch, width or variant) give
 * one Spearman correlation between the diagnostic and the difficulty; the effect is the mean of those
 * correlations across seeds, its sign turned so that the explanation's own prediction is positive, with its
 * t interval as a description; the p-value is the permutation test's ({@link SpearmanPermutation}), because a
 * correlation of a few runs takes a few values and seeds that agree by chance give the t test no spread. Each
 * explanation is then a {@link Claim} ("this diagnostic predicts difficulty in the direction its explanation
 * says"), and a table's claims are corrected together by Holm. A regression of ln(final loss) on the
 * standardised diagnostic, fitted per seed and averaged across seeds, is in the notes.
 * Networks that are identical (mlp and resmlp at depth 1, which have no residual block) count once.
 * Pooled over studies, the unit is a study's seed.
 */
public final class Explanations {
    /** Where a diagnostic comes from and which way its explanation says it should predict difficulty. */
    public record Explanation(String name, String source, String diagnostic, int expectedSign, Function<StudyTables, Map<String, Double>> values) {}

    public static final List<Explanation> ALL = List.of(
            new Explanation("vanishing or exploding gradients", "Bengio et al. 1994; Nielsen ch. 5",
                    "|ln(delta of the first map / delta of the last)| at init", +1, Explanations::gradientImbalance),
            new Explanation("small gradients", "the vanishing-gradient account, as Orhan 2017 tests it",
                    "ln of the mean over weight layers of ||dLoss/dW|| at init", -1, Explanations::gradientSize),
            new Explanation("degenerate representations", "Saxe et al. 2014; Orhan & Pitkow 2017",
                    "effective rank of the deepest hidden representation at init", -1, Explanations::deepestRank),
            new Explanation("no dynamical isometry", "Pennington, Schoenholz & Ganguli 2017",
                    "spread (log_std) of the deepest input-to-hidden Jacobian's singular values at init", +1, Explanations::jacobianSpread),
            new Explanation("gradient confusion", "De et al. 2020",
                    "per-example min cosine between gradients at init (lower: more confusion)", -1, Explanations::confusion),
            new Explanation("an ill-conditioned tangent kernel", "Du et al. 2018",
                    "ln(lambda_min N / tr K) of the NTK Gram at init", -1, Explanations::kernel),
            new Explanation("a heavy-tailed Hessian", "Ghorbani, Krishnan & Xiao 2019",
                    "ln(kurtosis / P) of the Hessian spectrum at init", +1, Explanations::kurtosis),
            new Explanation("curvature against the step size", "Cohen et al. 2021; the GD stability limit 2/eta",
                    "ln(lambda_max(H_0) eta) at init", +1, Explanations::sharpness));

    private Explanations() {}

    /** One claim per explanation measured in this study (those it did not measure left out), Holm-corrected together. */
    public static ExplanationTable of(StudyTables t) {
        return of(List.of(t));
    }

    /** The explanations over several studies: each study's seeds are units of their own. */
    public static ExplanationTable of(List<StudyTables> studies) {
        List<Difficulty> difficulty = studies.stream().map(Explanations::difficulty).toList();
        List<Explanation> measured = new ArrayList<>();
        List<Claim> claims = new ArrayList<>();
        for (Explanation e : ALL) {
            List<Map<String, Double>> values = studies.stream().map(s -> measured(s, e)).toList();
            if (values.stream().allMatch(Map::isEmpty)) {
                continue;
            }
            measured.add(e);
            claims.add(claim(e, difficulty, values, studies.size()));
        }
        List<Claim> corrected = Holm.correct(claims);
        List<ExplanationTable.Entry> entries = new ArrayList<>();
        for (int i = 0; i < measured.size(); i++) {
            entries.add(new ExplanationTable.Entry(measured.get(i), corrected.get(i)));
        }
        return new ExplanationTable(entries);
    }

    /** Per run: its seed, and its difficulty (ln final loss; +infinity when it diverged); failed runs and duplicate networks left out. */
    record Difficulty(Map<String, Long> seed, Map<String, Double> lnLoss) {}

    static Difficulty difficulty(StudyTables t) {
        Map<String, Long> seed = new HashMap<>();
        Map<String, Double> lnLoss = new HashMap<>();
        for (Row r : distinctNetworks(t.runRows())) {
            String status = r.getAs("status");
            double loss = SeedValues.num(r, "final_loss");
            double d = "diverged".equals(status) ? Double.POSITIVE_INFINITY : "ok".equals(status) && loss > 0 ? Math.log(loss) : Double.NaN;
            if (!Double.isNaN(d)) {
                seed.put(r.getAs("run_id"), SeedValues.seed(r));
                lnLoss.put(r.getAs("run_id"), d);
            }
        }
        return new Difficulty(seed, lnLoss);
    }

    /**
     * The runs less those whose network is another run's: a residual arch at depth 1 (no residual block yet) when its plain twin, equal
     * in every other column, is there too. Only the fully connected pair has such a twin; a resnet of depth 6n+2 always has blocks.
     */
    static List<Row> distinctNetworks(List<Row> runs) {
        List<String> columns = List.of(runs.isEmpty() ? new String[0] : runs.get(0).schema().fieldNames());
        List<String> config = columns.subList(columns.indexOf("study") + 1, columns.indexOf("param_count"));
        java.util.Set<List<Object>> plain = new java.util.HashSet<>();
        for (Row r : runs) {
            if ("mlp".equals(r.getAs("arch")) && SeedValues.num(r, "depth") == 1) {
                plain.add(twinKey(r, config));
            }
        }
        return runs.stream().filter(r -> !(NetworkSpec.RESIDUAL_OF.get("mlp").equals(r.getAs("arch")) && SeedValues.num(r, "depth") == 1
                && plain.contains(twinKey(r, config)))).toList();
    }

    private static List<Object> twinKey(Row r, List<String> config) {
        List<Object> key = new ArrayList<>();
        for (String c : config) {
            // the arch is what differs, and the residual scale does not act at depth 1
            if (!c.equals("arch") && !c.equals("residual_scale")) {
                key.add(r.getAs(c));
            }
        }
        return key;
    }

    private static Claim claim(Explanation e, List<Difficulty> difficulty, List<Map<String, Double>> values, int studies) {
        List<Double> rhos = new ArrayList<>();
        List<double[]> xs = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        List<Double> slopes = new ArrayList<>();
        long runs = 0;
        for (int s = 0; s < difficulty.size(); s++) {
            Difficulty d = difficulty.get(s);
            SortedMap<Long, List<double[]>> bySeed = new TreeMap<>();
            for (Map.Entry<String, Double> v : values.get(s).entrySet()) {
                Double y = d.lnLoss().get(v.getKey());
                if (y != null && Double.isFinite(v.getValue())) {
                    bySeed.computeIfAbsent(d.seed().get(v.getKey()), k -> new ArrayList<>()).add(new double[] {v.getValue(), y});
                }
            }
            for (List<double[]> pts : bySeed.values()) {
                double rho = spearman(pts);
                if (!Double.isNaN(rho)) {
                    rhos.add(e.expectedSign() * rho);
                    xs.add(pts.stream().mapToDouble(p -> p[0]).toArray());
                    ys.add(pts.stream().mapToDouble(p -> hardest(p[1])).toArray());
                    runs += pts.size();
                }
                double slope = standardisedSlope(pts);
                if (!Double.isNaN(slope)) {
                    slopes.add(slope);
                }
            }
        }
        Effect mean = Effect.mean(rhos.stream().mapToDouble(Double::doubleValue).toArray());
        SpearmanPermutation.Result test = mean.defined() ? SpearmanPermutation.test(xs, ys) : null;
        String unit = studies > 1 ? "study seeds" : "seeds";
        Effect effect = mean.defined() ? Effect.t(mean.estimate(), mean.se(), mean.df(), "per-seed Spearman correlations, mean across " + unit
                + ", t interval").decidedBy(test.p(), test.method())
                : Effect.undefined("per-seed Spearman correlations", "needs two " + unit + " or more with three runs of "
                + "distinct values; have " + rhos.size());
        Effect slope = Effect.mean(slopes.stream().mapToDouble(Double::doubleValue).toArray());
        String notes = String.format(Locale.ROOT, "Difficulty is ln(final training loss), a diverged run ranked hardest. Regression, per seed "
                + "then averaged: ln(final loss) changes by %s per standard deviation of the diagnostic (ok runs only). Identical networks "
                + "(mlp and resmlp at depth 1) count once.", slope.brief());
        String statement = e.name() + " (" + e.source() + "): " + e.diagnostic() + " predicts training difficulty, "
                + (e.expectedSign() > 0 ? "higher" : "lower") + " values going with harder training";
        return new Claim(statement, e.source(), "mean per-seed Spearman correlation with difficulty, signed so that the explanation's "
                + "prediction is positive", effect, runs, rhos.size(), notes);
    }

    /** Spearman's correlation of the points' diagnostic with their difficulty (ties averaged); NaN below three points or without variation. */
    static double spearman(List<double[]> pts) {
        if (pts.size() < 3) {
            return Double.NaN;
        }
        double[] x = pts.stream().mapToDouble(p -> p[0]).toArray();
        // a diverged run is the hardest: above every finite loss, tied with the other diverged runs
        double[] y = pts.stream().mapToDouble(p -> hardest(p[1])).toArray();
        if (java.util.Arrays.stream(x).distinct().count() < 2 || java.util.Arrays.stream(y).distinct().count() < 2) {
            return Double.NaN;
        }
        return new SpearmansCorrelation().correlation(x, y);
    }

    /** A diverged run's difficulty (+infinity) as a finite value above every loss, tied with the other diverged runs. */
    private static double hardest(double lnLoss) {
        return Double.isInfinite(lnLoss) ? Double.MAX_VALUE : lnLoss;
    }

    /** The OLS slope of ln(final loss) on the z-scored diagnostic over the finite points; NaN below three. */
    static double standardisedSlope(List<double[]> pts) {
        List<double[]> finite = pts.stream().filter(p -> Double.isFinite(p[1])).toList();
        if (finite.size() < 3) {
            return Double.NaN;
        }
        double[] x = finite.stream().mapToDouble(p -> p[0]).toArray();
        Interval ix = Interval.of(x);
        if (!(ix.std() > 0)) {
            return Double.NaN;
        }
        double[] z = java.util.Arrays.stream(x).map(v -> (v - ix.mean()) / ix.std()).toArray();
        return Effect.slope(z, finite.stream().mapToDouble(p -> p[1]).toArray());
    }

    // ---- each diagnostic per run, at its first step ----

    /** The explanation's diagnostic per run, or none when the study has no such table (read once: each read is a Spark job). */
    private static Map<String, Double> measured(StudyTables t, Explanation e) {
        try {
            return e.values().apply(t);
        } catch (IllegalArgumentException missingTable) {
            return Map.of();
        }
    }

    /** The rows at step 0, initialisation: the explanations are about what can be seen before training. */
    private static List<Row> atInit(Dataset<Row> rows, String... columns) {
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        cols.add(col("run_id"));
        for (String c : columns) {
            cols.add(col(c));
        }
        return rows.where(col("step").equalTo(0)).select(cols.toArray(org.apache.spark.sql.Column[]::new)).collectAsList();
    }

    private static double num(Row r, int i) {
        return r.isNullAt(i) ? Double.NaN : ((Number) r.get(i)).doubleValue();
    }

    static Map<String, Double> gradientImbalance(StudyTables t) {
        Map<String, double[]> ends = new HashMap<>(); // run -> {map of the first row, its delta, largest map, its delta}
        for (Row r : atInit(t.table("layer_gradients"), "map", "delta_rms_per_example")) {
            String id = r.getString(0);
            int map = (int) num(r, 1);
            double delta = num(r, 2);
            double[] e = ends.computeIfAbsent(id, k -> new double[] {Double.NaN, Double.NaN, -1, Double.NaN});
            if (map == 0) {
                e[1] = delta;
            }
            if (map > e[2]) {
                e[2] = map;
                e[3] = delta;
            }
        }
        Map<String, Double> out = new HashMap<>();
        ends.forEach((id, e) -> {
            if (e[1] > 0 && e[3] > 0 && e[2] > 0) {
                out.put(id, Math.abs(Math.log(e[1] / e[3])));
            }
        });
        return out;
    }

    static Map<String, Double> gradientSize(StudyTables t) {
        Map<String, Double> out = new HashMap<>();
        runMean(atInit(t.table("layer_gradients"), "weight_gradient_norm")).forEach((id, mean) -> out.put(id, mean > 0 ? Math.log(mean) : Double.NaN));
        return out;
    }

    static Map<String, Double> deepestRank(StudyTables t) {
        return meanAtDeepestLayer(atInit(t.table("representation_rank"), "layer", "effective_rank"));
    }

    static Map<String, Double> jacobianSpread(StudyTables t) {
        Dataset<Row> j = t.table("jacobian_spectrum").where(col("kind").equalTo("input_to_hidden"));
        // several inputs per layer: their mean spread
        return meanAtDeepestLayer(atInit(j, "layer", "log_std"));
    }

    static Map<String, Double> confusion(StudyTables t) {
        return single(atInit(t.table("gradient_confusion").where(col("kind").equalTo("per_example")), "min_cosine"));
    }

    static Map<String, Double> kernel(StudyTables t) {
        Map<String, Double> out = new HashMap<>();
        for (Row r : atInit(t.table("ntk"), "lambda_min", "trace", "examples")) {
            double v = num(r, 1) > 0 && num(r, 2) > 0 ? Math.log(num(r, 1) * num(r, 3) / num(r, 2)) : Double.NaN;
            out.put(r.getString(0), v);
        }
        return out;
    }

    static Map<String, Double> kurtosis(StudyTables t) {
        Map<String, Double> out = new HashMap<>();
        for (Row r : atInit(t.table("hessian_moments"), "kurtosis", "param_count")) {
            double k = num(r, 1);
            out.put(r.getString(0), k > 0 ? Math.log(k / num(r, 2)) : Double.NaN);
        }
        return out;
    }

    static Map<String, Double> sharpness(StudyTables t) {
        Map<String, Double> lr = new HashMap<>();
        // the learning rate the run used: optimizer_lr, or curvature_lr / lambda_max(H_0) (tables before it lack learning_rate)
        t.runRows().forEach(r -> lr.put(r.getAs("run_id"), java.util.Arrays.asList(r.schema().fieldNames()).contains("learning_rate")
                && !r.isNullAt(r.fieldIndex("learning_rate")) ? SeedValues.num(r, "learning_rate") : SeedValues.num(r, "optimizer_lr")));
        Dataset<Row> top = t.table("hessian_top_eigenvalues").where(col("side").equalTo("largest").and(col("rank").equalTo(1)));
        Map<String, Double> out = new HashMap<>();
        for (Row r : atInit(top, "eigenvalue")) {
            double v = num(r, 1) * lr.getOrDefault(r.getString(0), Double.NaN);
            out.put(r.getString(0), v > 0 ? Math.log(v) : Double.NaN);
        }
        return out;
    }

    private static Map<String, Double> single(List<Row> rows) {
        Map<String, Double> out = new HashMap<>();
        rows.forEach(r -> out.put(r.getString(0), num(r, 1)));
        return out;
    }

    /** Per run, the mean of its rows' values (rows: run_id, value). */
    private static Map<String, Double> runMean(List<Row> rows) {
        Map<String, double[]> sums = new HashMap<>();
        for (Row r : rows) {
            double[] s = sums.computeIfAbsent(r.getString(0), k -> new double[2]);
            s[0] += num(r, 1);
            s[1]++;
        }
        Map<String, Double> out = new HashMap<>();
        sums.forEach((id, s) -> out.put(id, s[0] / s[1]));
        return out;
    }

    /** Per run, the mean of the values at its largest layer (rows: run_id, layer, value; a layer may have several rows). */
    private static Map<String, Double> meanAtDeepestLayer(List<Row> rows) {
        Map<String, Integer> deepest = new HashMap<>();
        rows.forEach(r -> deepest.merge(r.getString(0), (int) num(r, 1), Math::max));
        return runMean(rows.stream().filter(r -> (int) num(r, 1) == deepest.get(r.getString(0)))
                .map(r -> org.apache.spark.sql.RowFactory.create(r.getString(0), r.get(2))).toList());
    }
}
