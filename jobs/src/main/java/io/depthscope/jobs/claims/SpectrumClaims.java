package io.depthscope.jobs.claims;

import static org.apache.spark.sql.functions.col;

import io.depthscope.jobs.tables.Tables;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Row;

/**
 * The Hessian claims that the quickstart and Ghorbani claim sets share, asked at a fixed parameter count: does the spectrum's
 * tail (the kurtosis of its non-null part; the outliers' size over the bulk) grow with depth, and is it lower with residual
 * connections at equal P? Read from the hessian_spectrum table at the runs' last step (docs/tables.md), whose measures do not
 * grow with P by construction, unlike the kurtosis of tr(H^k)/P; a study with {@code matched_params} also holds P itself
 * (nearly) fixed across depths. The seed is the unit: per-seed slopes, or per-seed paired differences.
 */
final class SpectrumClaims {
    /** The non-null kurtosis: the tail of the spectrum with the null eigenvalues removed. */
    static final String KURTOSIS = "nonnull_kurtosis";
    /** lambda_max over the bulk's edge: how far the largest outlier stands out. */
    static final String OUTLIERS = "lambda_max_over_bulk_edge";

    private SpectrumClaims() {}

    /** A claim that cannot be judged because the study was written before the hessian_spectrum table existed. */
    static Claim withoutTable(String statement, String source, String quantity) {
        return new Claim(statement, source, quantity, Effect.undefined("per seed", "the study has no " + Tables.HESSIAN_SPECTRUM
                + " table (written since issue 15): run the study again with this build"), 0, 0, "");
    }

    /** How far P may vary across the runs of a growth claim for the claim to say "at a fixed parameter count" (matched_params' design). */
    static final double FIXED_P_RATIO = 1.1;

    /**
     * Per seed, the OLS slope of ln({@code column}) on {@code x} over the {@code plain} runs, then the mean across seeds, with the
     * raw kurtosis' and ln P's slopes and P's range in the notes. The statement opens with how P was controlled: "at a fixed
     * parameter count" only when P varies by at most {@link #FIXED_P_RATIO} over these runs (a matched_params study); otherwise it
     * says that P was not held fixed and that only the measure (built not to grow with P alone) controls for it.
     */
    static Claim growth(StudyTables t, String plain, String column, ToDoubleFunction<Row> x, String xName, String claim, String source) {
        String quantity = "per-seed slope of ln(" + column + ") on " + xName + " over the " + plain + " runs";
        if (!t.has(Tables.HESSIAN_SPECTRUM)) {
            return withoutTable("with the parameter count controlled, " + claim, source, quantity);
        }
        List<Row> rows = t.finalSpectrum().where(col("arch").equalTo(plain)).collectAsList();
        String statement = scope(rows) + claim;
        SortedMap<Long, double[][]> points = SeedValues.points(rows, x, r -> SeedValues.log(r, column));
        Effect slope = Effect.seedSlopes(points);
        long excluded = t.okRunRows().stream().filter(r -> plain.equals(r.getAs("arch"))).count() - SeedValues.count(points);
        String notes = String.format(Locale.ROOT, "%s. For comparison, the per-seed slopes on %s of ln(kurtosis) %s, of ln(kurtosis / P) "
                + "%s and of ln P %s: moments are tr(H^k)/P, so the raw kurtosis of a Hessian of rank far below P grows with P alone. "
                + "Outliers beyond the bulk at the shallowest and deepest plain depths (mean over seeds, at most top_k): %s. "
                + "hessian_spectrum at the runs' last step; %d ok %s run(s) without a positive finite value are left out, as are runs "
                + "that diverged or failed.", parameters(rows), xName, slopeOf(rows, x, r -> SeedValues.log(r, "kurtosis")),
                slopeOf(rows, x, r -> SeedValues.log(r, "kurtosis") - SeedValues.log(r, "param_count")),
                slopeOf(rows, x, r -> SeedValues.log(r, "param_count")), outliers(rows), excluded, plain);
        return new Claim(statement, source, quantity, slope, SeedValues.count(points), points.size(), notes);
    }

