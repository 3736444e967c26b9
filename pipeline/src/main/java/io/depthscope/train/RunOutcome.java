package io.depthscope.train;

import io.depthscope.probe.HessianMomentsAt;
import io.depthscope.probe.HessianResults;
import io.depthscope.study.RunSpec;
import java.util.List;

/**
 * Everything one run produced: its spec, its record, its curve, its diagnostics and its Hessian rows.
 * {@code hessianPending} lists the steps whose parameters were saved for a study's second phase and
 * are not measured yet (empty once {@link #withHessian} has added them).
 */
public record RunOutcome(RunSpec spec, RunRecord run, List<TrainPoint> curve, RunDiagnostics diagnostics, HessianResults hessian,
        List<Integer> hessianPending) implements java.io.Serializable {

    public RunOutcome {
        curve = List.copyOf(curve);
        hessianPending = List.copyOf(hessianPending);
    }

    /** An outcome without rows: a run that failed before producing any. */
    public static RunOutcome failed(RunSpec spec, RunRecord run) {
        return new RunOutcome(spec, run, List.of(), RunDiagnostics.empty(), HessianResults.empty(), List.of());
    }

    public List<HessianMomentsAt> moments() {
        return hessian.moments();
    }

    /** This outcome with the second phase's Hessian rows in place of the pending steps. */
    public RunOutcome withHessian(HessianResults measured, RunRecord record) {
        return new RunOutcome(spec, record, curve, diagnostics, hessian.plus(measured), List.of());
    }
}
