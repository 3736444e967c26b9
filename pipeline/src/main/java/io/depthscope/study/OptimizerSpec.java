package io.depthscope.study;

import io.depthscope.data.MinibatchSampler;
import io.depthscope.train.Schedule;
import java.util.List;
import java.util.Locale;

/**
 * An optimiser and its learning-rate schedule, with PyTorch's semantics so runs can be compared with it.
 *
 * <ul>
 *   <li>{@code gd}: full-batch gradient descent, theta -= lr g (batch_size must be 0 = full batch).</li>
 *   <li>{@code sgd}: the same update on minibatches of batch_size (see {@link MinibatchSampler}).</li>
 *   <li>{@code momentum}: heavy ball as torch.optim.SGD: v = mu v + g; theta -= lr v.</li>
 *   <li>{@code nesterov}: torch.optim.SGD(nesterov=True): v = mu v + g; theta -= lr (g + mu v).</li>
 *   <li>{@code adam}: torch.optim.Adam, bias-corrected, eps added to sqrt(v_hat).</li>
 *   <li>{@code adamw}: torch.optim.AdamW: Adam with decoupled weight decay theta *= 1 - lr wd.</li>
 * </ul>
 * weight_decay is L2 added to the gradient (g += wd theta, torch's {@code weight_decay}) for every kind
 * but adamw. clip_norm &gt; 0 rescales the raw gradient to that global norm first, as
 * torch.nn.utils.clip_grad_norm_ does before the step. batch_size 0 means the full batch; for momentum,
 * nesterov and adam it may be set to train on minibatches.
 *
 * @param kind         one of {@link #KINDS}
 * @param lr           the base learning rate, &gt;= 0
 * @param momentum     mu, in [0, 1); must be 0 except for momentum and nesterov (default 0.9 there)
 * @param beta1        Adam's first-moment decay, in [0, 1) (default 0.9)
 * @param beta2        Adam's second-moment decay, in [0, 1) (default 0.999)
 * @param eps          Adam's denominator term, &gt; 0 (default 1e-8)
 * @param weightDecay  &gt;= 0 (default 0; 0.01 for adamw, as torch)
 * @param batchSize    0 = full batch (default), else examples per step
 * @param clipNorm     0 = no clipping (default), else the largest global gradient norm
 * @param schedule     one of {@link #SCHEDULES} (default constant), see {@link Schedule}
 * @param stepEvery    step schedule: multiply by gamma every stepEvery steps
 * @param gamma        step schedule: the factor, in (0, 1] (default 0.1)
 * @param totalSteps   cosine schedule: steps from the end of warmup to the floor
 * @param minLr        cosine schedule: the floor, in [0, lr] (default 0)
 * @param warmupSteps  cosine schedule: linear warmup steps before the decay (default 0)
 * @param curvatureLr  c &gt; 0 sets the run's base learning rate to c / lambda_max(H_0), the largest Hessian eigenvalue at
 *                     initialisation (see {@code io.depthscope.train.CurvatureLr}), so that runs of different curvature take
 *                     steps of the same size relative to it (gradient descent is stable on a quadratic for c &lt; 2); NaN
 *                     (the default) keeps lr. With it, lr is not given (NaN): the two would say different things.
 */
