package io.depthscope.data;

import io.depthscope.util.Seeds;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The one entry point: {@link #load(DatasetSpec, DataType)} validates the spec, reads or generates the
 * examples, downsamples images (downsample: {@link Downsample}; every later step sees the smaller images),
 * and then, in this order, subsamples (streams (seed, "subsample") and (seed, "subsample-test")), relabels
 * a fraction of the training labels (stream (seed, "label-noise"); test labels stay clean, so test accuracy
 * measures what was learnt), and standardises with the training statistics. Every error is raised here,
 * before any training starts.
 */
public final class Datasets {
    private Datasets() {}

    public static Dataset load(DatasetSpec spec, DataType dtype) {
        spec.validate();
        Loaded raw = downsample(read(spec), spec);
        if (raw.imageShape() != null) {
            checkInputDim(spec, Arrays.stream(raw.imageShape()).reduce(1, (a, b) -> a * b), raw.source());
        }
        Split train = subsample(raw.train(), spec.nTrain(), spec.seed(), "subsample", "n_train", "training", raw.source());
        Split test = raw.test() == null ? null
                : subsample(raw.test(), spec.nTest(), spec.seed(), "subsample-test", "n_test", "test", raw.source());
        LabelNoise noise = LabelNoise.NONE;
        if (spec.labelNoise() > 0) {
            LabelNoise.Applied applied = LabelNoise.apply(train.labels(), train.k(), spec.labelNoise(),
                    Seeds.stream(spec.seed(), "label-noise"));
            train = train.withLabels(applied.labels());
            noise = applied.noise();
        }
        String standardised = "";
        if (spec.standardize()) {
            Standardizer st = Standardizer.fit(train);
            train = st.apply(train);
            test = test == null ? null : st.apply(test);
            standardised = ", standardised on the training split (" + st.constantFeatures() + " constant features centred only)";
        }
        if (spec.channelStandardize()) {
            ChannelStandardizer cs = ChannelStandardizer.fit(train, raw.imageShape()[0]);
            train = cs.apply(train);
            test = test == null ? null : cs.apply(test);
            standardised = ", standardised per channel on the training split (means " + java.util.Arrays.toString(
                    java.util.Arrays.stream(cs.mean()).map(m -> Math.round(m * 1e4) / 1e4).toArray()) + ")";
        }
        if (!"none".equals(spec.augment())) {
            standardised += ", training minibatches augmented by " + spec.augment();
        }
        int classes = train.isClassification() ? train.k() : 0;
        int[] shape = "image".equals(spec.layout()) ? raw.imageShape() : new int[] {train.d()};
        String description = String.format(Locale.ROOT, "%s from %s: %d of %d training and %s test examples, input %s%s, %s%s%s, seed %d",
                spec.kind(), raw.source(), train.n(), raw.train().size(),
                test == null ? "no" : test.n() + " of " + raw.test().size(), Arrays.toString(shape), raw.reshaped(),
                classes > 0 ? classes + " classes" : train.k() + " regression targets", standardised,
                noise.corrupted().length == 0 ? "" : String.format(Locale.ROOT, ", label noise %s: %d training labels redrawn, %d changed",
                        spec.labelNoise(), noise.corrupted().length, noise.changed()),
                spec.seed());
        return new Dataset(spec.kind(), description, spec, train.toBatch(dtype), test == null ? null : test.toBatch(dtype),
                classes, shape, noise);
    }

    /**
     * Examples as read or generated (and downsampled), before subsampling; imageShape is null for non-image kinds;
     * reshaped says how the images were changed from the files' ("" for not at all).
     */
    private record Loaded(Examples train, Examples test, int[] imageShape, String source, String reshaped) {}

    /** The images as f x f block means, once their size is known: f must divide it. */
    private static Loaded downsample(Loaded raw, DatasetSpec s) {
        int f = s.downsample();
        if (f == 1) {
            return raw;
        }
        int[] shape = raw.imageShape(); // validate() allows f > 1 only with layout image, i.e. for the image kinds
        s.checkDownsample(shape[1], shape[2], "in " + raw.source());
        Downsample train = new Downsample(raw.train(), shape[0], shape[1], shape[2], f);
        Examples test = raw.test() == null ? null : new Downsample(raw.test(), shape[0], shape[1], shape[2], f);
        return new Loaded(train, test, train.shape(), raw.source(),
                String.format(Locale.ROOT, " (%dx%d block means of %s)", f, f, Arrays.toString(shape)));
    }

    private static Loaded read(DatasetSpec s) {
        switch (s.kind()) {
            case "fashion_mnist" -> {
                Path dir = s.path() == null ? FashionMnist.DEBIAN_DIR : Path.of(s.path());
                FashionMnist.Splits f = FashionMnist.read(dir);
                return new Loaded(f.train(), f.test(), new int[] {1, f.rows(), f.cols()}, dir.toString(), "");
            }
            case "cifar10" -> {
                Cifar10.Splits c = Cifar10.read(Path.of(s.path()));
                return new Loaded(c.train(), c.test(), new int[] {Cifar10.CHANNELS, Cifar10.ROWS, Cifar10.COLS}, c.dir().toString(), "");
            }
            case "npz" -> {
                NpzData.Splits z = NpzData.read(s);
                return new Loaded(z.train(), z.test(), null, s.path() + (s.testPath() == null ? "" : " and " + s.testPath()), "");
            }
            default -> {
                return new Loaded(Synthetic.generate(s, false), Synthetic.generate(s, true), null, "generator", "");
            }
        }
    }

    /** input_dim, if given, is the size of an input as the network sees it: after downsample. */
    private static void checkInputDim(DatasetSpec s, int d, String source) {
        if (s.inputDim() != 0 && s.inputDim() != d) {
            throw new IllegalArgumentException("input_dim: value " + s.inputDim() + " does not match " + source + ", whose inputs have "
                    + d + " features" + (s.downsample() == 1 ? "" : " after downsample = " + s.downsample()) + "; allowed: " + d
                    + ", or 0 to take it from the data");
        }
    }

    /** n of the examples (0 = all), without replacement, in their original order. */
    private static Split subsample(Examples all, int n, long seed, String stream, String field, String split, String source) {
        if (n > all.size()) {
            throw new IllegalArgumentException(field + ": value " + n + " is larger than the " + all.size() + " " + split
                    + " examples in " + source + "; allowed: 1.." + all.size() + ", or 0 for all");
        }
        int take = n == 0 ? all.size() : n;
        return all.select(Subsample.indices(all.size(), take, Seeds.stream(seed, stream)));
    }
}
