package io.depthscope.probe;

import io.depthscope.nn.Landscape;
import io.depthscope.util.Rademacher;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import io.depthscope.util.ThreadWork;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hutchinson's estimator of tr(H^k)/P for k = 1..4: for a probe v with E[v v^T] = I, u = Hv and w = Hu
 * give v.u, u.u, u.w and w.w, unbiased for tr(H), tr(H^2), tr(H^3) and tr(H^4). Two Hessian-vector
 * products per probe. Probe i is drawn from its own seeded stream, so a block of probes computed on any
 * executor is the same block.
 */
public final class Hutchinson {
    /** The distribution of a probe's entries. */
    public enum Distribution {
        RADEMACHER, GAUSSIAN;

        public static Distribution parse(String name) {
            for (Distribution d : values()) {
                if (d.name().equalsIgnoreCase(name)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("hessian.distribution: unknown value '" + name + "'; allowed: rademacher, gaussian");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Hutchinson() {}

    /** Probe {@code index} of the stream {@code seed}: a flat vector in the point's dtype. */
    public static INDArray probeVector(Landscape point, long seed, long index, Distribution distribution) {
        INDArray v = Nd4j.createUninitialized(point.dtype(), point.paramCount());
        drawProbe(seed, index, distribution, v);
        return v;
    }

    /**
     * Writes probe {@code index} of the stream {@code seed} into {@code v}. Rademacher entries go straight into
     * v's buffer ({@link Rademacher}, the same numbers as the stream's SplittableRandom); Gaussian ones are
     * drawn in Java and copied, as before.
     */
    static void drawProbe(long seed, long index, Distribution distribution, INDArray v) {
        long streamSeed = Seeds.derive(seed, "hutchinson", index);
        if (distribution == Distribution.RADEMACHER) {
            Rademacher.fill(streamSeed, 0, v);
        } else {
            v.assign(RandomArrays.vector(RandomArrays.gaussian(new SplittableRandom(streamSeed), (int) v.length(), 1.0), v.dataType()));
        }
    }

    /** The four quadratic forms of one probe vector v: (v.Hv, v.H^2v, v.H^3v, v.H^4v). */
    public static double[] quadraticForms(Landscape point, INDArray v) {
        return quadraticForms(point, v, Nd4j.create(point.dtype(), point.paramCount()), Nd4j.create(point.dtype(), point.paramCount()));
    }

    /** As {@link #quadraticForms(Landscape, INDArray)}, with u = Hv and w = Hu written into the given vectors. */
    private static double[] quadraticForms(Landscape point, INDArray v, INDArray u, INDArray w) {
        point.hvp(v, u);
        point.hvp(u, w);
        return new double[] {dot(v, u), dot(u, u), dot(u, w), dot(w, w)};
    }

    /**
     * Per-probe quadratic forms for probes first .. first+count-1 of the stream {@code seed}. The probe and its
     * two products reuse three vectors: fresh off-heap memory costs a page fault per 4 KB page when first
     * written, which on this project's VM made each probe's allocations cost more than its arithmetic. The three
     * are buffers that the thread's next call borrows while the collector has not freed them
     * ({@link ThreadWork}): 3 P fresh entries a call were about 1.3 Hv of a 10-probe estimate on bench's mlp in float32.
     */
    public static double[][] probes(Landscape point, long seed, long first, int count, Distribution distribution) {
        long p = point.paramCount();
        DataBuffer[] work = WORK.borrow(new DataType[] {point.dtype(), point.dtype(), point.dtype()}, new long[] {p, p, p});
        INDArray v = ThreadWork.vector(work[0]);
        INDArray u = ThreadWork.vector(work[1]);
        INDArray w = ThreadWork.vector(work[2]);
        double[][] q = new double[count][];
        for (int i = 0; i < count; i++) {
            drawProbe(seed, first + i, distribution, v);
            q[i] = quadraticForms(point, v, u, w);
        }
        return q;
    }

    public static QuadraticForms summarise(List<double[]> probes) {
        QuadraticForms s = QuadraticForms.empty();
        for (double[] q : probes) {
            s = s.merge(QuadraticForms.of(q));
        }
        return s;
    }

    /** Moments from {@code count} probes of the stream {@code seed}. */
    public static HessianMoments estimate(Landscape point, int count, long seed, Distribution distribution) {
        if (count < 2) {
            throw new IllegalArgumentException("probes: value " + count + " is not allowed; allowed: >= 2 (a standard error needs two)");
        }
        return HessianMoments.fromProbes(summarise(List.of(probes(point, seed, 0, count, distribution))), point.paramCount());
    }

    private static final ThreadWork WORK = new ThreadWork();

    private static double dot(INDArray a, INDArray b) {
        return Nd4j.getBlasWrapper().dot(a, b);
    }
}
