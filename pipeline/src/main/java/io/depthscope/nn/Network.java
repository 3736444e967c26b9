package io.depthscope.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A list of layers, a loss and the flat parameter layout; built from a {@link NetworkSpec}. */
public final class Network {
    private final NetworkSpec spec;
    private final List<Layer> layers;
    private final List<Linear> linearMaps;
    private final Loss loss;
    private final ParamLayout layout;

    private Network(NetworkSpec spec, List<Layer> layers, List<Linear> linearMaps, Loss loss) {
        this.spec = spec;
        this.layers = Collections.unmodifiableList(layers);
        this.linearMaps = Collections.unmodifiableList(linearMaps);
        this.loss = loss;
        this.layout = new ParamLayout(layers);
    }

    public static Network of(NetworkSpec spec) {
        spec.validate();
        List<Layer> layers = new ArrayList<>();
        List<Linear> maps = new ArrayList<>();
        Linear first = new Linear(0, spec.inputDim(), spec.width(), spec.bias());
        maps.add(first);
        layers.add(first);
        layers.add(Activations.create(spec.activation(), spec.width()));
        for (int l = 1; l < spec.depth(); l++) {
            Linear hidden = new Linear(l, spec.width(), spec.width(), spec.bias());
            maps.add(hidden);
            ElementwiseActivation act = Activations.create(spec.activation(), spec.width());
            if ("resmlp".equals(spec.arch())) {
                layers.add(new ResidualBlock(hidden, act, spec.residualScale()));
            } else {
                layers.add(hidden);
                layers.add(act);
            }
        }
        Linear last = new Linear(spec.depth(), spec.width(), spec.outputDim(), spec.bias());
        maps.add(last);
        layers.add(last);
        return new Network(spec, layers, maps, Loss.of(spec.loss()));
    }

    public NetworkSpec spec() {
        return spec;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The L+1 linear maps, in order; map i owns {@code layers.i.*}. */
    public List<Linear> linearMaps() {
        return linearMaps;
    }

    public Loss loss() {
        return loss;
    }

    public ParamLayout layout() {
        return layout;
    }

    public long paramCount() {
        return layout.size();
    }

    /** The loss landscape at theta on a fixed batch, with forward and backward computed once. */
    public Point at(Batch batch, INDArray theta) {
        return new Point(this, batch, theta);
    }
}
