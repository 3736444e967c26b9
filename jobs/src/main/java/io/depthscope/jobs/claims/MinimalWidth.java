package io.depthscope.jobs.claims;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;

/**
 * Du et al. (2018)'s width requirement, as a study with a width axis can measure it: for each seed, arch and depth, the smallest
 * width of the grid from which every wider run reached {@code target_loss} within the step budget ({@code steps_to_target} >= 0).
 * The theorems need a width exponential in depth for the plain network and polynomial for the residual one (branch scaled by
 * 1/(H sqrt m) in their parameterisation: {@code residual_scale} = c / depth in this standard one, where the weights already carry
 * the 1/sqrt m), so log2 of that width should grow faster with depth for mlp. The effect is, per seed, mlp's OLS slope of log2(minimal
 * width) on depth minus resmlp's, the mean across seeds with its t interval.
 *
 * <p>Censoring: when even the widest run misses the target, the minimal width is only known to lie beyond the grid. An mlp cell
 * then takes the next width of the grid (a lower bound, which can only flatten mlp's slope: against the claim). A resmlp cell
 * cannot be bounded in a direction that keeps the test conservative, so that seed's resmlp points are left out and the seed is
 * unpaired. A run that failed leaves its cell unknown (its point left out); a run that diverged did not reach the target.
 */
final class MinimalWidth {
    private MinimalWidth() {}

    /** One (seed, arch, depth) cell: the minimal width, whether it is censored (beyond the grid). */
    record Cell(long seed, String arch, int depth, double width, boolean censored) {}

    static List<Cell> cells(List<Row> runs) {
        TreeSet<Integer> widths = new TreeSet<>();
        Map<String, Map<Integer, Row>> byCell = new TreeMap<>();
        for (Row r : runs) {
            widths.add(r.<Integer>getAs("width"));
            String key = SeedValues.seed(r) + "|" + r.getAs("arch") + "|" + r.<Integer>getAs("depth");
            byCell.computeIfAbsent(key, k -> new TreeMap<>()).put(r.<Integer>getAs("width"), r);
        }
        List<Cell> out = new ArrayList<>();
        if (widths.size() < 2) {
            return out;
        }
        int widest = widths.last();
        double beyond = widest * ((double) widest / widths.lower(widest));
        for (Map<Integer, Row> cell : byCell.values()) {
            Row any = cell.values().iterator().next();
            boolean complete = cell.keySet().equals(widths) && cell.values().stream().noneMatch(r -> "failed".equals(r.getAs("status")));
            if (!complete) {
                continue;
            }
            double minimal = beyond;
            for (int w : widths.descendingSet()) {
                if (!reached(cell.get(w))) {
                    break;
                }
                minimal = w;
            }
            out.add(new Cell(SeedValues.seed(any), any.getAs("arch"), any.<Integer>getAs("depth"), minimal, minimal == beyond));
        }
        return out;
    }

    static boolean reached(Row r) {
        return !r.isNullAt(r.fieldIndex("steps_to_target")) && r.<Integer>getAs("steps_to_target") >= 0;
    }

    /** Per seed, the points (depth, log2 minimal width) of one arch; for resmlp, seeds with a censored cell are left out. */
    static SortedMap<Long, double[][]> points(List<Cell> cells, String arch) {
        SortedMap<Long, List<double[]>> by = new TreeMap<>();
        for (Cell c : cells) {
            if (c.arch().equals(arch)) {
                by.computeIfAbsent(c.seed(), k -> new ArrayList<>()).add(new double[] {c.depth(), Math.log(c.width()) / Math.log(2)});
            }
        }
        if (arch.equals("resmlp")) {
            cells.stream().filter(c -> c.arch().equals(arch) && c.censored()).forEach(c -> by.remove(c.seed()));
        }
        SortedMap<Long, double[][]> out = new TreeMap<>();
        by.forEach((seed, p) -> out.put(seed, p.toArray(double[][]::new)));
        return out;
    }

    static List<Row> runs(StudyTables t) {
        return t.runRows().stream().filter(r -> !r.isNullAt(r.fieldIndex("width")) && !r.isNullAt(r.fieldIndex("depth"))).toList();
    }

    static Claim claim(StudyTables t) {
        List<Row> runs = runs(t);
        List<Cell> cells = cells(runs);
        String statement = "the smallest width that reaches target_loss within the step budget grows faster with depth for plain (mlp) than "
                + "for residual (resmlp) networks";
        String source = "Du et al. 2018, Theorems 5.1 and 6.1 (width exponential in depth for the mlp, polynomial for the ResNet with its "
                + "branch scaled by 1/(H sqrt m))";
        String quantity = "mlp minus resmlp per-seed OLS slope of log2(minimal width) on depth (doublings of width per hidden layer)";
        SortedMap<Long, double[][]> mlp = points(cells, "mlp");
        SortedMap<Long, double[][]> res = points(cells, "resmlp");
        Effect e = RowValues.distinct(runs, "width").size() < 2
                ? Effect.undefined("per-seed OLS slopes, paired difference across seeds, t interval", "the study has fewer than two widths")
                : Effect.pairedSlopes(res, mlp);
        long censoredMlp = cells.stream().filter(c -> c.arch().equals("mlp") && c.censored()).count();
        long censoredRes = cells.stream().filter(c -> c.arch().equals("resmlp") && c.censored()).count();
        String scales = RowValues.distinct(runs.stream().filter(r -> "resmlp".equals(r.getAs("arch"))).toList(), "residual_scale")
                .toString();
        String notes = String.format(Locale.ROOT, "Widths %s, target_loss %s, budget %s steps. Per-seed slopes (doublings per layer): mlp %s, "
                + "resmlp %s. Censored cells (even the widest run missed the target): mlp %d, taken as the next width of the grid (a lower "
                + "bound, against the claim); resmlp %d, whose seeds are left out. resmlp's residual_scale values: %s (Du's 1/H is c / depth "
                + "here). The grid doubles, so a minimal width moves in whole doublings, and a few depths cannot tell exponential from "
                + "polynomial growth: the claim is only that mlp's grows faster.", RowValues.distinct(runs, "width"), t.values("target_loss"),
                t.values("steps"), Effect.seedSlopes(mlp).brief(), Effect.seedSlopes(res).brief(),
                censoredMlp, censoredRes, scales);
        return new Claim(statement, source, quantity, e, SeedValues.count(mlp) + SeedValues.count(res), SeedValues.shared(mlp, res),
                notes);
    }

    static Figure figure(StudyTables t) {
        List<Cell> cells = cells(runs(t));
        List<Series> series = new ArrayList<>();
        for (String arch : cells.stream().map(Cell::arch).distinct().sorted().toList()) {
            List<Series.Point> points = new ArrayList<>();
            cells.stream().filter(c -> c.arch().equals(arch)).mapToInt(Cell::depth).distinct().sorted().forEach(d -> points.add(new Series.Point(d,
                    Interval.of(cells.stream().filter(c -> c.arch().equals(arch) && c.depth() == d).mapToDouble(Cell::width).toArray()))));
            series.add(new Series(arch, points));
        }
        return Charts.vsDepth("Smallest width reaching target_loss within the budget (beyond the grid: the next width)", "width", series, true);
    }
}
