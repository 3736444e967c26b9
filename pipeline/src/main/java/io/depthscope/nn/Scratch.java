package io.depthscope.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Working memory that a pass writes and reads within one call (a forward, backward or R-pass) and never between calls,
 * so that every module of a point can share it: a point runs one module's call at a time. Without it each convolution
 * held its own buffers for the input gradient's and the R-passes' patches, as large as its cached patches (k^2 times
 * its input), and the point of a ResNet-20 held one per layer.
 *
 * <p>Buffers used in the same call at the same time are different lanes; a lane is one buffer as large as its largest
 * reservation, allocated when first asked for. A pass reserves at bind time and asks at use, so every module of a
 * point has reserved before any allocates. A module bound without a point's scratch
 * shares one among its own children only.
 */
public final class Scratch {
    private final DataType dtype;
    private final boolean separate;
    private final List<Long> reserved = new ArrayList<>();
    private final List<INDArray> buffers = new ArrayList<>();
    private final Temporaries temporaries;

    private Scratch(DataType dtype, boolean separate) {
        this.dtype = dtype;
        this.separate = separate;
        this.temporaries = separate ? null : new Temporaries(dtype);
    }

    /** One scratch for every pass bound with it. */
    public static Scratch shared(DataType dtype) {
        return new Scratch(dtype, false);
    }

    /**
     * Every reservation a buffer of its own, nothing shared: what the passes cost without sharing, and the reference
     * whose numbers sharing must give bit for bit.
     */
    public static Scratch separate(DataType dtype) {
        return new Scratch(dtype, true);
    }

    /** Reserves {@code values} entries of {@code lane}; the lane is as large as its largest reservation. */
    public Lane reserve(int lane, long values) {
        if (separate) {
            lane = reserved.size();
        }
        while (reserved.size() <= lane) {
            reserved.add(0L);
            buffers.add(null);
        }
        INDArray buffer = buffers.get(lane);
        if (buffer != null && buffer.length() < values) {
            throw new IllegalStateException("scratch lane " + lane + ": " + values + " values reserved after it was allocated with "
                    + buffer.length() + "; allowed: every reservation before the first use");
        }
        reserved.set(lane, Math.max(reserved.get(lane), values));
        return new Lane(lane, values);
    }

    /**
     * Working memory whose size is known only at use, as a block's intermediates are (they scale with its k): shared by
     * every pass of this scratch, or a set of its own for each caller of a separate scratch.
     */
    public Temporaries temporaries() {
        return separate ? new Temporaries(dtype) : temporaries;
    }

    /** A buffer's first entries as a 'c'-order array of {@code shape}, on its memory. */
    private static INDArray prefix(INDArray buffer, long[] shape) {
        return Nd4j.create(buffer.data(), shape, Nd4j.getStrides(shape, 'c'), buffer.offset(), 'c', buffer.dataType());
    }

    private INDArray buffer(int lane) {
        INDArray b = buffers.get(lane);
        if (b == null) {
            b = Nd4j.create(dtype, reserved.get(lane));
            buffers.set(lane, b);
        }
        return b;
    }

    /** One reservation: a 'c'-order array of at most its values at the start of its lane. */
    public final class Lane {
        private final int lane;
        private final long values;

        private Lane(int lane, long values) {
            this.lane = lane;
            this.values = values;
        }

        /** The lane's first entries as a 'c'-order array of {@code shape}; its contents are whatever the last user left. */
        public INDArray get(long... shape) {
            if (Module.size(shape) > values) {
                throw new IllegalArgumentException("scratch: shape " + java.util.Arrays.toString(shape) + " exceeds the " + values
                        + " values reserved");
            }
            return prefix(buffer(lane), shape);
        }
    }

    /**
     * Slots of working memory that grow to the largest size asked of them. A slot's contents are whatever its last user
     * left, and an array it gave is the slot's memory until the slot is next asked for more than it holds (then it is
     * memory of its own, still valid): a pass writes a slot and reads it back within one call, as with the lanes.
     */
    public static final class Temporaries {
        private final DataType dtype;
        private final List<INDArray> slots = new ArrayList<>();
        /** At most this many arrays kept per slot; past it they are dropped and made again. */
        private static final int SHAPES = 32;
        /** Per slot, the arrays it has given, by shape. */
        private final List<java.util.Map<List<Long>, INDArray>> shaped = new ArrayList<>();

        private Temporaries(DataType dtype) {
            this.dtype = dtype;
        }

        /**
         * Slot {@code slot}'s first entries as a 'c'-order array of {@code shape}: the same array object for the same slot
         * and shape while the slot stays where it is, so that views made of it can be kept.
         */
        public INDArray get(int slot, long... shape) {
            while (slots.size() <= slot) {
                slots.add(null);
                shaped.add(new java.util.HashMap<>());
            }
            long values = Module.size(shape);
            INDArray b = slots.get(slot);
            if (b == null || b.length() < values) {
                b = Nd4j.create(dtype, values);
                slots.set(slot, b);
                shaped.get(slot).clear();
            }
            INDArray buffer = b;
            if (shaped.get(slot).size() >= SHAPES) {
                shaped.get(slot).clear();
            }
            return shaped.get(slot).computeIfAbsent(java.util.Arrays.asList(java.util.Arrays.stream(shape).boxed().toArray(Long[]::new)),
                    key -> prefix(buffer, shape));
        }
    }
}