    /** Plain minus residual ln({@code column}) at the largest depth both have, paired by seed. */
    static Claim residualLower(StudyTables t, String plain, String residual, String column, String statement, String source) {
        int depth = t.deepestDepthWithTwoArchs();
        String quantity = "plain minus residual ln(" + column + ")" + (depth < 0 ? "" : " at depth " + depth) + ", paired by seed";
        if (!t.has(Tables.HESSIAN_SPECTRUM)) {
            return withoutTable(statement, source, quantity);
        }
        if (depth < 0) {
            return new Claim(statement, source, quantity, Effect.undefined("paired by seed", "no depth has ok runs of both " + plain + " and "
                    + residual), 0, 0, "");
        }
        List<Row> at = t.finalSpectrum().where(col("depth").equalTo(depth)).collectAsList();
        SortedMap<Long, Double> p = SeedValues.of(arch(at, plain), r -> SeedValues.log(r, column));
        SortedMap<Long, Double> q = SeedValues.of(arch(at, residual), r -> SeedValues.log(r, column));
        long excluded = t.okRunRows().stream().filter(r -> !r.isNullAt(r.fieldIndex("depth")) && r.<Integer>getAs("depth") == depth).count()
                - p.size() - q.size();
        String notes = String.format(Locale.ROOT, "Mean %s at depth %d: plain %s, residual %s; the two arms of a seed have the same "
                + "parameter count (%s) and share their initial weights and data. Outliers beyond the bulk (mean): plain %s, residual %s. "
                + "%d ok run(s) without a positive finite value are left out, as are runs that diverged or failed.", column, depth,
                Claim.num(mean(arch(at, plain), column)), Claim.num(mean(arch(at, residual), column)), parameters(at),
                Claim.num(mean(arch(at, plain), "outliers")), Claim.num(mean(arch(at, residual), "outliers")), excluded);
        return new Claim(statement, source, quantity, Effect.difference(p, q), p.size() + q.size(), SeedValues.shared(p, q), notes);
    }

    /** How the claim's runs control P: held fixed by design, or only by a measure that does not grow with it. */
    static String scope(List<Row> rows) {
        double lo = rows.stream().mapToDouble(r -> SeedValues.num(r, "param_count")).min().orElse(Double.NaN);
        double hi = rows.stream().mapToDouble(r -> SeedValues.num(r, "param_count")).max().orElse(Double.NaN);
        return hi / lo <= FIXED_P_RATIO ? "at a fixed parameter count (" + parameters(rows) + "), "
                : "with P not held fixed (" + parameters(rows) + "; the measure is one that P alone does not move), ";
    }

    /**
     * The non-null kurtosis against depth, one line per {@code label} group; the raw kurtosis for a study written before
     * hessian_spectrum. {@code when} names the step in the title ("at the end of training").
     */
    static Figure kurtosisFigure(StudyTables t, String label, String when) {
        if (!t.has(Tables.HESSIAN_SPECTRUM)) {
            return Charts.vsDepth("Hessian kurtosis " + when, "kurtosis (non-excess)", SeedStats.series(t.finalMoments(), label, "depth",
                    "kurtosis"), true);
        }
        return Charts.vsDepth("Non-null Hessian kurtosis " + when, "kurtosis of the non-null part (non-excess)",
                SeedStats.series(t.finalSpectrum(), label, "depth", KURTOSIS), true);
    }

    /** lambda_max / bulk edge against depth (no line for a study written before hessian_spectrum); {@code when} ends the title. */
    static Figure outliersFigure(StudyTables t, String label, String when) {
        return Charts.vsDepth("Largest Hessian outlier over the bulk edge, " + when, "lambda_max / bulk edge",
                t.has(Tables.HESSIAN_SPECTRUM) ? SeedStats.series(t.finalSpectrum(), label, "depth", OUTLIERS) : List.of(), true);
    }

    /** "P from a to b (ratio r)" over the rows, or "P = a" when it is one value. */
    static String parameters(List<Row> rows) {
        double lo = rows.stream().mapToDouble(r -> SeedValues.num(r, "param_count")).min().orElse(Double.NaN);
        double hi = rows.stream().mapToDouble(r -> SeedValues.num(r, "param_count")).max().orElse(Double.NaN);
        return lo == hi ? String.format(Locale.ROOT, "P = %.0f", lo)
                : String.format(Locale.ROOT, "P from %.0f to %.0f (x%.2f)", lo, hi, hi / lo);
    }

    private static String slopeOf(List<Row> rows, ToDoubleFunction<Row> x, ToDoubleFunction<Row> y) {
        return Effect.seedSlopes(SeedValues.points(rows, x, y)).brief();
    }

    /** Mean outlier count at the smallest and the largest depth of the rows. */
    private static String outliers(List<Row> rows) {
        int lo = rows.stream().mapToInt(r -> r.<Integer>getAs("depth")).min().orElse(-1);
        int hi = rows.stream().mapToInt(r -> r.<Integer>getAs("depth")).max().orElse(-1);
        return String.format(Locale.ROOT, "%s at depth %d, %s at depth %d", Claim.num(mean(atDepth(rows, lo), "outliers")), lo,
                Claim.num(mean(atDepth(rows, hi), "outliers")), hi);
    }

    private static List<Row> atDepth(List<Row> rows, int depth) {
        return rows.stream().filter(r -> r.<Integer>getAs("depth") == depth).toList();
    }

    static List<Row> arch(List<Row> rows, String arch) {
        return rows.stream().filter(r -> arch.equals(r.getAs("arch"))).toList();
    }

    /** Mean of the finite, non-negative values (an outlier count of -1 is none). */
    static double mean(List<Row> rows, String column) {
        return rows.stream().mapToDouble(r -> SeedValues.num(r, column)).filter(v -> Double.isFinite(v) && v >= 0).average().orElse(Double.NaN);
    }
}
