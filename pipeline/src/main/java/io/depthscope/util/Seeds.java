package io.depthscope.util;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Every random choice derives from a study's seeds through named streams: the seed of a stream is a
 * hash of (seed, purpose, indices), so adding a new use of randomness never shifts an existing one,
 * and the numbers do not depend on the backend, the thread or the order in which tasks run.
 */
public final class Seeds {
    private Seeds() {}

    /** A 64-bit stream seed for {@code purpose} (e.g. "init", "data", "probe") and optional indices. */
    public static long derive(long seed, String purpose, long... indices) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xFF));
        }
        for (long i : indices) {
            h = mix(h ^ mix(i + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    /** A generator for the named stream. */
    public static SplittableRandom stream(long seed, String purpose, long... indices) {
        return new SplittableRandom(derive(seed, purpose, indices));
    }

    /** SplitMix64's finaliser: a bijective avalanche on 64 bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
