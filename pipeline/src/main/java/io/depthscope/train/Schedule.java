package io.depthscope.train;

import io.depthscope.study.OptimizerSpec;

/**
 * The learning rate at each 0-based step (the step-th update):
 * <ul>
 *   <li>{@code constant}: lr.</li>
 *   <li>{@code step}: lr * gamma^floor(step / step_every) (torch's StepLR).</li>
 *   <li>{@code cosine}: with w warmup steps, lr * (step + 1) / w for step &lt; w (so the first update is
 *       not wasted at 0 and step w-1 reaches lr); then, with p = min(1, (step - w) / total_steps),
 *       min_lr + (lr - min_lr) (1 + cos(pi p)) / 2, which is torch's CosineAnnealingLR for w = 0 up
 *       to step total_steps; after it we stay at min_lr, where torch's rises again along the cosine.</li>
 * </ul>
 */
public record Schedule(String kind, double lr, int stepEvery, double gamma, int totalSteps, double minLr, int warmupSteps) {

    public static Schedule of(OptimizerSpec s) {
        return new Schedule(s.schedule(), s.lr(), s.stepEvery(), s.gamma(), s.totalSteps(), s.minLr(), s.warmupSteps());
    }

    public double lr(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("step: value " + step + " is not allowed; allowed: an integer >= 0");
        }
        return switch (kind) {
            case "constant" -> lr;
            case "step" -> lr * Math.pow(gamma, step / stepEvery);
            case "cosine" -> cosine(step);
            default -> throw new IllegalArgumentException("optimizer.schedule: unknown value '" + kind + "'; allowed: "
                    + String.join(", ", OptimizerSpec.SCHEDULES));
        };
    }

    private double cosine(int step) {
        if (step < warmupSteps) {
            return lr * (step + 1) / warmupSteps;
        }
        double p = Math.min(1.0, (double) (step - warmupSteps) / totalSteps);
        return minLr + (lr - minLr) * (1 + Math.cos(Math.PI * p)) / 2;
    }
}
