package io.depthscope.bench;

import io.depthscope.nn.Batch;
import io.depthscope.nn.BufferViews;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Module;
import io.depthscope.nn.ModulePass;
import io.depthscope.nn.Loss.LossPass;
import io.depthscope.nn.Network;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where the time of a gradient and of an Hv goes: the passes of {@link io.depthscope.nn.Point}, replayed
 * layer by layer through the public {@link ModulePass} API with a clock around each call, summed per layer
 * type and phase. Median per phase over repetitions; the sum of medians is close to, not equal to, the
 * median of the sums.
 */
public final class Profile {
    /** Median seconds of one phase ("forward", "backward", "rForward", "rBackward", "views", "loss") of one kind. */
    public record Entry(String kind, String phase, int calls, double seconds) {}

    private Profile() {}

    public static List<Entry> of(Network net, Batch batch, INDArray theta, INDArray v, INDArray out, int warmup, int repetitions) {
        List<Module> layers = net.layers();
        int n = batch.size();
        ModulePass[] passes = new ModulePass[layers.size()];
        for (int l = 0; l < passes.length; l++) {
            passes[l] = layers.get(l).bind(n, theta.dataType(), Mode.TRAIN, BufferViews.NONE);
        }
        LossPass loss = net.loss().bind(batch.targets());
        Map<String, double[]> times = new LinkedHashMap<>();
        Map<String, Integer> calls = new LinkedHashMap<>();
        for (int r = -warmup; r < repetitions; r++) {
            int rep = r;
            Clock clock = (key, count, nanos) -> {
                if (rep >= 0) {
                    times.computeIfAbsent(key, k -> new double[repetitions])[rep] += nanos * 1e-9;
                    calls.merge(key, count, Integer::sum);
                }
            };
            long t0 = System.nanoTime();
            INDArray[][] w = net.layout().layerViews(theta);
            INDArray[][][] dir = net.layout().singleViews(v);
            INDArray[][][] o = net.layout().singleViews(out);
            INDArray[][] og = net.layout().layerViews(out);
            clock.add("views\t(3 layerViews)", 3, System.nanoTime() - t0);
            INDArray a = batch.x();
            for (int l = 0; l < passes.length; l++) {
                long s = System.nanoTime();
                a = passes[l].forward(a, w[l]);
                clock.add(kind(layers.get(l)) + "\tforward", 1, System.nanoTime() - s);
            }
            long s = System.nanoTime();
            loss.forward(a);
            INDArray delta = loss.gradient();
            clock.add("loss\tforward", 1, System.nanoTime() - s);
            for (int l = passes.length - 1; l >= 0; l--) {
                long s2 = System.nanoTime();
                delta = passes[l].backward(delta, w[l], og[l], l > 0);
                clock.add(kind(layers.get(l)) + "\tbackward", 1, System.nanoTime() - s2);
            }
            // the first Hv at a point also computes the curvature terms kept for later ones: time the
            // second, as the benchmark's Hv is at a cached point
            hvp(passes, layers, loss, w, dir, o, (key, count, nanos) -> { });
            hvp(passes, layers, loss, w, dir, o, clock);
        }
        List<Entry> entries = new ArrayList<>();
        for (var e : times.entrySet()) {
            String[] kp = e.getKey().split("\t");
            entries.add(new Entry(kp[0], kp[1], calls.get(e.getKey()) / repetitions, Benchmarks.median(e.getValue())));
        }
        return entries;
    }

    private static void hvp(ModulePass[] passes, List<Module> layers, LossPass loss, INDArray[][] w, INDArray[][][] dir,
                            INDArray[][][] o, Clock clock) {
        INDArray rz = null;
        for (int l = 0; l < passes.length; l++) {
            long s = System.nanoTime();
            rz = passes[l].rForward(rz, w[l], dir[l]);
            clock.add(kind(layers.get(l)) + "\trForward", 1, System.nanoTime() - s);
        }
        long s = System.nanoTime();
        INDArray rDelta = loss.rGradient(rz);
        clock.add("loss\trGradient", 1, System.nanoTime() - s);
        for (int l = passes.length - 1; l >= 0; l--) {
            long s2 = System.nanoTime();
            rDelta = passes[l].rBackward(rDelta, w[l], dir[l], o[l], l > 0);
            clock.add(kind(layers.get(l)) + "\trBackward", 1, System.nanoTime() - s2);
        }
    }

    private interface Clock {
        void add(String key, int count, long nanos);
    }

    private static String kind(Module layer) {
        return layer.getClass().getSimpleName();
    }
}
