package io.depthscope.probe;

import io.depthscope.nn.Landscape;
import io.depthscope.util.Seeds;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A run's Hessian measurement at one step, cut into independent tasks so that a study can spread them
 * over a cluster: blocks of Hutchinson probes, the dense eigendecomposition, one whole Lanczos run for
 * the extreme eigenvalues, and one task per run of stochastic Lanczos quadrature. A task's piece is a
 * mergeable result (a block's {@link QuadraticForms} state, a quadrature run), and {@link #combine}
 * turns the pieces of a step into table rows whatever order they come in. A run computed in one
 * process uses the same tasks, so a study's numbers do not depend on where it ran.
 *
 * <p>Every random draw comes from the run's seed and the step: probes from (seed, "hessian-probes",
 * step), the Lanczos start from (seed, "hessian-lanczos", step), quadrature runs from (seed,
 * "hessian-slq", step).
 */
public final class HessianWork {
    public enum Kind { PROBES, EXACT, LANCZOS, SLQ }

    /**
     * One task: for PROBES, block {@code index} of probes {@code first .. first + count - 1}; for SLQ,
     * quadrature run {@code index}; otherwise index 0.
     */
    public record Task(String runId, int step, Kind kind, int index, int first, int count) implements Serializable {
        /** A name unique within the run, usable as a file name. */
        public String name() {
            return "step-" + step + "-" + kind.name().toLowerCase(Locale.ROOT) + "-" + index;
        }

        /**
         * Operator products (Hv, or Gv of the Gauss-Newton split: one pass each) this task spends for P
         * parameters; the one cost model of the Hessian work ({@link HessianSpec#hessianVectorProducts} sums
         * it over a step's plan). PROBES: Hv and H(Hv) per probe. EXACT: one Hv per column. LANCZOS: one per
         * step, m = min(lanczos_steps, P) (the reorthogonalisation costs no products), then Hv and Gv along
         * each split Ritz vector: min(k, m) at each end, counted twice where the two ends overlap, as
         * {@link CurvatureSplit} computes them. SLQ: one per step of its run. A Lanczos run that breaks
         * down early spends less.
         */
        public long products(HessianSpec h, long paramCount) {
            return switch (kind) {
                case PROBES -> 2L * count;
                case EXACT -> paramCount;
                case LANCZOS -> {
                    long m = Math.min(h.lanczosSteps(), paramCount);
                    yield m + 2L * 2L * Math.min(h.topK(), m);
                }
                case SLQ -> Math.min(h.densitySteps(), paramCount);
            };
        }
    }

    /**
     * What a task computed: one record per task kind, so a piece holds exactly its kind's results. Pieces
     * are stored in a study's {@code _hessian} directory (docs/storage.md): a change to these records
     * needs a new version of that format.
     */
    public sealed interface Piece extends Serializable permits ProbeBlock, ExactEigenvalues, ExtremeEigenvalues, Quadrature {
        Task task();
    }

    /** A PROBES task: each probe's (q1, q2, q3, q4) in probe order, and their mergeable state. */
    public record ProbeBlock(Task task, double[][] probes, QuadraticForms state) implements Piece {}

    /** An EXACT task: every eigenvalue of the dense Hessian, ascending. */
    public record ExactEigenvalues(Task task, double[] eigenvalues) implements Piece {}

    /** A LANCZOS task: the extreme Ritz values, and the Gauss-Newton split along the top-k Ritz vectors at each end. */
    public record ExtremeEigenvalues(Task task, TopEigenvalues top, List<CurvatureSplit> largest, List<CurvatureSplit> smallest)
            implements Piece {}

    /** An SLQ task: one run of stochastic Lanczos quadrature. */
    public record Quadrature(Task task, QuadratureRun run) implements Piece {}

    private HessianWork() {}

    /** The tasks of one step's measurement, probe blocks first. */
    public static List<Task> plan(String runId, HessianSpec h, int step, long paramCount) {
        List<Task> tasks = new ArrayList<>();
        if ("hutchinson".equals(h.method())) {
            for (int first = 0, b = 0; first < h.probes(); first += h.probesPerBlock(), b++) {
                tasks.add(new Task(runId, step, Kind.PROBES, b, first, Math.min(h.probesPerBlock(), h.probes() - first)));
            }
        } else if ("exact".equals(h.method())) {
            tasks.add(new Task(runId, step, Kind.EXACT, 0, 0, 0));
        }
        if (h.topK() > 0) {
            tasks.add(new Task(runId, step, Kind.LANCZOS, 0, 0, 0));
        }
        for (int r = 0; r < h.densityRuns(); r++) {
            tasks.add(new Task(runId, step, Kind.SLQ, r, 0, 0));
        }
        return tasks;
    }

    /** Runs one task on the point (the run's parameters at the task's step, on its fixed Hessian batch). */
    public static Piece compute(HessianSpec h, long runSeed, Landscape point, Task t) {
        long p = point.paramCount();
        return switch (t.kind()) {
            case PROBES -> {
                double[][] q = Hutchinson.probes(point, Seeds.derive(runSeed, "hessian-probes", t.step()), t.first(), t.count(),
                        Hutchinson.Distribution.parse(h.distribution()));
                yield new ProbeBlock(t, q, Hutchinson.summarise(List.of(q)));
            }
            case EXACT -> new ExactEigenvalues(t, DenseHessian.eigenvalues(point));
            case LANCZOS -> {
                LanczosResult r = Lanczos.run(SymmetricOperator.hessian(point), (int) Math.min(h.lanczosSteps(), p),
                        Seeds.derive(runSeed, "hessian-lanczos", t.step()), true);
                // the step's probes, drawn again, give each top Ritz vector its control variate for tr(H^2)
                CurvatureSplit.Probes probes = "hutchinson".equals(h.method()) ? new CurvatureSplit.Probes(Seeds.derive(runSeed,
                        "hessian-probes", t.step()), h.probes(), Hutchinson.Distribution.parse(h.distribution())) : null;
                yield new ExtremeEigenvalues(t, r.top(h.topK()), CurvatureSplit.largest(point, r, h.topK(), probes),
                        CurvatureSplit.smallest(point, r, h.topK()));
            }
            case SLQ -> new Quadrature(t, StochasticLanczosQuadrature.run(SymmetricOperator.hessian(point),
                    (int) Math.min(h.densitySteps(), p), Seeds.derive(runSeed, "hessian-slq", t.step()), t.index()));
        };
    }

