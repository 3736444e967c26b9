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
     * How long each side's round waits for the other's threads to go quiet. OpenBLAS's idle threads keep polling (with
     * {@code sched_yield}) for about 2^28 cycles after their last product, some 0.1 s here, and libgomp's spin for their
     * spin count: a round that started straight after the other engine's shared the 2 cores with those threads. With
     * ND4J's OpenMP threads spinning briefly ({@code GOMP_SPINCOUNT=1000}), our mlp Hv right after a PyTorch round took
     * about 1.5 times what it took in a loop of its own (README: Speed).
     */
    long SETTLE_MILLIS = 250;

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
            settle(peer);
            peer.round(warmup, true);
        }
        for (int start = 0; start < repetitions; start += roundSize) {
            int end = Math.min(repetitions, start + roundSize);
            settle(peer);
            for (int r = start; r < end; r++) {
                call.accept(r);
            }
            settle(peer);
            peer.round(end - start, false);
        }
    }

    /** Waits {@link #SETTLE_MILLIS} when there is a peer whose threads, or ours, may still be polling. */
    private static void settle(Peer peer) {
        if (peer == NONE) {
            return;
        }
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the engines' threads settled", e);
        }
    }
}
