package io.depthscope.io;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * One corruption of a file's bytes, described for jqwik's report of a failing case. Offsets and lengths
 * are fractions of the file's length, so one generated mutation applies to a file of any size.
 */
public record Mutation(String kind, double at, int length, byte value) {
    /**
     * The seed of every generated bad-input property: the fast test path runs the same cases on every machine,
     * so a red build is reproducible, not a lottery. Change it (or put seed = "" on one property) to explore new cases.
     */
    public static final String SEED = "20261201";


    /** Every kind: byte flips and overwrites, truncation, deletion, insertion, duplication, garbage at the end. */
    public static Arbitrary<Mutation> bytes() {
        return Combinators.combine(
                Arbitraries.of("flip", "set", "truncate", "delete", "insert", "duplicate", "append"),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(1, 16),
                Arbitraries.bytes()).as(Mutation::new);
    }

    /** One to three mutations, applied in turn. */
    public static Arbitrary<Mutation[]> some() {
        return bytes().array(Mutation[].class).ofMinSize(1).ofMaxSize(3);
    }

    public static byte[] applyAll(byte[] original, Mutation... mutations) {
        byte[] b = original;
        for (Mutation m : mutations) {
            b = m.apply(b);
        }
        return b;
    }

    public byte[] apply(byte[] in) {
        int pos = (int) Math.min(in.length, Math.floor(at * (in.length + 1)));
        int end = Math.min(in.length, pos + length);
        return switch (kind) {
            case "flip" -> pos == in.length ? in : with(in, pos, (byte) (in[pos] ^ (value == 0 ? 0xFF : value)));
            case "set" -> pos == in.length ? in : with(in, pos, value);
            case "truncate" -> Arrays.copyOf(in, pos);
            case "delete" -> concat(Arrays.copyOf(in, pos), Arrays.copyOfRange(in, end, in.length));
            case "insert" -> concat(Arrays.copyOf(in, pos), filled(length), Arrays.copyOfRange(in, pos, in.length));
            case "duplicate" -> concat(Arrays.copyOf(in, end), Arrays.copyOfRange(in, pos, in.length));
            case "append" -> concat(in, filled(length));
            default -> throw new IllegalStateException(kind);
        };
    }

    private static byte[] with(byte[] in, int pos, byte b) {
        byte[] out = in.clone();
        out[pos] = b;
        return out;
    }

    private byte[] filled(int n) {
        byte[] out = new byte[n];
        Arrays.fill(out, value);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }
}
