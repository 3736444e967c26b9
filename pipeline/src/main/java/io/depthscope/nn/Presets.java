package io.depthscope.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * The module lists of the network presets a {@link NetworkSpec} names. Every module carries the name that the
 * matching PyTorch module has in {@code tools/torch_models.py}, so a state_dict moves both ways. A map followed by
 * BatchNorm has no bias (BatchNorm removes the mean a bias would shift, as He et al.'s networks do); every other
 * map has one when the spec's {@code bias} says so.
 */
public final class Presets {
    private Presets() {}

    public static List<Module> modules(NetworkSpec spec) {
        return switch (spec.arch()) {
            case "mlp", "resmlp" -> fullyConnected(spec);
            case "mlp_bn" -> fullyConnectedWithBatchNorm(spec);
            case "cnn" -> cnn(spec);
            case "resnet", "simple" -> resnet(spec);
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

    /** {@code mlp_bn}: depth layers features.s = (linear, bn, act) of width units, then classifier (tools/torch_models.py mlp_bn). */
    private static List<Module> fullyConnectedWithBatchNorm(NetworkSpec spec) {
        List<Module> layers = new ArrayList<>();
        int in = spec.inputDim();
        for (int s = 0; s < spec.depth(); s++) {
            String stage = "features." + s;
            layers.add(new Linear(stage + ".linear", s, in, spec.width(), false));
            layers.add(new BatchNorm(stage + ".bn", new long[] {spec.width()}));
            layers.add(Activations.create(spec.activation(), spec.width()));
            in = spec.width();
        }
        layers.add(new Linear("classifier", spec.depth(), in, spec.outputDim(), spec.bias()));
        return layers;
    }

    /**
     * {@code cnn}: depth stages features.s = (conv 3x3 with width filters, padding 1, [bn], act) at the input's
     * resolution, then the mean over H and W and classifier (tools/torch_models.py cnn with pool None in every
     * stage but the last, which is "global").
     */
    private static List<Module> cnn(NetworkSpec spec) {
        List<Module> layers = new ArrayList<>();
        int c = spec.inputShape().get(0);
        int h = spec.inputShape().get(1);
        int w = spec.inputShape().get(2);
        boolean bn = spec.batchNorm();
        for (int s = 0; s < spec.depth(); s++) {
            String stage = "features." + s;
            layers.add(new Conv2d(stage + ".conv", s, c, spec.width(), 3, 1, 1, spec.bias() && !bn, h, w));
            if (bn) {
                layers.add(new BatchNorm(stage + ".bn", new long[] {spec.width(), h, w}));
            }
            layers.add(Activations.create(spec.activation(), new long[] {spec.width(), h, w}));
            c = spec.width();
        }
        layers.add(new GlobalAvgPool(c, h, w));
        layers.add(new Linear("classifier", spec.depth(), c, spec.outputDim(), spec.bias()));
        return layers;
    }

    /**
     * He et al.'s CIFAR ResNet-(6n+2) (2016, Sec. 4.2) with akamaster's names: conv1, bn1, relu; three stages
     * layer1..3 of n BasicBlocks with width, 2 width and 4 width filters, the first block of stages 2 and 3 with
     * stride 2; the mean over H and W; linear. {@code simple} is Ghorbani et al.'s simple-(6n+2): every block
     * without its skip connection, nothing else changed.
     */
    private static List<Module> resnet(NetworkSpec spec) {
        boolean bn = spec.batchNorm();
        boolean convBias = spec.bias() && !bn;
        boolean residual = "resnet".equals(spec.arch());
        int h = spec.inputShape().get(1);
        int w = spec.inputShape().get(2);
        int[] index = {0};
        List<Module> layers = new ArrayList<>();
        int planes0 = spec.width();
        layers.add(new Conv2d("conv1", index[0]++, spec.inputShape().get(0), planes0, 3, 1, 1, convBias, h, w));
        if (bn) {
            layers.add(new BatchNorm("bn1", new long[] {planes0, h, w}));
        }
        layers.add(Activations.create("relu", new long[] {planes0, h, w}));
        int inPlanes = planes0;
        for (int stage = 1; stage <= 3; stage++) {
            int planes = spec.width() << (stage - 1);
            for (int b = 0; b < spec.blocksPerStage(); b++) {
                int stride = stage > 1 && b == 0 ? 2 : 1;
                String prefix = "layer" + stage + "." + b;
                Conv2d conv1 = new Conv2d(prefix + ".conv1", index[0]++, inPlanes, planes, 3, stride, 1, convBias, h, w);
                int h2 = (int) conv1.outputShape()[1];
                int w2 = (int) conv1.outputShape()[2];
                long[] out = {planes, h2, w2};
                List<Module> main = new ArrayList<>();
                main.add(conv1);
                if (bn) {
                    main.add(new BatchNorm(prefix + ".bn1", out));
                }
                main.add(Activations.create("relu", out));
                main.add(new Conv2d(prefix + ".conv2", index[0]++, planes, planes, 3, 1, 1, convBias, h2, w2));
                if (bn) {
                    main.add(new BatchNorm(prefix + ".bn2", out));
                }
                if (residual) {
                    Module shortcut = null;
                    if (stride != 1 || inPlanes != planes) {
                        shortcut = "A".equals(spec.shortcut())
                                ? new ShortcutA(inPlanes, planes, stride, h, w)
                                : projection(prefix + ".shortcut", index, inPlanes, planes, stride, convBias, bn, h, w);
                    }
                    layers.add(new Residual(new Sequential(main), shortcut, spec.residualScale(), Activations.create("relu", out)));
                } else {
                    main.add(Activations.create("relu", out));
                    layers.add(Sequential.block(main));
                }
                inPlanes = planes;
                h = h2;
                w = w2;
            }
        }
        layers.add(new GlobalAvgPool(inPlanes, h, w));
        layers.add(new Linear("linear", index[0], inPlanes, spec.outputDim(), spec.bias()));
        return layers;
    }

    /** Option B: a 1x1 convolution with the block's stride, then BatchNorm (shortcut.0, shortcut.1). */
    private static Module projection(String name, int[] index, int inPlanes, int planes, int stride, boolean convBias, boolean bn,
                                     int h, int w) {
        Conv2d conv = new Conv2d(name + ".0", index[0]++, inPlanes, planes, 1, stride, 0, convBias, h, w);
        if (!bn) {
            return conv;
        }
        long[] out = conv.outputShape();
        return Sequential.of(conv, new BatchNorm(name + ".1", out));
    }
}
