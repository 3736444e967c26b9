package io.depthscope.nn;

import java.util.ArrayList;
import java.util.List;

/** The module lists of the network presets a {@link NetworkSpec} names. */
public final class Presets {
    private Presets() {}

    public static List<Module> modules(NetworkSpec spec) {
        return switch (spec.arch()) {
            case "mlp", "resmlp" -> fullyConnected(spec);
            default -> throw new IllegalArgumentException("arch: unknown value '" + spec.arch() + "'; allowed: "
                    + String.join(", ", NetworkSpec.ARCHS));
        };
    }

    /**
     * {@code mlp}: h1 = f(W0 x + b0), h(l+1) = f(Wl hl + bl), out = WL hL + bL; {@code resmlp} makes every hidden
     * layer after the first a residual block h + alpha f(Wl hl + bl). Map i is PyTorch's {@code layers.i}.
     */
    private static List<Module> fullyConnected(NetworkSpec spec) {
        List<Module> layers = new ArrayList<>();
        layers.add(new Linear("layers.0", 0, spec.inputDim(), spec.width(), spec.bias()));
        layers.add(Activations.create(spec.activation(), spec.width()));
        for (int l = 1; l < spec.depth(); l++) {
            Linear hidden = new Linear("layers." + l, l, spec.width(), spec.width(), spec.bias());
            ElementwiseActivation act = Activations.create(spec.activation(), spec.width());
            if ("resmlp".equals(spec.arch())) {
                layers.add(new Residual(Sequential.of(hidden, act), null, spec.residualScale(), null));
            } else {
                layers.add(hidden);
                layers.add(act);
            }
        }
        layers.add(new Linear("layers." + spec.depth(), spec.depth(), spec.width(), spec.outputDim(), spec.bias()));
        return layers;
    }
}
