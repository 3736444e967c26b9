package io.depthscope.bench;

/**
 * Another engine timed in turns with ours within one bench run (PyTorch, in {@code depthscope bench}): after each
 * round of our calls it runs a round of its own, so a load change on a shared machine hits both and the ratios of
 * their medians stay meaningful. The peer keeps its own times.
 */
@FunctionalInterface
public interface Peer {
    /** No peer: our calls run back to back. */
    Peer NONE = (calls, warmup) -> { };

    /** Runs {@code calls} of the peer's own timed calls; with {@code warmup} it discards their times. */
    void round(int calls, boolean warmup);

    /**
     * Our {@code warmup} untimed calls, the peer's, then our {@code repetitions} timed calls in rounds of
     * {@code roundSize}, each followed by a round of the peer's. {@code call} gets the call's index, negative for
     * warm-up calls.
     */
    static void interleave(int warmup, int repetitions, int roundSize, Peer peer, java.util.function.IntConsumer call) {
        if (roundSize < 1) {
            throw new IllegalArgumentException("round size: value " + roundSize + " is not allowed; allowed: >= 1");
        }
        for (int r = -warmup; r < 0; r++) {
            call.accept(r);
        }
        if (warmup > 0) {
            peer.round(warmup, true);
        }
        for (int start = 0; start < repetitions; start += roundSize) {
            int end = Math.min(repetitions, start + roundSize);
            for (int r = start; r < end; r++) {
                call.accept(r);
            }
            peer.round(end - start, false);
        }
    }
}
