package io.depthscope.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Where each named parameter lives in the flat vector. The order is PyTorch's state_dict order for an
 * {@code nn.Sequential} of linear maps: for i = 0..L, {@code layers.i.weight} (row-major [out, in]), then
 * {@code layers.i.bias}. Views are windows onto the flat vector, so writing a view writes the vector.
 */
public final class ParamLayout {
    /** One named tensor: its shape, its offset in the flat vector, and the layer it belongs to. */
    public record Entry(String name, long[] shape, long offset, long size, int layer) {}

    private final List<Entry> entries;
    private final Map<String, Entry> byName = new LinkedHashMap<>();
    private final int[][] entriesOfLayer;
    private final long size;

    public ParamLayout(List<Layer> layers) {
        List<Entry> list = new ArrayList<>();
        entriesOfLayer = new int[layers.size()][];
        long offset = 0;
        for (int l = 0; l < layers.size(); l++) {
            List<ParamShape> params = layers.get(l).params();
            entriesOfLayer[l] = new int[params.size()];
            for (int j = 0; j < params.size(); j++) {
                ParamShape p = params.get(j);
                Entry e = new Entry(p.name(), p.shape(), offset, p.size(), l);
                entriesOfLayer[l][j] = list.size();
                list.add(e);
                byName.put(e.name(), e);
                offset += p.size();
            }
        }
        entries = Collections.unmodifiableList(list);
        size = offset;
    }

    public List<Entry> entries() {
        return entries;
    }

    public long size() {
        return size;
    }

    public Entry entry(String name) {
        Entry e = byName.get(name);
        if (e == null) {
            throw new IllegalArgumentException("parameter '" + name + "' does not exist; allowed: " + byName.keySet());
        }
        return e;
    }

    /** A view of {@code flat} shaped like the named tensor. */
    public INDArray view(INDArray flat, String name) {
        return view(flat, entry(name));
    }

    public INDArray view(INDArray flat, Entry e) {
        INDArray window = flat.get(NDArrayIndex.interval(e.offset(), e.offset() + e.size()));
        return e.shape().length == 1 ? window : window.reshape('c', e.shape());
    }

    /** Per layer, views of its parameters in {@code flat} (empty for parameter-free layers). */
    public INDArray[][] layerViews(INDArray flat) {
        if (flat.length() != size || flat.rank() != 1) {
            throw new IllegalArgumentException("flat vector: length " + flat.length() + " (rank " + flat.rank()
                    + ") does not match the network; allowed: a vector of " + size + " parameters");
        }
        INDArray[][] views = new INDArray[entriesOfLayer.length][];
        for (int l = 0; l < entriesOfLayer.length; l++) {
            views[l] = new INDArray[entriesOfLayer[l].length];
            for (int j = 0; j < entriesOfLayer[l].length; j++) {
                views[l][j] = view(flat, entries.get(entriesOfLayer[l][j]));
            }
        }
        return views;
    }
}
