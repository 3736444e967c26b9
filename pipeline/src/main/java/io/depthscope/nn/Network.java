package io.depthscope.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A sequence of modules, a loss and the flat layouts of parameters and buffers; built from a
 * {@link NetworkSpec} by its preset ({@link Presets}), or from modules directly.
 */
public final class Network {
    private final NetworkSpec spec;
    private final List<Module> layers;
    private final List<Linear> linearMaps;
    private final List<WeightLayer> weightLayers;
    private final Loss loss;
    private final ParamLayout layout;
    private final ParamLayout bufferLayout;

    public Network(NetworkSpec spec, List<Module> layers, Loss loss) {
        this.spec = spec;
        this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
        this.loss = loss;
        this.layout = new ParamLayout(layers);
        this.bufferLayout = ParamLayout.ofBuffers(layers);
        List<WeightLayer> weighted = new ArrayList<>();
        for (Module m : layers) {
            collect(m, weighted);
        }
        this.weightLayers = Collections.unmodifiableList(weighted);
        this.linearMaps = weighted.stream().filter(Linear.class::isInstance).map(Linear.class::cast).toList();
        for (int i = 1; i < layers.size(); i++) {
            if (!java.util.Arrays.equals(layers.get(i - 1).outputShape(), layers.get(i).inputShape())) {
                throw new IllegalArgumentException("module " + i + " expects input " + java.util.Arrays.toString(layers.get(i).inputShape())
                        + " but module " + (i - 1) + " gives " + java.util.Arrays.toString(layers.get(i - 1).outputShape()));
            }
        }
    }

    public static Network of(NetworkSpec spec) {
        spec.validate();
        return new Network(spec, Presets.modules(spec), Loss.of(spec.loss()));
    }

    private static void collect(Module m, List<WeightLayer> into) {
        if (m instanceof WeightLayer layer) {
            into.add(layer);
        }
        for (Module child : m.children()) {
            collect(child, into);
        }
    }

    /** The layers with a weight (linear maps and convolutions), in flat-vector order. */
    public List<WeightLayer> weightLayers() {
        return weightLayers;
    }

    /**
     * Whether every parameter belongs to a linear map, each applied once per example, with no module coupling
     * examples: then per-example gradients and their Gram matrices follow from each map's input and output
     * gradient (the NTK and per-example Grams rely on it). Convolutions reuse a weight at every position and
     * BatchNorm has parameters of its own, so their networks do not qualify.
     */
    public boolean perExampleGramsExact() {
        return weightLayers.size() == linearMaps.size() && bufferLayout.size() == 0
                && layout.entries().stream().allMatch(e -> linearMaps.stream().anyMatch(
                        m -> e.name().equals(m.weightName()) || e.name().equals(m.biasName())));
    }

    /** The weight names of {@link #weightLayers()}, e.g. {@code layers.0.weight} or {@code layer2.0.conv1.weight}. */
    public List<String> weightNames() {
        return weightLayers.stream().map(WeightLayer::weightName).toList();
    }

    /**
     * Frobenius norm of the part of a flat vector (a gradient) that belongs to each weight layer's weight, in the
     * order of {@link #weightLayers()}; biases and BatchNorm parameters are left out.
     */
    public double[] layerGradientNorms(INDArray gradient) {
        double[] norms = new double[weightLayers.size()];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = layout.view(gradient, weightLayers.get(i).weightName()).norm2Number().doubleValue();
        }
        return norms;
    }

    public NetworkSpec spec() {
        return spec;
    }

    public List<Module> layers() {
        return layers;
    }

    /**
     * Indices into {@link #layers()} of the modules whose output is a hidden representation ({@link Module#endsLayer}),
     * in order: h_1..h_L of the per-layer diagnostics. Every activation of mlp, mlp_bn and cnn; a resmlp's first
     * activation and its residual blocks; the resnet's stem activation and each block (its output after the add and the
     * relu), and likewise simple's blocks without the skip.
     */
    public int[] hiddenLayers() {
        return java.util.stream.IntStream.range(0, layers.size()).filter(l -> layers.get(l).endsLayer()).toArray();
    }

    /** The linear maps of the network, in flat-vector order (for mlp and resmlp, map i owns {@code layers.i.*}). */
    public List<Linear> linearMaps() {
        return linearMaps;
    }

    public Loss loss() {
        return loss;
    }

    public ParamLayout layout() {
        return layout;
    }

    /** Where each buffer (BatchNorm's running statistics) lives in the flat buffer vector. */
    public ParamLayout bufferLayout() {
        return bufferLayout;
    }

    public long paramCount() {
        return layout.size();
    }

    /** The shape of one example's input. */
    public long[] inputShape() {
        return layers.get(0).inputShape();
    }

    /** The shape of one example's output. */
    public long[] outputShape() {
        return layers.get(layers.size() - 1).outputShape();
    }

    /** The modules' {@link Module#activationValues} summed, with the output the loss reads: what sizes a chunk ({@link PassBudget}). */
    public long activationValuesPerExample() {
        long values = Module.size(outputShape());
        for (Module m : layers) {
            values += m.activationValues();
        }
        return values;
    }

    /** Whether any module couples the examples of a batch in {@code mode} (train-mode BatchNorm). */
    public boolean couplesExamples(Mode mode) {
        for (Module m : layers) {
            if (m.couplesExamples(mode)) {
                return true;
            }
        }
        return false;
    }

    /** The buffers PyTorch starts from (running mean 0, running variance 1), as a flat vector. */
    public INDArray initialBuffers(DataType dtype) {
        INDArray flat = Nd4j.create(dtype, Math.max(bufferLayout.size(), 0));
        for (ParamLayout.Entry e : bufferLayout.entries()) {
            if (e.name().endsWith(".running_var")) {
                bufferLayout.view(flat, e).assign(1.0);
            }
        }
        return flat;
    }

    /** The loss landscape at theta on a fixed batch (train mode, initial buffers), with forward and backward computed once. */
    public Point at(Batch batch, INDArray theta) {
        return new Point(this, batch, theta, bufferLayout.size() == 0 ? null : initialBuffers(theta.dataType()), Mode.TRAIN);
    }

    /** The loss landscape at theta in {@code mode}, reading and (when asked) updating {@code buffers}. */
    public Point at(Batch batch, INDArray theta, INDArray buffers, Mode mode) {
        return new Point(this, batch, theta, buffers, mode);
    }
}
