package io.depthscope.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Choosing n of the available examples without replacement. */
public final class Subsample {
    private Subsample() {}

    /**
     * n distinct indices of 0..available-1, in increasing order (so a subsample keeps the file's order).
     * A partial Fisher-Yates shuffle: every n-subset is equally likely. n == available takes all and draws
     * nothing.
     */
    public static int[] indices(int available, int n, SplittableRandom rng) {
        if (n < 0 || n > available) {
            throw new IllegalArgumentException("subsample: n " + n + " is not allowed; allowed: 0.." + available);
        }
        int[] all = new int[available];
        for (int i = 0; i < available; i++) {
            all[i] = i;
        }
        if (n == available) {
            return all;
        }
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(available - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = Arrays.copyOf(all, n);
        Arrays.sort(chosen);
        return chosen;
    }
}