    /** Every task of one step, here, combined: what a run measured in one process records. */
    public static HessianResults measure(HessianSpec h, long runSeed, String runId, int step, Landscape point) {
        List<Piece> pieces = new ArrayList<>();
        for (Task t : plan(runId, h, step, point.paramCount())) {
            pieces.add(compute(h, runSeed, point, t));
        }
        return combine(h, runId, step, point.batchSize(), point.paramCount(), pieces);
    }

    /**
     * The rows of one step from all its pieces, in any order. The probe blocks' states merge in block
     * order, so the moments are the same however the pieces arrived; a missing piece is an error.
     */
    public static HessianResults combine(HessianSpec h, String runId, int step, int examples, long paramCount, List<Piece> pieces) {
        List<Task> expected = plan(runId, h, step, paramCount);
        if (pieces.size() != expected.size() || !pieces.stream().map(Piece::task).toList().containsAll(expected)) {
            throw new IllegalArgumentException("pieces: " + pieces.size() + " for run " + runId + " step " + step + "; allowed: exactly the "
                    + expected.size() + " tasks of its plan");
        }
        for (Piece x : pieces) {
            if (kindOf(x) != x.task().kind()) {
                throw new IllegalArgumentException("piece " + x.task().name() + " of run " + runId + ": a " + x.getClass().getSimpleName()
                        + " for a " + x.task().kind() + " task; allowed: " + kindOf(x) + " tasks only");
            }
        }
        List<Piece> sorted = new ArrayList<>(pieces);
        sorted.sort(Comparator.comparing((Piece x) -> x.task().kind()).thenComparingInt(x -> x.task().index()));
        List<HessianMomentsAt> moments = new ArrayList<>();
        List<HessianProbeAt> probes = new ArrayList<>();
        List<HessianEigenvalueAt> eigenvalues = new ArrayList<>();
        List<HessianDensityAt> densities = new ArrayList<>();
        QuadraticForms state = QuadraticForms.empty();
        List<QuadratureRun> quadratures = new ArrayList<>();
        String distribution = Hutchinson.Distribution.parse(h.distribution()).label();
        for (Piece x : sorted) {
            if (x instanceof ProbeBlock b) {
                state = state.merge(b.state());
                for (int i = 0; i < b.probes().length; i++) {
                    double[] q = b.probes()[i];
                    probes.add(new HessianProbeAt(runId, step, examples, b.task().first() + i, distribution, paramCount, q[0], q[1], q[2], q[3]));
                }
            } else if (x instanceof ExactEigenvalues e) {
                moments.add(new HessianMomentsAt(runId, step, examples, HessianMoments.fromEigenvalues(e.eigenvalues())));
            } else if (x instanceof ExtremeEigenvalues e) {
                eigenvalues.addAll(eigenvalueRows(runId, step, examples, e));
            } else if (x instanceof Quadrature q) {
                quadratures.add(q.run());
            }
        }
        if (!probes.isEmpty()) {
            moments.add(new HessianMomentsAt(runId, step, examples, HessianMoments.fromProbes(state, paramCount)));
        }
        if (!quadratures.isEmpty()) {
            SpectralDensity d = SpectralDensity.of(quadratures, (int) Math.min(h.densitySteps(), paramCount), DensityGrid.DEFAULT);
            densities.add(HessianDensityAt.of(runId, step, examples, d));
        }
        return new HessianResults(moments, probes, eigenvalues, densities);
    }

    /** The task kind whose result {@code x} is. */
    static Kind kindOf(Piece x) {
        if (x instanceof ProbeBlock) {
            return Kind.PROBES;
        }
        if (x instanceof ExactEigenvalues) {
            return Kind.EXACT;
        }
        return x instanceof ExtremeEigenvalues ? Kind.LANCZOS : Kind.SLQ;
    }

    private static List<HessianEigenvalueAt> eigenvalueRows(String runId, int step, int examples, ExtremeEigenvalues x) {
        List<HessianEigenvalueAt> rows = new ArrayList<>();
        TopEigenvalues top = x.top();
        for (int i = 0; i < x.largest().size(); i++) {
            CurvatureSplit c = x.largest().get(i);
            rows.add(new HessianEigenvalueAt(runId, step, examples, top.steps(), "largest", i + 1, c.ritzValue(), c.residualBound(),
                    c.gaussNewton(), c.remainder(), top.negativeToPositiveRatio(), c.gradientOverlap(), c.probeOverlap()));
        }
        for (int i = 0; i < x.smallest().size(); i++) {
            CurvatureSplit c = x.smallest().get(i);
            rows.add(new HessianEigenvalueAt(runId, step, examples, top.steps(), "smallest", i + 1, c.ritzValue(), c.residualBound(),
                    c.gaussNewton(), c.remainder(), top.negativeToPositiveRatio(), c.gradientOverlap(), c.probeOverlap()));
        }
        return rows;
    }
}
