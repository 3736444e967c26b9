package io.depthscope.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/** Loss = (1/N) sum_n 1/2 ||f_n - y_n||^2; dLoss/df = (f - y)/N; d^2Loss/df^2 = I/N. */
public final class MeanSquaredError implements Loss {
    @Override
    public String name() {
        return "mse";
    }

    @Override
    public LossPass bind(INDArray targets) {
        INDArray y = targets;
        long n = y.rows();
        INDArray grad = Nd4j.create(y.dataType(), y.shape());
        INDArray rGrad = Nd4j.create(y.dataType(), y.shape());
        return new LossPass() {
            @Override
            public double forward(INDArray f) {
                Nd4j.exec(new SubOp(f, y, grad));
                double sumSquares = grad.norm2Number().doubleValue();
                grad.divi(n);
                return 0.5 * sumSquares * sumSquares / n;
            }

            @Override
            public INDArray gradient() {
                return grad;
            }

            @Override
            public INDArray rGradient(INDArray rf) {
                return rGrad.assign(rf).divi(n);
            }

            /** R{f} / n, elementwise: one pass for every direction in either layout. */
            @Override
            public void rGradientBlock(INDArray r, int k, boolean sideBySide, INDArray into) {
                into.assign(r).divi(n);
            }
        };
    }
}
