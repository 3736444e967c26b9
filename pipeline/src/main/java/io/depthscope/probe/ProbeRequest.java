package io.depthscope.probe;

import io.depthscope.data.BatchNpz;
import io.depthscope.io.Npz;
import io.depthscope.nn.BatchNorm;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Module;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.ParamLayout;
import io.depthscope.nn.SpecJson;
import io.depthscope.nn.StateDict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One probe of the loss landscape: a network at parameters theta (whose dtype is the dtype of every
 * product) on one batch, an optional direction for Hv, and how to get the Hessian's spectral moments.
 * A network with BatchNorm also has its running statistics and a mode: in eval mode (the default) every
 * BatchNorm normalises by its running statistics; in train mode by the statistics of each group of
 * {@code bnBatch} consecutive examples, and the loss and its derivatives are the means over the groups.
 *
 * @param buffers the flat buffer vector (BatchNorm's running statistics) in theta's dtype; null without BatchNorm
 * @param vector  a flat direction of P entries, or null for no Hv
 * @param mode    train or eval for a network with BatchNorm (null: eval); must be null without BatchNorm, where
 *                the two modes are the same function
 * @param bnBatch the normalisation group in train mode, a divisor of the batch size (null: the whole batch); must
 *                be null in eval mode and without BatchNorm
 */
public record ProbeRequest(Network network, INDArray theta, INDArray buffers, Batch batch, INDArray vector, MomentMethod moments,
                           Mode mode, Integer bnBatch) {

    public ProbeRequest {
        boolean bn = hasBatchNorm(network);
        if (!bn && mode != null) {
            throw new IllegalArgumentException("mode: value '" + mode.label() + "' is not allowed for " + describe(network)
                    + ", which has no BatchNorm (train and eval mode are the same function there); allowed: no mode");
        }
        if (!bn && bnBatch != null) {
            throw new IllegalArgumentException("bn_batch: value " + bnBatch + " is not allowed for " + describe(network)
                    + ", which has no BatchNorm; allowed: no bn_batch");
        }
        if (bn && buffers == null) {
            throw new IllegalArgumentException("buffers: none given; allowed: BatchNorm's running statistics "
                    + network.bufferLayout().entries().stream().map(ParamLayout.Entry::name).toList());
        }
        if (bn && mode == null) {
            mode = Mode.EVAL;
        }
        if (bnBatch != null && mode != Mode.TRAIN) {
            throw new IllegalArgumentException("bn_batch: value " + bnBatch + " is not allowed in " + mode.label()
                    + " mode, where BatchNorm normalises by its running statistics and groups no examples; allowed: bn_batch only with mode train");
        }
        if (mode == Mode.TRAIN) {
            checkGroup(network, batch.size(), bnBatch);
        }
    }

    /** A request for a network without BatchNorm (no buffers, no mode). */
    public ProbeRequest(Network network, INDArray theta, Batch batch, INDArray vector, MomentMethod moments) {
        this(network, theta, null, batch, vector, moments, null, null);
    }

    /** The examples of one normalisation group: bn_batch in train mode, else the whole batch. */
    public int groupSize() {
        return mode == Mode.TRAIN && bnBatch != null ? bnBatch : batch.size();
    }

    static boolean hasBatchNorm(Network network) {
        return network.bufferLayout().size() > 0;
    }

    private static String describe(Network network) {
        NetworkSpec s = network.spec();
        if (s == null) {
            return "this network";
        }
        return "arch " + s.arch() + (s.convolutional() && !s.batchNorm() ? " with batch_norm false" : "");
    }

    /** A train-mode group must divide the batch and give every BatchNorm more than one value per channel, as PyTorch requires. */
    private static void checkGroup(Network network, int n, Integer bnBatch) {
        int group = bnBatch == null ? n : bnBatch;
        String value = bnBatch == null ? "bn_batch: value " + n + " (the whole batch, the default)" : "bn_batch: value " + bnBatch;
        if (group < 1) {
            throw new IllegalArgumentException(value + " is not allowed; allowed: a divisor of " + n + " (" + divisors(n) + ")");
        }
        if (n % group != 0) {
            throw new IllegalArgumentException(value + " does not divide the batch of " + n + " examples; allowed: a divisor of " + n
                    + " (" + divisors(n) + ")");
        }
        long spatial = Long.MAX_VALUE;
        String smallest = null;
        for (Module m : network.layers()) {
            for (BatchNorm b : batchNorms(m, new ArrayList<>())) {
                long[] shape = b.inputShape();
                long positions = shape.length == 3 ? shape[1] * shape[2] : 1;
                if (positions < spatial) {
                    spatial = positions;
                    smallest = b.name();
                }
            }
        }
        if ((long) group * spatial < 2) {
            throw new IllegalArgumentException(value + " is not allowed in train mode: BatchNorm '" + smallest + "' would normalise "
                    + "a single value per channel (PyTorch refuses it in training); allowed: a divisor of " + n + " of at least 2");
        }
    }

    private static List<BatchNorm> batchNorms(Module m, List<BatchNorm> into) {
        if (m instanceof BatchNorm b) {
            into.add(b);
        }
        for (Module c : m.children()) {
            batchNorms(c, into);
        }
        return into;
    }

    /** The divisors of n, at most 16 of them, for an error message. */
    private static String divisors(int n) {
        List<String> d = new ArrayList<>();
        for (int i = 1; i <= n && d.size() < 16; i++) {
            if (n % i == 0) {
                d.add(String.valueOf(i));
            }
        }
        String list = String.join(", ", d);
        return d.size() == 16 && !d.get(15).equals(String.valueOf(n)) ? list + ", ..., " + n : list;
    }

    /**
     * How the moments are computed. {@code AUTO} is exact (dense Hessian, LAPACK eigenvalues) up to
     * {@link #AUTO_EXACT_MAX_PARAMS} parameters, where it costs seconds, and {@link #DEFAULT_PROBES}
     * Rademacher probes of seed {@link #DEFAULT_SEED} above.
     */
    public record MomentMethod(Kind kind, int probes, long seed) {
        public static final long AUTO_EXACT_MAX_PARAMS = 4000;
        public static final int DEFAULT_PROBES = 100;
        public static final long DEFAULT_SEED = 0;

        public enum Kind { EXACT, HUTCHINSON, AUTO }

        public static MomentMethod exact() {
            return new MomentMethod(Kind.EXACT, 0, 0);
        }

        public static MomentMethod hutchinson(int probes, long seed) {
            return new MomentMethod(Kind.HUTCHINSON, probes, seed);
        }

        public static MomentMethod auto() {
            return new MomentMethod(Kind.AUTO, DEFAULT_PROBES, DEFAULT_SEED);
        }

        /** AUTO made concrete for a network of {@code paramCount} parameters. */
        public MomentMethod resolve(long paramCount) {
            if (kind != Kind.AUTO) {
                return this;
            }
            return paramCount <= AUTO_EXACT_MAX_PARAMS ? exact() : hutchinson(probes, seed);
        }
    }

    /**
     * Loads spec JSON, state-dict weights (with BatchNorm's running statistics when the network has BatchNorm), a
     * data batch and optionally a direction (.npy), checking each against the spec; {@code mode} and {@code bnBatch}
     * may be null (see the record).
     */
    public static ProbeRequest load(Path spec, Path weights, Path data, Path vector, MomentMethod moments, DataType dtype,
                                    Mode mode, Integer bnBatch) {
        NetworkSpec s = SpecJson.read(spec);
        Map<String, INDArray> arrays = Npz.read(weights, "weights");
        // a spec can declare millions of layers in a few bytes; the weights file is the bound, so compare before building
        if (NetworkSpec.FULLY_CONNECTED.contains(s.arch()) && arrays.size() < (long) s.depth() + 1) {
            throw new IllegalArgumentException("weights: " + weights + " holds " + arrays.size() + " arrays, too few for depth " + s.depth()
                    + " of the spec (" + ((long) s.depth() + 1) + " weight matrices); allowed: the state dict of this spec, layers.0 .. layers."
                    + s.depth());
        }
        // a resnet of depth 6n + 2 has depth - 1 convolutions and a linear map; cnn and mlp_bn depth maps and a classifier
        long weightLayers = List.of("resnet", "simple").contains(s.arch()) ? s.depth() : (long) s.depth() + 1;
        if (arrays.size() < weightLayers) {
            throw new IllegalArgumentException("weights: " + weights + " holds " + arrays.size() + " arrays, too few for arch " + s.arch()
                    + " of depth " + s.depth() + " (" + weightLayers + " weights of convolutions and linear maps); allowed: the state dict"
                    + " of this spec");
        }
        Network network = Network.of(s);
        INDArray theta = StateDict.toTheta(network, arrays, dtype, "weights");
        INDArray buffers = null;
        if (hasBatchNorm(network)) {
            for (ParamLayout.Entry e : network.bufferLayout().entries()) {
                if (!arrays.containsKey(e.name())) {
                    throw new IllegalArgumentException("weights: key '" + e.name() + "' is missing; allowed: an array of shape "
                            + java.util.Arrays.toString(e.shape()) + " (a network with BatchNorm needs its running statistics: save "
                            + "model.state_dict(), which holds running_mean and running_var beside the parameters)");
                }
            }
            buffers = StateDict.toBuffers(network, arrays, dtype, "weights");
            for (ParamLayout.Entry e : network.bufferLayout().entries()) {
                double[] values = arrays.get(e.name()).castTo(DataType.DOUBLE).dup('c').data().asDouble();
                for (int i = 0; e.name().endsWith(".running_var") && i < values.length; i++) {
                    if (values[i] < 0) {
                        throw new IllegalArgumentException("weights key '" + e.name() + "': value " + values[i] + " at [" + i
                                + "] is not allowed; allowed: >= 0 (a variance)");
                    }
                }
            }
        }
        Batch batch = BatchNpz.read(data, s);
        INDArray v = vector == null ? null : Npz.readNpy(vector, "vector");
        return new ProbeRequest(network, theta, buffers, batch, v, moments, mode, bnBatch);
    }
}
