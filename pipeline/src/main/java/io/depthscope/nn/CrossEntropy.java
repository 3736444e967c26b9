package io.depthscope.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Loss = -(1/N) sum_n log softmax(f_n)[label_n], with targets as one-hot rows. With p = softmax(f):
 * dLoss/df = (p - y)/N and (d^2 Loss/df^2) r = (p * r - p (p . r))/N row by row.
 */
public final class CrossEntropy implements Loss {
    @Override
    public String name() {
        return "cross_entropy";
    }

    @Override
    public LossPass bind(INDArray targets) {
        INDArray y = targets;
        long n = y.rows();
        INDArray p = Nd4j.create(y.dataType(), y.shape());
        INDArray logp = Nd4j.create(y.dataType(), y.shape());
        INDArray grad = Nd4j.create(y.dataType(), y.shape());
        INDArray rGrad = Nd4j.create(y.dataType(), y.shape());
        return new LossPass() {
            @Override
            public double forward(INDArray f) {
                // log-sum-exp with the row maximum taken out, so large logits do not overflow
                INDArray max = f.max(1);
                logp.assign(f).subiColumnVector(max);
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Exp(logp, p));
                INDArray logSum = Transforms.log(p.sum(1), false);
                logp.subiColumnVector(logSum);
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Exp(logp, p));
                Nd4j.exec(new MulOp(logp, y, grad));
                double loss = -grad.sumNumber().doubleValue() / n;
                Nd4j.exec(new SubOp(p, y, grad));
                grad.divi(n);
                return loss;
            }

            @Override
            public INDArray gradient() {
                return grad;
            }

            @Override
            public INDArray rGradient(INDArray rf) {
                Nd4j.exec(new MulOp(p, rf, rGrad));
                INDArray dot = rGrad.sum(1);
                INDArray correction = p.mulColumnVector(dot);
                return rGrad.subi(correction).divi(n);
            }
        };
    }
}
