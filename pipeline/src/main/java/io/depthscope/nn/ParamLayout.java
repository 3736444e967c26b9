package io.depthscope.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Where each named tensor lives in a flat vector: the parameters (or, in a second layout, the buffers) of the
 * network's top-level modules in their order, which is PyTorch's state_dict order, each tensor row-major.
 * Views are windows onto the flat vector, so writing a view writes the vector.
 */
public final class ParamLayout {
    /** One named tensor: its shape, its offset in the flat vector, and the layer it belongs to. */
    public record Entry(String name, long[] shape, long offset, long size, int layer) {}

    private final List<Entry> entries;
    private final Map<String, Entry> byName = new LinkedHashMap<>();
    private final int[][] entriesOfLayer;
    private final long size;

    /** The layout of the modules' parameters. */
    public ParamLayout(List<? extends Module> layers) {
        this(layers, false);
    }

    private ParamLayout(List<? extends Module> layers, boolean buffers) {
        List<Entry> list = new ArrayList<>();
        entriesOfLayer = new int[layers.size()][];
        long offset = 0;
        for (int l = 0; l < layers.size(); l++) {
            List<ParamShape> params = buffers ? layers.get(l).buffers() : layers.get(l).params();
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

    /** The layout of the modules' buffers (BatchNorm's running statistics). */
    public static ParamLayout ofBuffers(List<? extends Module> layers) {
        return new ParamLayout(layers, true);
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
        if (flat.rank() == 1 && flat.elementWiseStride() == 1 && e.shape().length > 0) {
            // a window of a contiguous vector, made directly on its buffer: ND4J's indexing costs tens of microseconds
            // a call, which a block of directions pays for every tensor of every direction
            return Nd4j.create(flat.data(), e.shape(), Nd4j.getStrides(e.shape(), 'c'), flat.offset() + e.offset(), 'c', flat.dataType());
        }
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

    /**
     * Per layer, per direction j, views of direction j's parameters in row j of {@code block} [k, size]: the
     * [layer][direction][tensor] arrays that the R-passes take.
     */
    public INDArray[][][] blockViews(INDArray block) {
        if (block.rank() != 2 || block.columns() != size) {
            throw new IllegalArgumentException("block: shape " + java.util.Arrays.toString(block.shape())
                    + " does not match the network; allowed: [k, " + size + "]");
        }
        int k = (int) block.rows();
        INDArray[][][] views = new INDArray[entriesOfLayer.length][k][];
        for (int j = 0; j < k; j++) {
            INDArray[][] row = layerViews(k == 1 ? block.reshape(size) : block.getRow(j));
            for (int l = 0; l < entriesOfLayer.length; l++) {
                views[l][j] = row[l];
            }
        }
        return views;
    }

    /** Per layer, one direction's views as a block of one: {@code [layer][0][tensor]}. */
    public INDArray[][][] singleViews(INDArray flat) {
        INDArray[][] one = layerViews(flat);
        INDArray[][][] views = new INDArray[one.length][1][];
        for (int l = 0; l < one.length; l++) {
            views[l][0] = one[l];
        }
        return views;
    }
}
