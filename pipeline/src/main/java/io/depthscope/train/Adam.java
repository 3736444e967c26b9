package io.depthscope.train;

import io.depthscope.study.OptimizerSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * torch.optim.Adam / AdamW (amsgrad off). With t = step + 1: g = clip(grad) (+ wd theta for adam; for
 * adamw theta *= 1 - lr wd first); m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * theta -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps), eps outside the root as in torch.
 */
final class Adam implements Optimizer {
    private final OptimizerSpec spec;
    private final Schedule schedule;
    private final boolean decoupled;
    private final GradientWork work = new GradientWork(4);

    Adam(OptimizerSpec spec) {
        this.spec = spec;
        this.schedule = Schedule.of(spec);
        this.decoupled = "adamw".equals(spec.kind());
    }

    @Override
    public void step(INDArray theta, INDArray gradient, int step) {
        double lr = schedule.lr(step);
        int t = step + 1;
        INDArray g = GradientWork.effectiveGradient(work.buffer(0, theta, gradient), theta, gradient, spec.clipNorm(),
                decoupled ? 0 : spec.weightDecay());
        INDArray m = work.buffer(1, theta, gradient);
        INDArray v = work.buffer(2, theta, gradient);
        INDArray d = work.buffer(3, theta, gradient);
        if (decoupled && spec.weightDecay() > 0) {
            theta.muli(1 - lr * spec.weightDecay());
        }
        double b1 = spec.beta1();
        double b2 = spec.beta2();
        m.muli(b1);
        Nd4j.getBlasWrapper().axpy(1 - b1, g, m);
        g.muli(g);
        v.muli(b2);
        Nd4j.getBlasWrapper().axpy(1 - b2, g, v);
        double bc1 = 1 - Math.pow(b1, t);
        double bc2 = 1 - Math.pow(b2, t);
        d.assign(v);
        Transforms.sqrt(d, false);
        d.divi(Math.sqrt(bc2)).addi(spec.eps());
        d.rdivi(m);
        Nd4j.getBlasWrapper().axpy(-lr / bc1, d, theta);
    }
}
