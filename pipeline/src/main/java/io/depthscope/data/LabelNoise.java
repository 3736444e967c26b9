package io.depthscope.data;

import java.util.SplittableRandom;

/**
 * Random labels (Zhang et al. 2017): round(fraction * n) training examples, chosen without replacement,
 * get a label drawn uniformly from all k classes. The draw includes the original class, so a relabelled
 * example keeps its label with probability 1/k: fraction 1 gives labels independent of the inputs, as
 * in Zhang et al., not labels forced to be wrong. {@code corrupted} lists the relabelled indices in
 * increasing order; {@code changed} counts those whose label actually differs.
 */
public record LabelNoise(double fraction, int[] corrupted, int changed) {
    public static final LabelNoise NONE = new LabelNoise(0, new int[0], 0);

    /** New labels for {@code labels} (which are not modified), and the record of what was done. */
    static Applied apply(int[] labels, int classes, double fraction, SplittableRandom rng) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("label_noise: value " + fraction + " is not allowed; allowed: a fraction in [0, 1]");
        }
        int count = (int) Math.round(fraction * labels.length);
        int[] corrupted = Subsample.indices(labels.length, count, rng);
        int[] out = labels.clone();
        int changed = 0;
        for (int i : corrupted) {
            out[i] = rng.nextInt(classes);
            if (out[i] != labels[i]) {
                changed++;
            }
        }
        return new Applied(out, new LabelNoise(fraction, corrupted, changed));
    }

    record Applied(int[] labels, LabelNoise noise) {}
}
