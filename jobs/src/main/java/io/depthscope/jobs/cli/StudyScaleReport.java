package io.depthscope.jobs.cli;

import io.depthscope.io.Json;
import io.depthscope.jobs.orchestration.StudyScaleBench;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code depthscope bench --study-scale N}'s figures: per study and per run, so studies of different sizes compare. */
final class StudyScaleReport {
    private StudyScaleReport() {}

    static String text(StudyScaleBench.Result r) {
        double mb = 1024.0 * 1024.0;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%nstudy scale: %d tiny runs (no Hessian) on local[%d], spark.task.cpus=1%s%n", r.runs(), r.slots(),
                r.failed() > 0 ? String.format(Locale.ROOT, "; %d failed", r.failed()) : ""));
        s.append(String.format(Locale.ROOT, "%-44s %10s %12s%n", "", "seconds", "ms per run"));
        row(s, "plan (config to runs and their ids)", r.planSeconds(), r.runs());
        row(s, "study (plan, tasks, tables)", r.wallSeconds(), r.runs());
        row(s, "  the runs' own trainer time (sum)", r.taskSeconds(), r.runs());
        row(s, "  tables, summary and trends", r.tablesSeconds(), r.runs());
        row(s, "restart into the same output", r.restartSeconds(), r.runs());
        row(s, "  scan of the committed outcomes", r.scanSeconds(), r.runs());
        row(s, "  tables again", r.restartTablesSeconds(), r.runs());
        s.append(String.format(Locale.ROOT, "per-task overhead (slots x wall - sum of task s) / runs: %.1f ms (without the tables %.1f ms)   "
                + "goal <= %.0f ms: %s%n", r.taskOverheadMs(), r.taskOverheadWithoutTablesMs(), StudyScaleBench.TASK_OVERHEAD_GOAL_MS,
                r.taskOverheadMs() <= StudyScaleBench.TASK_OVERHEAD_GOAL_MS ? "met" : "not met"));
        s.append(String.format(Locale.ROOT, "driver heap: peak in use %.0f MB sampled (pools' peaks summed, an upper bound: %.0f MB) of %.0f MB "
                + "allowed: %s; GC %.2f s%n", r.heapPeakBytes() / mb, r.heapPoolPeaksBytes() / mb, r.heapMaxBytes() / mb,
                r.heapPeakBytes() <= r.heapMaxBytes() ? "within" : "beyond", r.gcSeconds()));
        return s.toString();
    }

    private static void row(StringBuilder s, String what, double seconds, int runs) {
        s.append(String.format(Locale.ROOT, "%-44s %10.2f %12.2f%n", what, seconds, 1e3 * seconds / runs));
    }

    static Map<String, Object> json(StudyScaleBench.Result r, int steps) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runs", r.runs());
        m.put("steps", steps);
        m.put("slots", r.slots());
        m.put("failed", r.failed());
        m.put("plan_seconds", r.planSeconds());
        m.put("wall_seconds", r.wallSeconds());
        m.put("task_seconds", r.taskSeconds());
        m.put("tables_seconds", r.tablesSeconds());
        m.put("restart_seconds", r.restartSeconds());
        m.put("restart_tables_seconds", r.restartTablesSeconds());
        m.put("scan_seconds", r.scanSeconds());
        m.put("task_overhead_ms", r.taskOverheadMs());
        m.put("task_overhead_without_tables_ms", r.taskOverheadWithoutTablesMs());
        m.put("task_overhead_goal_ms", StudyScaleBench.TASK_OVERHEAD_GOAL_MS);
        m.put("task_overhead_met", r.taskOverheadMs() <= StudyScaleBench.TASK_OVERHEAD_GOAL_MS);
        m.put("heap_peak_bytes", r.heapPeakBytes());
        m.put("heap_pool_peaks_bytes", r.heapPoolPeaksBytes());
        m.put("heap_max_bytes", r.heapMaxBytes());
        m.put("gc_seconds", r.gcSeconds());
        m.replaceAll((k, v) -> v instanceof Double d ? Json.finiteOrNull(d) : v);
        return m;
    }
}
