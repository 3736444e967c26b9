package io.depthscope.nn;

/**
 * How many examples one pass takes where a batch is processed in chunks (a dataset's evaluation, a Hessian batch):
 * as many as keep the network's activation values per pass ({@link Network#activationValuesPerExample}) within
 * {@link #VALUES}, at least one. A pass's memory grows with its examples, and a convolutional network's by tens of
 * megabytes per example (ResNet-20 on 32x32 images: 24 MB in float32), so a count of examples alone cannot bound it.
 * The count depends on the network only, never on the machine, so the chunks, and with them the order of the sums
 * over chunks, are the same wherever a run is computed.
 */
public final class PassBudget {
    /**
     * Activation values per pass: 2^29. Every run of the committed configs that could be computed before there was a
     * budget keeps its chunks under it (the largest, a resmlp of width 256 and depth 80 on a Hessian batch of 4,096,
     * counts 3.3e8; the quick convolutional study's evaluation in chunks of 2,048, 3.9e8), so its numbers stay to the
     * last bit; a ResNet-20 on CIFAR-10 (3.8e6 per example) gets 141 examples a pass (in float32 the process held 3.9 GB
     * resident after evaluating 5,120 images in such chunks).
     */
    public static final long VALUES = 1L << 29;

    private PassBudget() {}

    /** Examples per pass for {@code network}: at most {@code max} (the batch, or a caller's own bound), at least 1. */
    public static int examples(Network network, int max) {
        long perExample = Math.max(1, network.activationValuesPerExample());
        return (int) Math.max(1, Math.min(max, VALUES / perExample));
    }
}
