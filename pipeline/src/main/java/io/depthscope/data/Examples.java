package io.depthscope.data;

/**
 * Loaded examples before subsampling. Image files stay as bytes until the rows are chosen, so taking
 * 1,000 CIFAR images never builds the 1.2 GB of doubles that all 50,000 would need.
 */
interface Examples {
    int size();

    /** The given rows, in the given order, as doubles. */
    Split select(int[] rows);
}
