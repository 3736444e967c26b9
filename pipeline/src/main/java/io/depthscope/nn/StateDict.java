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
 * {@code numpy.savez(**model.state_dict())} writes them) to and from a network's flat parameter vector and, for
 * networks with BatchNorm, its flat buffer vector ({@code <bn>.running_mean}, {@code <bn>.running_var}).
 * A state dict must match the network exactly: every key present with its exact shape, no other keys, except
 * BatchNorm's {@code <bn>.num_batches_tracked}, which PyTorch writes and Depthscope does not need (with momentum
 * 0.1 it plays no part): it is accepted when present and written as 0.
 */
public final class StateDict {
    private StateDict() {}

    /** The flat theta of {@code network} in {@code dtype}; {@code what} names the source in errors (e.g. "weights"). */
    public static INDArray toTheta(Network network, Map<String, INDArray> arrays, DataType dtype, String what) {
        checkKeys(network, arrays, what);
        return flat(network.layout(), arrays, dtype, what);
    }

    /** The flat buffer vector of {@code network} (BatchNorm's running statistics) from a state dict. */
    public static INDArray toBuffers(Network network, Map<String, INDArray> arrays, DataType dtype, String what) {
        checkKeys(network, arrays, what);
        return flat(network.bufferLayout(), arrays, dtype, what);
    }

    /** The keys a state dict of {@code network} may hold: parameters, buffers, and BatchNorm's num_batches_tracked. */
    public static List<String> keys(Network network) {
        List<String> keys = new ArrayList<>(network.layout().entries().stream().map(ParamLayout.Entry::name).toList());
        for (ParamLayout.Entry e : network.bufferLayout().entries()) {
            keys.add(e.name());
            if (e.name().endsWith(".running_var")) {
                keys.add(counterOf(e.name()));
            }
        }
        return keys;
    }

    private static String counterOf(String runningVar) {
        return runningVar.substring(0, runningVar.length() - ".running_var".length()) + ".num_batches_tracked";
    }

    private static void checkKeys(Network network, Map<String, INDArray> arrays, String what) {
        List<String> allowed = keys(network);
        List<String> unknown = new ArrayList<>(arrays.keySet());
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            NetworkSpec spec = network.spec();
            String hint = spec != null && !spec.bias() && unknown.stream().allMatch(k -> k.endsWith(".bias"))
                    ? " (the spec says \"bias\": false)"
                    : spec != null && spec.convolutional() && !spec.batchNorm() && unknown.stream().anyMatch(k -> k.endsWith(".running_var"))
                            ? " (the spec says \"batch_norm\": false, the default)" : "";
            throw new IllegalArgumentException(what + ": unknown key(s) " + unknown + hint + "; allowed: " + allowed);
        }
    }

    private static INDArray flat(ParamLayout layout, Map<String, INDArray> arrays, DataType dtype, String what) {
        List<String> allowed = layout.entries().stream().map(ParamLayout.Entry::name).toList();
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

    /**
     * Parameters and buffers in PyTorch's state_dict order (each module's parameters, then its buffers), with
     * {@code num_batches_tracked} written as an int64 0, so that {@code load_state_dict} accepts the file strictly.
     */
    public static Map<String, INDArray> fromState(Network network, INDArray theta, INDArray buffers) {
        Map<String, INDArray> params = fromTheta(network, theta);
        if (network.bufferLayout().size() == 0) {
            return params;
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        List<ParamLayout.Entry> bufferEntries = network.bufferLayout().entries();
        // a module's buffers follow its last parameter: insert each <bn>.running_* after <bn>.bias
        Map<String, List<ParamLayout.Entry>> byModule = new LinkedHashMap<>();
        for (ParamLayout.Entry e : bufferEntries) {
            String module = e.name().substring(0, e.name().lastIndexOf('.'));
            byModule.computeIfAbsent(module, m -> new ArrayList<>()).add(e);
        }
        for (var p : params.entrySet()) {
            out.put(p.getKey(), p.getValue());
            String module = p.getKey().substring(0, p.getKey().lastIndexOf('.'));
            if (p.getKey().endsWith(".bias") && byModule.containsKey(module)) {
                for (ParamLayout.Entry e : byModule.remove(module)) {
                    out.put(e.name(), network.bufferLayout().view(buffers, e).dup('c'));
                    if (e.name().endsWith(".running_var")) {
                        out.put(counterOf(e.name()), Nd4j.scalar(0L));
                    }
                }
            }
        }
        if (!byModule.isEmpty()) {
            throw new IllegalStateException("buffers without a module's bias to follow: " + byModule.keySet());
        }
        return out;
    }
}
