package io.depthscope.probe;

import io.depthscope.nn.Point;
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

        /** Hessian-vector products this task spends for P parameters (its relative cost). */
        public long products(HessianSpec h, long paramCount) {
            return switch (kind) {
                case PROBES -> 2L * count;
                case EXACT -> paramCount;
                case LANCZOS -> Math.min(h.lanczosSteps(), paramCount) + 4L * h.topK();
                case SLQ -> Math.min(h.densitySteps(), paramCount);
            };
        }
    }

    /** What a task computed; the fields of other kinds are null. */
    public record Piece(Task task, double[][] probes, QuadraticForms state, double[] eigenvalues, TopEigenvalues top,
            List<CurvatureSplit> largest, List<CurvatureSplit> smallest, QuadratureRun quadrature) implements Serializable {}

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
    public static Piece compute(HessianSpec h, long runSeed, Point point, Task t) {
        long p = point.paramCount();
        return switch (t.kind()) {
            case PROBES -> {
                double[][] q = Hutchinson.probes(point, Seeds.derive(runSeed, "hessian-probes", t.step()), t.first(), t.count(),
                        Hutchinson.Distribution.parse(h.distribution()));
                yield new Piece(t, q, Hutchinson.summarise(List.of(q)), null, null, null, null, null);
            }
            case EXACT -> new Piece(t, null, null, DenseHessian.eigenvalues(point), null, null, null, null);
            case LANCZOS -> {
                LanczosResult r = Lanczos.run(SymmetricOperator.hessian(point), (int) Math.min(h.lanczosSteps(), p),
                        Seeds.derive(runSeed, "hessian-lanczos", t.step()), true);
                yield new Piece(t, null, null, null, r.top(h.topK()), CurvatureSplit.largest(point, r, h.topK()),
                        CurvatureSplit.smallest(point, r, h.topK()), null);
            }
            case SLQ -> new Piece(t, null, null, null, null, null, null, StochasticLanczosQuadrature.run(SymmetricOperator.hessian(point),
                    (int) Math.min(h.densitySteps(), p), Seeds.derive(runSeed, "hessian-slq", t.step()), t.index()));
        };
    }

    /** Every task of one step, here, combined: what a run measured in one process records. */
    public static HessianResults measure(HessianSpec h, long runSeed, String runId, int step, Point point) {
        List<Piece> pieces = new ArrayList<>();
        for (Task t : plan(runId, h, step, point.paramCount())) {
            pieces.add(compute(h, runSeed, point, t));
        }
        return combine(h, runId, step, point.batch().size(), point.paramCount(), pieces);
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
            switch (x.task().kind()) {
                case PROBES -> {
                    state = state.merge(x.state());
                    for (int i = 0; i < x.probes().length; i++) {
                        double[] q = x.probes()[i];
                        probes.add(new HessianProbeAt(runId, step, examples, x.task().first() + i, distribution, paramCount, q[0], q[1], q[2], q[3]));
                    }
                }
                case EXACT -> moments.add(new HessianMomentsAt(runId, step, examples, HessianMoments.fromEigenvalues(x.eigenvalues())));
                case LANCZOS -> eigenvalues.addAll(eigenvalueRows(runId, step, examples, x));
                case SLQ -> quadratures.add(x.quadrature());
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

    private static List<HessianEigenvalueAt> eigenvalueRows(String runId, int step, int examples, Piece x) {
        List<HessianEigenvalueAt> rows = new ArrayList<>();
        TopEigenvalues top = x.top();
        for (int i = 0; i < x.largest().size(); i++) {
            CurvatureSplit c = x.largest().get(i);
            rows.add(new HessianEigenvalueAt(runId, step, examples, top.steps(), "largest", i + 1, c.ritzValue(), c.residualBound(),
                    c.gaussNewton(), c.remainder(), top.negativeToPositiveRatio()));
        }
        for (int i = 0; i < x.smallest().size(); i++) {
            CurvatureSplit c = x.smallest().get(i);
            rows.add(new HessianEigenvalueAt(runId, step, examples, top.steps(), "smallest", i + 1, c.ritzValue(), c.residualBound(),
                    c.gaussNewton(), c.remainder(), top.negativeToPositiveRatio()));
        }
        return rows;
    }
}
