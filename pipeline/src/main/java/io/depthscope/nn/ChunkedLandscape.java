package io.depthscope.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The loss on a fixed batch as the weighted mean over consecutive chunks of it: L = sum_c (n_c / N) L_c, and so
 * for the gradient, H v and G v (curvlinops' operators over a data loader). Two reasons for chunks:
 * <ul>
 *   <li>Memory: a pass holds every activation of its examples, and a convolutional network's are large. Without
 *       caching, one point per chunk size is reloaded chunk by chunk for every product, so memory is that of one
 *       chunk, at the price of a forward and backward pass per chunk and product.</li>
 *   <li>Train-mode BatchNorm: the examples of a normalisation group are coupled, so a chunk must be exactly one
 *       group, as in training, where each minibatch normalises by its own statistics. The operator is then the
 *       mean of the groups' Hessians, which is the Hessian of the mean of the groups' losses.</li>
 * </ul>
 */
public final class ChunkedLandscape implements Landscape {
    private final Network network;
    private final Batch batch;
    private final DataType dtype;
    private final int chunkSize;
    private final int chunks;
    private final INDArray buffers;
    private final Mode mode;
    private final boolean cache;
    /** Where reloaded points come from: this landscape's own, or a run's shared ones. */
    private final Bindings bindings;
    private final List<Point> points = new ArrayList<>();
    private final INDArray gradient;
    private final INDArray scratch;
    private INDArray theta;
    private double loss;
    /** The chunk each reloaded point holds now (-1: none), so a product starting on it skips the reload. */
    private final int[] loaded;
    /** Each reloaded point's {@link Point#loads()} after this landscape loaded it: another count means a lender used it. */
    private final long[] loadedAt;
    private INDArray scratchBlock;

    private ChunkedLandscape(Network network, Batch batch, INDArray theta, INDArray buffers, Mode mode, int chunkSize, boolean cache,
                             Bindings bindings) {
        this.network = network;
        this.bindings = bindings;
        this.dtype = theta.dataType();
        this.batch = batch.as(dtype);
        this.buffers = buffers;
        this.mode = mode;
        this.chunkSize = chunkSize;
        this.chunks = (batch.size() + chunkSize - 1) / chunkSize;
        this.cache = cache;
        this.gradient = Nd4j.create(dtype, network.paramCount());
        this.scratch = Nd4j.create(dtype, network.paramCount());
        this.loaded = new int[cache ? 0 : 2];
        this.loadedAt = new long[loaded.length];
        java.util.Arrays.fill(loaded, -1);
        moveTo(theta);
    }

    /**
     * The landscape of {@code batch} in chunks of {@code chunkSize} (a single {@link Point} when one chunk holds
     * it all). With {@code cache}, every chunk keeps its own point (the memory of the whole batch, no recomputation).
     * When the network couples examples in {@code mode}, the chunks are its normalisation groups and must divide
     * the batch evenly.
     */
    public static Landscape of(Network network, Batch batch, INDArray theta, INDArray buffers, Mode mode, int chunkSize, boolean cache) {
        check(network, batch, mode, chunkSize);
        if (chunkSize >= batch.size()) {
            return network.at(batch, theta, buffers, mode);
        }
        return new ChunkedLandscape(network, batch, theta, buffers, mode, chunkSize, cache, cache ? null : Bindings.shared(network, buffers));
    }

    /**
     * The landscape of {@code batch} in chunks of {@code chunkSize}, one at a time, in points borrowed from
     * {@code bindings} (a run's training minibatches of the same size and mode use the same point). A batch that fits
     * one chunk gets a point of its own: a whole-batch point is moved to new parameters without reloading, so it must
     * not be lent.
     */
    public static Landscape of(Bindings bindings, Batch batch, INDArray theta, Mode mode, int chunkSize) {
        Network network = bindings.network();
        check(network, batch, mode, chunkSize);
        if (chunkSize >= batch.size()) {
            return network.at(batch, theta, bindings.buffers(), mode);
        }
        return new ChunkedLandscape(network, batch, theta, bindings.buffers(), mode, chunkSize, false, bindings);
    }

    private static void check(Network network, Batch batch, Mode mode, int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk: value " + chunkSize + " is not allowed; allowed: an integer >= 1");
        }
        if (network.couplesExamples(mode) && batch.size() % chunkSize != 0) {
            throw new IllegalArgumentException("chunk: value " + chunkSize + " does not divide the batch of " + batch.size()
                    + " examples; allowed: a divisor of the batch size, since in " + mode.label()
                    + " mode BatchNorm couples the examples of a chunk and every chunk must be one whole normalisation group");
        }
    }

    private int size(int c) {
        return Math.min(chunkSize, batch.size() - c * chunkSize);
    }

    private Batch chunk(int c) {
        long from = (long) c * chunkSize;
        long to = from + size(c);
        return new Batch(rows(batch.x(), from, to), rows(batch.targets(), from, to));
    }

    private static INDArray rows(INDArray a, long from, long to) {
        org.nd4j.linalg.indexing.INDArrayIndex[] index = new org.nd4j.linalg.indexing.INDArrayIndex[a.rank()];
        index[0] = NDArrayIndex.interval(from, to);
        for (int d = 1; d < index.length; d++) {
            index[d] = NDArrayIndex.all();
        }
        return a.get(index).dup('c');
    }

    /** The point holding chunk c at the current theta. */
    private Point point(int c) {
        if (cache) {
            return points.get(c);
        }
        int slot = size(c) == chunkSize ? 0 : 1;
        while (points.size() <= slot) {
            points.add(null);
        }
        Point p = points.get(slot);
        if (p == null || loaded[slot] != c || p.loads() != loadedAt[slot]) {
            p = bindings.load(chunk(c), theta, mode);
            points.set(slot, p);
            loaded[slot] = c;
            loadedAt[slot] = p.loads();
        }
        return p;
    }

    private double weight(int c) {
        return (double) size(c) / batch.size();
    }

    @Override
    public Landscape moveTo(INDArray newTheta) {
        if (newTheta.dataType() != dtype) {
            throw new IllegalArgumentException("theta: dtype " + newTheta.dataType() + " differs from this landscape's " + dtype);
        }
        theta = newTheta;
        loss = 0;
        gradient.assign(0);
        for (int c = 0; c < chunks; c++) {
            Point p;
            if (cache) {
                if (points.size() <= c) {
                    points.add(network.at(chunk(c), theta, buffers, mode));
                } else {
                    points.get(c).moveTo(theta);
                }
                p = points.get(c);
            } else {
                java.util.Arrays.fill(loaded, -1);
                p = point(c);
            }
            loss += weight(c) * p.loss();
            gradient.addi(p.gradient().mul(weight(c)));
        }
        return this;
    }

    @Override
    public void hvp(INDArray v, INDArray out) {
        accumulate(out, (p, into) -> p.hvp(v, into), scratch);
    }

    @Override
    public void gvp(INDArray v, INDArray out) {
        accumulate(out, (p, into) -> p.gvp(v, into), scratch);
    }

    @Override
    public void hvpBlock(INDArray v, INDArray out) {
        if (scratchBlock == null || !java.util.Arrays.equals(scratchBlock.shape(), out.shape())) {
            scratchBlock = Nd4j.create(dtype, out.shape());
        }
        accumulate(out, (p, into) -> p.hvpBlock(v, into), scratchBlock);
    }

    /**
     * out = sum_c w_c (product at chunk c), always in chunk order 0..C-1: the sum's last bits then do not depend on
     * which chunk a reloaded point held before, so a product computed on a fresh landscape (a study's Hessian task
     * on another executor) equals the same product computed after other work on this one.
     */
    private void accumulate(INDArray out, java.util.function.BiConsumer<Point, INDArray> product, INDArray tmp) {
        out.assign(0);
        for (int c = 0; c < chunks; c++) {
            product.accept(point(c), tmp);
            out.addi(tmp.muli(weight(c)));
        }
    }

    @Override
    public Network network() {
        return network;
    }

    @Override
    public DataType dtype() {
        return dtype;
    }

    @Override
    public int batchSize() {
        return batch.size();
    }

    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public INDArray theta() {
        return theta;
    }

    @Override
    public double loss() {
        return loss;
    }

    @Override
    public INDArray gradient() {
        return gradient;
    }
}
