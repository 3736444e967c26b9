package io.depthscope.nn;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The bound points of one network and one buffer vector, at most one per (examples, mode), lent in turn to every pass
 * of a run: training minibatches, evaluation chunks, the chunks of the Hessian batch. A binding allocates every buffer
 * of a pass (ResNet-20 on 128 CIFAR-10 images: about 3 GB in float32), so a run whose consumers each bound their own
 * points held several of the same shape at once.
 *
 * <p>Lending is safe because a point's results depend only on what was last loaded into it, never on what it held
 * before: a borrower that needs the point to still hold its batch compares {@link Point#loads()} with the count it saw
 * and reloads otherwise ({@link ChunkedLandscape}). Each point is bound to a copy of the first batch it is given, so
 * loading another batch never writes into a caller's arrays.
 */
public final class Bindings {
    private record Key(int examples, Mode mode) {}

    private final Network network;
    private final INDArray buffers;
    private final boolean reuse;
    private final Map<Key, Point> points = new HashMap<>();

    private Bindings(Network network, INDArray buffers, boolean reuse) {
        this.network = network;
        this.buffers = buffers;
        this.reuse = reuse;
    }

    /** One point per (examples, mode), reused by every load of that shape. */
    public static Bindings shared(Network network, INDArray buffers) {
        return new Bindings(network, buffers, true);
    }

    /**
     * A new point for every load, nothing kept between loads, and in each point every module's working memory its own
     * ({@link Scratch#separate}): what every pass costs without sharing, and the reference whose numbers sharing must
     * give bit for bit.
     */
    public static Bindings fresh(Network network, INDArray buffers) {
        return new Bindings(network, buffers, false);
    }

    public Network network() {
        return network;
    }

    /** The flat buffer vector (BatchNorm's running statistics) every point reads, or null. */
    public INDArray buffers() {
        return buffers;
    }

    /** The point of this batch's size and {@code mode}, holding {@code batch} at {@code theta} (forward and backward done). */
    public Point load(Batch batch, INDArray theta, Mode mode) {
        Key key = new Key(batch.size(), mode);
        Point p = reuse ? points.get(key) : null;
        if (p != null) {
            return p.load(batch, theta);
        }
        p = new Point(network, new Batch(batch.x().dup('c'), batch.targets().dup('c')), theta, buffers, mode, !reuse);
        if (reuse) {
            points.put(key, p);
        }
        return p;
    }
}
