package io.depthscope.jobs.tables;

import java.util.Map;

/**
 * One run's value of one metric, beside the run's config columns and status: the table that every statistic
 * across runs (the summary, the trends) starts from.
 *
 * @param config the run's config columns ({@link io.depthscope.study.RunSpec#columns()}), shared by its metrics
 * @param value  null where the run has no such value (NaN, a target not reached)
 */
public record RunMetric(Map<String, Object> config, String runId, String status, String metric, Double value) {

    public boolean ok() {
        return "ok".equals(status);
    }

    public Object column(String name) {
        if (!config.containsKey(name)) {
            throw new IllegalArgumentException("no config column " + name + "; have " + config.keySet());
        }
        return config.get(name);
    }
}
