package io.depthscope.nn;

import io.depthscope.io.Checks;
import io.depthscope.io.Npz;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch-style state dicts ({@code layers.i.weight} [out, in], {@code layers.i.bias} [out], as
 * {@code numpy.savez(**model.state_dict())} writes them) to and from a network's flat parameter vector.
 * A state dict must match the network exactly: every key present with its exact shape, no other keys.
 */
public final class StateDict {
    private StateDict() {}

    /** The flat theta of {@code network} in {@code dtype}; {@code what} names the source in errors (e.g. "weights"). */
    public static INDArray toTheta(Network network, Map<String, INDArray> arrays, DataType dtype, String what) {
        ParamLayout layout = network.layout();
        List<String> allowed = layout.entries().stream().map(ParamLayout.Entry::name).toList();
        List<String> unknown = new ArrayList<>(arrays.keySet());
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            String hint = !network.spec().bias() && unknown.stream().allMatch(k -> k.endsWith(".bias"))
                    ? " (the spec says \"bias\": false)" : "";
            throw new IllegalArgumentException(what + ": unknown key(s) " + unknown + hint + "; allowed: " + allowed);
        }
        // every key and shape first: theta is allocated only once the arrays, whose size the file bounds, match it
        for (ParamLayout.Entry e : layout.entries()) {
            INDArray a = arrays.get(e.name());
            String key = what + " key '" + e.name() + "'";
            if (a == null) {
                throw new IllegalArgumentException(what + ": key '" + e.name() + "' is missing; allowed: an array of shape "
                        + Arrays.toString(e.shape()) + " (keys expected: " + allowed + ")");
            }
            Checks.requireFloating(a, key);
            if (!Arrays.equals(a.shape(), e.shape())) {
                throw new IllegalArgumentException(key + ": shape " + Checks.shape(a) + " is not allowed; allowed: shape "
                        + Arrays.toString(e.shape()) + " for this spec");
            }
        }
        double[] theta = new double[Math.toIntExact(layout.size())];
        for (ParamLayout.Entry e : layout.entries()) {
            INDArray a = arrays.get(e.name());
            String key = what + " key '" + e.name() + "'";
            double[] v = Checks.finiteValues(a, key);
            System.arraycopy(v, 0, theta, (int) e.offset(), v.length);
        }
        INDArray flat = Nd4j.createFromArray(theta);
        return dtype == DataType.DOUBLE ? flat : flat.castTo(dtype);
    }

    /** Named C-order copies of theta's tensors, in state_dict order, for writing with {@link Npz#write}. */
    public static Map<String, INDArray> fromTheta(Network network, INDArray theta) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (ParamLayout.Entry e : network.layout().entries()) {
            out.put(e.name(), network.layout().view(theta, e).dup('c'));
        }
        return out;
    }
}
