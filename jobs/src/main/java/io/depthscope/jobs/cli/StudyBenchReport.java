package io.depthscope.jobs.cli;

import io.depthscope.io.Json;
import io.depthscope.jobs.orchestration.StudyBench.Measurement;
import io.depthscope.jobs.orchestration.StudyBench;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code depthscope bench --study}'s figures, each beside its goal; a missed goal is reported, not an error. */
final class StudyBenchReport {
    /** Other processes' average busy cores above which the figures get a caution: a quarter core skews a 2-core timing. */
    static final double CONTENDED_CORES = 0.25;

    private StudyBenchReport() {}

    static String text(StudyBench.Result r) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%nstudy %s, %d runs; spark.task.cpus=1 (one ND4J thread per task); "
                + "overhead = (slots x wall - sum of task s) / sum of task s, task s from the runs table%n", r.study(), r.serial().runs()));
        s.append(String.format(Locale.ROOT, "%-9s %9s %14s %12s %9s%n", "master", "wall s", "sum of task s", "mean task s", "overhead"));
        for (Measurement m : new Measurement[] {r.serial(), r.parallel()}) {
            s.append(String.format(Locale.ROOT, "%-9s %9.2f %14.2f %12.2f %8.2f%%   goal <= %.0f%%: %s%s%n", m.master(), m.wallSeconds(),
                    m.taskSeconds(), m.meanTaskSeconds(), 100 * m.overhead(), 100 * StudyBench.OVERHEAD_GOAL, metOrNot(overheadMet(m)),
                    m.meanTaskSeconds() < StudyBench.OVERHEAD_GOAL_TASK_SECONDS
                            ? String.format(Locale.ROOT, " (the goal is for tasks >= %.0f s)",
                                    StudyBench.OVERHEAD_GOAL_TASK_SECONDS)
                            : ""));
            s.append(String.format(Locale.ROOT, "          of which tables, summary and trends %.2f%% (%.2f s once per study), tasks' scheduling, "
                    + "commits and idle slots %.2f%%%n", 100 * m.tablesOverhead(), m.tablesSeconds(), 100 * m.taskOverhead()));
            if (!Double.isNaN(m.machineCores())) {
                s.append(String.format(Locale.ROOT, "          cores busy meanwhile: this process %.2f, other processes %.2f, of %d%n",
                        m.processCores(), others(m), m.cores()));
            }
            if (m.failed() > 0) {
                s.append(String.format(Locale.ROOT, "          %d of %d runs failed: their times are not those of full runs%n",
                        m.failed(), m.runs()));
            }
        }
        s.append(String.format(Locale.ROOT, "parallel efficiency T1 / (2 T2) = %.3f   goal >= %.1f: %s%n", r.efficiency(),
                StudyBench.EFFICIENCY_GOAL, metOrNot(r.efficiency() >= StudyBench.EFFICIENCY_GOAL)));
        double others = Math.max(others(r.serial()), others(r.parallel()));
        if (others > CONTENDED_CORES) {
            s.append(String.format(Locale.ROOT, "caution: other processes kept up to %.2f cores busy, so these figures measure the "
                    + "competition for cores as much as the study%n", others));
        }
        return s.toString();
    }

    static Map<String, Object> json(StudyBench.Result r, int steps) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("study", r.study());
        m.put("steps", steps > 0 ? steps : null);
        m.put("task_cpus", 1);
        m.put("serial", measurement(r.serial()));
        m.put("parallel", measurement(r.parallel()));
        m.put("efficiency", Json.finiteOrNull(r.efficiency()));
        m.put("efficiency_goal", StudyBench.EFFICIENCY_GOAL);
        m.put("efficiency_met", r.efficiency() >= StudyBench.EFFICIENCY_GOAL);
        m.put("overhead_goal", StudyBench.OVERHEAD_GOAL);
        m.put("overhead_goal_task_seconds", StudyBench.OVERHEAD_GOAL_TASK_SECONDS);
        return m;
    }

    private static Map<String, Object> measurement(Measurement x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("master", x.master());
        m.put("slots", x.slots());
        m.put("runs", x.runs());
        m.put("failed", x.failed());
        m.put("wall_seconds", x.wallSeconds());
        m.put("task_seconds", x.taskSeconds());
        m.put("mean_task_seconds", x.meanTaskSeconds());
        m.put("overhead", Json.finiteOrNull(x.overhead()));
        m.put("overhead_met", overheadMet(x));
        m.put("tables_seconds", x.tablesSeconds());
        m.put("tables_overhead", Json.finiteOrNull(x.tablesOverhead()));
        m.put("task_overhead", Json.finiteOrNull(x.taskOverhead()));
        m.put("process_cores", Json.finiteOrNull(x.processCores()));
        m.put("machine_cores_busy", Json.finiteOrNull(x.machineCores()));
        m.put("machine_cores", x.cores());
        return m;
    }

    /** Cores other processes kept busy on average; 0 when unknown. */
    private static double others(Measurement m) {
        double others = m.machineCores() - m.processCores();
        return Double.isNaN(others) ? 0 : Math.max(0, others);
    }

    private static boolean overheadMet(Measurement m) {
        return m.overhead() <= StudyBench.OVERHEAD_GOAL;
    }

    private static String metOrNot(boolean met) {
        return met ? "met" : "not met";
    }
}
