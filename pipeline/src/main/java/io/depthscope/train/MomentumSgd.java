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
        double mu = spec.momentum();
        boolean nesterov = "nesterov".equals(spec.kind());
        // Without clipping or weight decay g is the gradient itself, and only Nesterov's step writes into g: the others read
        // the gradient where it lies, one pass over the parameters fewer than copying it first (the same arithmetic).
        INDArray scratch = work.buffer(0, theta, gradient); // checks theta and the gradient against the state
        INDArray g = spec.clipNorm() <= 0 && spec.weightDecay() <= 0 && !nesterov ? gradient
                : GradientWork.effectiveGradient(scratch, theta, gradient, spec.clipNorm(), spec.weightDecay());
        if (mu == 0) {
            Nd4j.getBlasWrapper().axpy(-lr, g, theta);
            return;
        }
        INDArray v = work.buffer(1, theta, gradient);
        v.muli(mu).addi(g);
        if (nesterov) {
            Nd4j.getBlasWrapper().axpy(mu, v, g);
            Nd4j.getBlasWrapper().axpy(-lr, g, theta);
        } else {
            Nd4j.getBlasWrapper().axpy(-lr, v, theta);
        }
    }
}
