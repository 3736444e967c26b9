package io.depthscope.probe;

import io.depthscope.data.BatchNpz;
import io.depthscope.io.Npz;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.SpecJson;
import io.depthscope.nn.StateDict;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One probe of the loss landscape: a network at parameters theta (whose dtype is the dtype of every
 * product) on one batch, an optional direction for Hv, and how to get the Hessian's spectral moments.
 *
 * @param vector a flat direction of P entries, or null for no Hv
 */
public record ProbeRequest(Network network, INDArray theta, Batch batch, INDArray vector, MomentMethod moments) {

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

    /** Loads spec JSON, state-dict weights, a data batch and optionally a direction (.npy), checking each against the spec. */
    public static ProbeRequest load(Path spec, Path weights, Path data, Path vector, MomentMethod moments, DataType dtype) {
        NetworkSpec s = SpecJson.read(spec);
        Map<String, INDArray> arrays = Npz.read(weights, "weights");
        // a spec can declare millions of layers in a few bytes; the weights file is the bound, so compare before building
        if (arrays.size() < (long) s.depth() + 1) {
            throw new IllegalArgumentException("weights: " + weights + " holds " + arrays.size() + " arrays, too few for depth " + s.depth()
                    + " of the spec (" + ((long) s.depth() + 1) + " weight matrices); allowed: the state dict of this spec, layers.0 .. layers."
                    + s.depth());
        }
        Network network = Network.of(s);
        INDArray theta = StateDict.toTheta(network, arrays, dtype, "weights");
        Batch batch = BatchNpz.read(data, s);
        INDArray v = vector == null ? null : Npz.readNpy(vector, "vector");
        return new ProbeRequest(network, theta, batch, v, moments);
    }
}