public record OptimizerSpec(
        String kind,
        double lr,
        double momentum,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        int batchSize,
        double clipNorm,
        String schedule,
        int stepEvery,
        double gamma,
        int totalSteps,
        double minLr,
        int warmupSteps,
        double curvatureLr) implements java.io.Serializable {

    public static final List<String> KINDS = List.of("gd", "sgd", "momentum", "nesterov", "adam", "adamw");
    public static final List<String> SCHEDULES = List.of("constant", "step", "cosine");

    public OptimizerSpec {
        kind = kind == null ? null : kind.toLowerCase(Locale.ROOT);
        schedule = schedule == null ? "constant" : schedule.toLowerCase(Locale.ROOT);
    }

    /** The spec at a fixed learning rate (curvature_lr off), as every run was before curvature_lr existed. */
    public OptimizerSpec(String kind, double lr, double momentum, double beta1, double beta2, double eps, double weightDecay,
                         int batchSize, double clipNorm, String schedule, int stepEvery, double gamma, int totalSteps, double minLr,
                         int warmupSteps) {
        this(kind, lr, momentum, beta1, beta2, eps, weightDecay, batchSize, clipNorm, schedule, stepEvery, gamma, totalSteps, minLr,
                warmupSteps, Double.NaN);
    }

    /** Whether the base learning rate is set per run from the curvature at initialisation (curvature_lr given). */
    public boolean fromCurvature() {
        return !Double.isNaN(curvatureLr);
    }

    /** This spec with its learning rate set from curvature: lr = c / lambda_max(H_0) left to the run (lr NaN). */
    public OptimizerSpec withCurvatureLr(double c) {
        return new OptimizerSpec(kind, Double.NaN, momentum, beta1, beta2, eps, weightDecay, batchSize, clipNorm, schedule, stepEvery,
                gamma, totalSteps, minLr, warmupSteps, c);
    }

    /** The spec the optimiser runs with once the run knows its learning rate: lr = {@code eta}, curvature_lr off. */
    public OptimizerSpec atLearningRate(double eta) {
        return new OptimizerSpec(kind, eta, momentum, beta1, beta2, eps, weightDecay, batchSize, clipNorm, schedule, stepEvery, gamma,
                totalSteps, minLr, warmupSteps, Double.NaN);
    }

    /** {@code kind} at the default learning rate 0.05, every other field at its default. */
    public static OptimizerSpec of(String kind) {
        return of(kind, 0.05);
    }

    /** {@code kind} at learning rate {@code lr} with every other field at its default. */
    public static OptimizerSpec of(String kind, double lr) {
        String k = kind == null ? null : kind.toLowerCase(Locale.ROOT);
        double mu = "momentum".equals(k) || "nesterov".equals(k) ? 0.9 : 0.0;
        double wd = "adamw".equals(k) ? 0.01 : 0.0;
        return new OptimizerSpec(k, lr, mu, 0.9, 0.999, 1e-8, wd, 0, 0.0, "constant", 0, 0.1, 0, 0.0, 0);
    }

    public OptimizerSpec withMomentum(double mu) {
        return new OptimizerSpec(kind, lr, mu, beta1, beta2, eps, weightDecay, batchSize, clipNorm, schedule, stepEvery, gamma,
                totalSteps, minLr, warmupSteps, curvatureLr);
    }

    public OptimizerSpec withAdam(double b1, double b2, double e) {
        return new OptimizerSpec(kind, lr, momentum, b1, b2, e, weightDecay, batchSize, clipNorm, schedule, stepEvery, gamma,
                totalSteps, minLr, warmupSteps, curvatureLr);
    }

    public OptimizerSpec withWeightDecay(double wd) {
        return new OptimizerSpec(kind, lr, momentum, beta1, beta2, eps, wd, batchSize, clipNorm, schedule, stepEvery, gamma,
                totalSteps, minLr, warmupSteps, curvatureLr);
    }

    public OptimizerSpec withBatchSize(int b) {
        return new OptimizerSpec(kind, lr, momentum, beta1, beta2, eps, weightDecay, b, clipNorm, schedule, stepEvery, gamma,
                totalSteps, minLr, warmupSteps, curvatureLr);
    }

    public OptimizerSpec withClipNorm(double c) {
        return new OptimizerSpec(kind, lr, momentum, beta1, beta2, eps, weightDecay, batchSize, c, schedule, stepEvery, gamma,
                totalSteps, minLr, warmupSteps, curvatureLr);
    }

    /** The step schedule: lr * gamma^floor(step / every). */
    public OptimizerSpec withStepSchedule(int every, double g) {
        return new OptimizerSpec(kind, lr, momentum, beta1, beta2, eps, weightDecay, batchSize, clipNorm, "step", every, g,
                totalSteps, minLr, warmupSteps, curvatureLr);
    }

    /** The cosine schedule from lr to floor over total steps after warmup steps of linear warmup. */
    public OptimizerSpec withCosineSchedule(int total, double floor, int warmup) {
        return new OptimizerSpec(kind, lr, momentum, beta1, beta2, eps, weightDecay, batchSize, clipNorm, "cosine", stepEvery, gamma,
                total, floor, warmup, curvatureLr);
    }

    /** Checks every field; the error names the field, the value and what is allowed. */
    public OptimizerSpec validate() {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("optimizer.kind: unknown value '" + kind + "'; allowed: " + String.join(", ", KINDS));
        }
        validateCurvature();
        boolean heavyBall = "momentum".equals(kind) || "nesterov".equals(kind);
        if (heavyBall) {
            unitInterval("optimizer.momentum", momentum);
            if ("nesterov".equals(kind) && momentum == 0) {
                throw new IllegalArgumentException("optimizer.momentum: value 0 is not allowed with kind nesterov; allowed: a number in (0, 1)");
            }
        } else if (momentum != 0) {
            throw new IllegalArgumentException("optimizer.momentum: value " + momentum + " is not allowed with kind " + kind
                    + "; allowed: 0 (momentum applies to kinds momentum, nesterov; adam uses beta1)");
        }
        unitInterval("optimizer.beta1", beta1);
        unitInterval("optimizer.beta2", beta2);
        if (!(eps > 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("optimizer.eps: value " + eps + " is not allowed; allowed: a finite number > 0");
        }
        atLeastZero("optimizer.weight_decay", weightDecay);
        atLeastZero("optimizer.clip_norm", clipNorm);
        if ("gd".equals(kind) && batchSize != 0) {
            throw new IllegalArgumentException("optimizer.batch_size: value " + batchSize + " is not allowed with kind gd; allowed: 0 "
                    + "(full batch; use kind sgd for minibatches)");
        }
        if ("sgd".equals(kind) && batchSize < 1) {
            throw new IllegalArgumentException("optimizer.batch_size: value " + batchSize + " is not allowed with kind sgd; allowed: "
                    + "an integer >= 1 (use kind gd for the full batch)");
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("optimizer.batch_size: value " + batchSize + " is not allowed; allowed: 0 (full batch) "
                    + "or an integer >= 1");
        }
        validateSchedule();
        return this;
    }

    private void validateSchedule() {
        if (!SCHEDULES.contains(schedule)) {
            throw new IllegalArgumentException("optimizer.schedule: unknown value '" + schedule + "'; allowed: "
                    + String.join(", ", SCHEDULES));
        }
        if (!"cosine".equals(schedule) && warmupSteps != 0) {
            throw new IllegalArgumentException("optimizer.warmup_steps: value " + warmupSteps + " is not allowed with schedule "
                    + schedule + "; allowed: 0 (warmup belongs to the cosine schedule)");
        }
        if ("step".equals(schedule)) {
            if (stepEvery < 1) {
                throw new IllegalArgumentException("optimizer.step_every: value " + stepEvery + " is not allowed; allowed: an integer >= 1");
            }
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("optimizer.gamma: value " + gamma + " is not allowed; allowed: a number in (0, 1]");
            }
        }
        if ("cosine".equals(schedule)) {
            if (totalSteps < 1) {
                throw new IllegalArgumentException("optimizer.total_steps: value " + totalSteps + " is not allowed; allowed: an integer >= 1");
            }
            if (fromCurvature() && minLr != 0) {
                throw new IllegalArgumentException("optimizer.min_lr: value " + minLr + " is not allowed with curvature_lr; allowed: 0 "
                        + "(the base learning rate is known only when the run has measured lambda_max(H_0))");
            }
            if (!fromCurvature() && !(minLr >= 0 && minLr <= lr)) {
                throw new IllegalArgumentException("optimizer.min_lr: value " + minLr + " is not allowed; allowed: a number in [0, lr = "
                        + lr + "]");
            }
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("optimizer.warmup_steps: value " + warmupSteps + " is not allowed; allowed: an integer >= 0");
            }
        }
    }

    /** lr, or curvature_lr instead of it: never both, and c / lambda_max is a step size for gradient descent, not Adam's. */
    private void validateCurvature() {
        if (!fromCurvature()) {
            atLeastZero("optimizer.lr", lr);
            return;
        }
        if (!(curvatureLr > 0) || !Double.isFinite(curvatureLr)) {
            throw new IllegalArgumentException("optimizer.curvature_lr: value " + curvatureLr + " is not allowed; allowed: a finite number "
                    + "> 0 (the learning rate is curvature_lr / lambda_max(H_0)), or leave it out");
        }
        if (!Double.isNaN(lr)) {
            throw new IllegalArgumentException("optimizer.lr: value " + lr + " is not allowed with curvature_lr = " + curvatureLr
                    + "; allowed: leave lr out (the run's learning rate is curvature_lr / lambda_max(H_0))");
        }
        if ("adam".equals(kind) || "adamw".equals(kind)) {
            throw new IllegalArgumentException("optimizer.curvature_lr: value " + curvatureLr + " is not allowed with kind " + kind
                    + "; allowed: leave it out (c / lambda_max(H_0) scales gradient steps: kinds gd, sgd, momentum, nesterov; "
                    + "Adam normalises its steps)");
        }
    }

    private static void atLeastZero(String field, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(field + ": value " + v + " is not allowed; allowed: a finite number >= 0");
        }
    }

    private static void unitInterval(String field, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(field + ": value " + v + " is not allowed; allowed: a number in [0, 1)");
        }
    }
}
