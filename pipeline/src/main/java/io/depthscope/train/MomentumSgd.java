package io.depthscope.train;

import io.depthscope.study.OptimizerSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * torch.optim.SGD with dampening 0: g = clip(grad) + wd theta; with mu = 0 (gd, sgd) theta -= lr g;
 * otherwise v = mu v + g (v starts at 0, so the first v is g, as torch's buffer) and theta -= lr v
 * (heavy ball) or theta -= lr (g + mu v) (nesterov).
 */
final class MomentumSgd implements Optimizer {
    private final OptimizerSpec spec;
    private final Schedule schedule;
    private final GradientWork work;

    MomentumSgd(OptimizerSpec spec) {
        this.spec = spec;
        this.schedule = Schedule.of(spec);
        this.work = new GradientWork(spec.momentum() > 0 ? 2 : 1);
    }

    @Override
    public void step(INDArray theta, INDArray gradient, int step) {
        double lr = schedule.lr(step);
        INDArray g = GradientWork.effectiveGradient(work.buffer(0, theta, gradient), theta, gradient, spec.clipNorm(),
                spec.weightDecay());
        double mu = spec.momentum();
        if (mu == 0) {
            Nd4j.getBlasWrapper().axpy(-lr, g, theta);
            return;
        }
        INDArray v = work.buffer(1, theta, gradient);
        v.muli(mu).addi(g);
        if ("nesterov".equals(spec.kind())) {
            Nd4j.getBlasWrapper().axpy(mu, v, g);
            Nd4j.getBlasWrapper().axpy(-lr, g, theta);
        } else {
            Nd4j.getBlasWrapper().axpy(-lr, v, theta);
        }
    }
}
