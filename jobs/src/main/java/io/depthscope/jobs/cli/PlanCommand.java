package io.depthscope.jobs.cli;

import io.depthscope.probe.HessianWork;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import java.io.File;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code depthscope plan CONF}: the expanded runs, their count and the work they will take; runs nothing. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Validate a study config and print its runs, their count and an estimate of the work, without running anything.")
public final class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONF", description = "the study config (HOCON)")
    File config;

    @Override
    public Integer call() {
        StudyConfig study = StudyConfig.load(config);
        study.checkDataPaths(); // what study would find only once every run had failed
        List<RunSpec> plan = study.plan();
        System.out.printf(Locale.ROOT, "study %s: %d runs%n", study.name(), plan.size());
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-5s %-16s", "index", "run_id"));
        java.util.Set<String> shown = new java.util.LinkedHashSet<>();
        study.variants().forEach(v -> shown.addAll(v.keySet()));
        shown.addAll(study.grid().keySet());
        shown.forEach(k -> header.append(String.format(Locale.ROOT, " %-14s", k)));
        header.append(String.format(Locale.ROOT, " %10s %8s %10s %7s %6s", "params", "steps", "Hv", "h_tasks", "diag"));
        System.out.println(header);
        long steps = 0;
        long hvps = 0;
        long hessianTasks = 0;
        long diagnostics = 0;
        double exampleSteps = 0;
        for (int i = 0; i < plan.size(); i++) {
            RunSpec r = plan.get(i);
            Map<String, Object> fields = r.fields();
            long p = r.paramCount();
            int hessianSteps = r.hessian().stepsFor(r.steps()).size();
            long hv = p > 0 ? hessianSteps * r.hessian().hessianVectorProducts(p) : -1; // unknown until the data are read
            int tasks = hessianSteps * HessianWork.plan(r.runId(), r.hessian(), 0, Math.max(p, 1)).size();
            int diag = r.diagnostics().any() ? r.diagnostics().steps().size() : 0;
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-5d %-16s", i, r.runId()));
            shown.forEach(k -> line.append(String.format(Locale.ROOT, " %-14s", fields.get(k))));
            line.append(String.format(Locale.ROOT, " %10s %8d %10s %7d %6d", p > 0 ? Long.toString(p) : "?", r.steps(), hv >= 0 ? Long.toString(hv) : "?", tasks,
                    diag));
            hessianTasks += tasks;
            diagnostics += diag;
            System.out.println(line);
            steps += r.steps();
            hvps += Math.max(hv, 0);
            long n = r.dataset().nTrain();
            long batch = r.optimizer().batchSize() > 0 ? r.optimizer().batchSize() : n;
            exampleSteps += (double) Math.max(p, 1) * batch * r.steps();
        }
        System.out.printf(Locale.ROOT, "total: %d runs, %d training steps, %d Hessian-vector products in %d Hessian tasks, %d diagnostics"
                + " steps, %.3g parameter-example-steps%n", plan.size(), steps, hvps, hessianTasks, diagnostics, exampleSteps);
        return 0;
    }
}
