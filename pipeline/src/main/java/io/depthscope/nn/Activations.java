package io.depthscope.nn;

import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.strict.HardTanh;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SoftPlus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The elementwise activations. Each is f, f' and f'' and nothing else. Derivatives at the kinks of relu
 * (z = 0) and hardtanh (|z| = 1) are 0, as in PyTorch.
 */
public final class Activations {
    /** The names accepted in specs and configs. */
    public static final List<String> NAMES = List.of("relu", "tanh", "sigmoid", "softplus", "hardtanh", "linear");

    private Activations() {}

    /** The activation called {@code name}, for {@code dim} features; an unknown name is an error naming the choices. */
    public static ElementwiseActivation create(String name, int dim) {
        return create(name, new long[] {dim});
    }

    /** The activation called {@code name}, for per-example arrays of {@code shape}. */
    public static ElementwiseActivation create(String name, long[] dim) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return switch (key) {
            case "relu" -> new Relu(dim);
            case "tanh" -> new TanhActivation(dim);
            case "sigmoid" -> new SigmoidActivation(dim);
            case "softplus" -> new Softplus(dim);
            case "hardtanh" -> new Hardtanh(dim);
            case "linear" -> new Identity(dim);
            default -> throw new IllegalArgumentException(
                    "activation: unknown value '" + name + "'; allowed: " + String.join(", ", NAMES));
        };
    }

    /** tanh: f' = 1 - a^2, f'' = -2 a f'. */
    static final class TanhActivation extends ElementwiseActivation {
        TanhActivation(long[] dim) {
            super(dim);
        }

        @Override
        public String name() {
            return "tanh";
        }

        @Override
        protected void value(INDArray z, INDArray a) {
            Nd4j.exec(new Tanh(z, a));
        }

        @Override
        protected void firstDerivative(INDArray z, INDArray a, INDArray d1) {
            Nd4j.exec(new MulOp(a, a, d1));
            d1.rsubi(1.0);
        }

        @Override
        protected void secondDerivative(INDArray z, INDArray a, INDArray d1, INDArray d2) {
            Nd4j.exec(new MulOp(a, d1, d2));
            d2.muli(-2.0);
        }
    }

    /** sigmoid: f' = a (1 - a), f'' = f' (1 - 2a). */
    static final class SigmoidActivation extends ElementwiseActivation {
        SigmoidActivation(long[] dim) {
            super(dim);
        }

        @Override
        public String name() {
            return "sigmoid";
        }

        @Override
        protected void value(INDArray z, INDArray a) {
            Nd4j.exec(new Sigmoid(z, a));
        }

        @Override
        protected void firstDerivative(INDArray z, INDArray a, INDArray d1) {
            d1.assign(a).rsubi(1.0).muli(a);
        }

        @Override
        protected void secondDerivative(INDArray z, INDArray a, INDArray d1, INDArray d2) {
            d2.assign(a).muli(-2.0).addi(1.0).muli(d1);
        }
    }

    /** softplus log(1 + e^z): f' = sigmoid(z), f'' = f' (1 - f'). */
    static final class Softplus extends ElementwiseActivation {
        Softplus(long[] dim) {
            super(dim);
        }

        @Override
        public String name() {
            return "softplus";
        }

        @Override
        protected void value(INDArray z, INDArray a) {
            Nd4j.exec(new SoftPlus(z, a));
        }

        @Override
        protected void firstDerivative(INDArray z, INDArray a, INDArray d1) {
            Nd4j.exec(new Sigmoid(z, d1));
        }

        @Override
        protected void secondDerivative(INDArray z, INDArray a, INDArray d1, INDArray d2) {
            d2.assign(d1).rsubi(1.0).muli(d1);
        }
    }

    /** relu max(z, 0): f' = [z > 0]. */
    static final class Relu extends ElementwiseActivation {
        Relu(long[] dim) {
            super(dim);
        }

        @Override
        public String name() {
            return "relu";
        }

        @Override
        protected void value(INDArray z, INDArray a) {
            Nd4j.exec(new RectifiedLinear(z, a, 0.0));
        }

        @Override
        protected void firstDerivative(INDArray z, INDArray a, INDArray d1) {
            Nd4j.exec(new Step(z, d1, 0.0));
        }

        @Override
        protected void secondDerivative(INDArray z, INDArray a, INDArray d1, INDArray d2) {
            throw new IllegalStateException("relu has no curvature term");
        }

        @Override
        protected boolean hasCurvature() {
            return false;
        }
    }

    /** hardtanh clip(z, -1, 1): f' = [|z| < 1]. */
    static final class Hardtanh extends ElementwiseActivation {
        Hardtanh(long[] dim) {
            super(dim);
        }

        @Override
        public String name() {
            return "hardtanh";
        }

        @Override
        protected void value(INDArray z, INDArray a) {
            Nd4j.exec(new HardTanh(z, a));
        }

        @Override
        protected void firstDerivative(INDArray z, INDArray a, INDArray d1) {
            Nd4j.exec(new Abs(z, d1));
            d1.rsubi(1.0);
            Nd4j.exec(new Step(d1, d1, 0.0));
        }

        @Override
        protected void secondDerivative(INDArray z, INDArray a, INDArray d1, INDArray d2) {
            throw new IllegalStateException("hardtanh has no curvature term");
        }

        @Override
        protected boolean hasCurvature() {
            return false;
        }
    }

    /** The identity: deep linear networks (Saxe 2013). */
    static final class Identity extends ElementwiseActivation {
        Identity(long[] dim) {
            super(dim);
        }

        @Override
        public String name() {
            return "linear";
        }

        @Override
        protected void value(INDArray z, INDArray a) {
            a.assign(z);
        }

        @Override
        protected void firstDerivative(INDArray z, INDArray a, INDArray d1) {
            d1.assign(1.0);
        }

        @Override
        protected void secondDerivative(INDArray z, INDArray a, INDArray d1, INDArray d2) {
            throw new IllegalStateException("the identity has no curvature term");
        }

        @Override
        protected boolean hasCurvature() {
            return false;
        }
    }
}
