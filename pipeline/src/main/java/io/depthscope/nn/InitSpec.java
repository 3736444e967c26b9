package io.depthscope.nn;

import java.util.List;
import java.util.Locale;

/**
 * How the weights of every linear map W [out, in] (fan_in = in, fan_out = out) start, and what the
 * biases start at. Each kind is a named choice with its own parameters; a parameter that does not
 * belong to the kind is an error rather than silently ignored, so a mistyped config cannot run as
 * something else.
 *
 * <ul>
 *   <li>{@code gaussian}: N(0, sigma2 / fan_in). sigma2 = 1 is LeCun's, 2 is He's; {@code kappa} gives
 *       De et al.'s N(0, 1 / (kappa fan_in)), i.e. sigma2 = 1 / kappa. Give sigma2 or kappa, not both;
 *       neither means LeCun (sigma2 = 1).</li>
 *   <li>{@code xavier_normal}: N(0, gain^2 * 2 / (fan_in + fan_out)) (Glorot and Bengio 2010).</li>
 *   <li>{@code xavier_uniform}: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)), the same variance.</li>
 *   <li>{@code orthogonal}: gain times a (semi-)orthogonal matrix (Saxe et al. 2013): orthonormal rows
 *       when out &lt;= in, orthonormal columns otherwise. The gain makes it Pennington, Schoenholz and
 *       Ganguli's (2017) scaled orthogonal start: for hardtanh, a gain on the critical line (1 when the
 *       biases carry no variance, as here) gives dynamical isometry.</li>
 * </ul>
 *
 * <p>{@code fold} = k applies Orhan's Fold-k degeneracy to any of these (see {@link Fold}): k = 0 is the
 * plain kind; {@code fold_axis} says which axis is folded. Biases start at the constant {@code bias}.
 *
 * @param kind       one of {@link #KINDS}
 * @param sigma2     gaussian only: the variance times fan_in; NaN = not given
 * @param kappa      gaussian only: sigma2 = 1 / kappa; NaN = not given
 * @param gain       xavier_* and orthogonal: a scale on the matrix (default 1)
 * @param fold       Fold-k, k &gt;= 0 (default 0 = no fold)
 * @param foldAxis   "rows" (default: output units are copied) or "cols" (input weights are copied)
 * @param bias       the constant every bias starts at (default 0)
 */
public record InitSpec(String kind, double sigma2, double kappa, double gain, int fold, String foldAxis, double bias) implements java.io.Serializable {
    public static final List<String> KINDS = List.of("gaussian", "xavier_normal", "xavier_uniform", "orthogonal");
    public static final List<String> FOLD_AXES = List.of("rows", "cols");

    public InitSpec {
        kind = kind == null ? null : kind.toLowerCase(Locale.ROOT);
        foldAxis = foldAxis == null ? "rows" : foldAxis.toLowerCase(Locale.ROOT);
    }

    /** The kind with every parameter at its default. */
    public static InitSpec of(String kind) {
        return new InitSpec(kind, Double.NaN, Double.NaN, 1.0, 0, "rows", 0.0);
    }

    /** N(0, sigma2 / fan_in): 1 = LeCun, 2 = He. */
    public static InitSpec gaussian(double sigma2) {
        return of("gaussian").withSigma2(sigma2);
    }

    public static InitSpec lecun() {
        return gaussian(1.0);
    }

    public static InitSpec he() {
        return gaussian(2.0);
    }

    /** De et al.'s N(0, 1 / (kappa fan_in)). */
    public static InitSpec kappa(double kappa) {
        return new InitSpec("gaussian", Double.NaN, kappa, 1.0, 0, "rows", 0.0);
    }

    public static InitSpec orthogonal(double gain) {
        return of("orthogonal").withGain(gain);
    }

    public InitSpec withSigma2(double s) {
        return new InitSpec(kind, s, kappa, gain, fold, foldAxis, bias);
    }

    public InitSpec withGain(double g) {
        return new InitSpec(kind, sigma2, kappa, g, fold, foldAxis, bias);
    }

    public InitSpec withFold(int k, String axis) {
        return new InitSpec(kind, sigma2, kappa, gain, k, axis, bias);
    }

    public InitSpec withBias(double b) {
        return new InitSpec(kind, sigma2, kappa, gain, fold, foldAxis, b);
    }

    /** The Gaussian kind's variance times fan_in: sigma2, or 1 / kappa, or LeCun's 1 when neither is given. */
    public double effectiveSigma2() {
        if (!Double.isNaN(kappa)) {
            return 1.0 / kappa;
        }
        return Double.isNaN(sigma2) ? 1.0 : sigma2;
    }

    /** Checks every field; the error names the field, the value and what is allowed. */
    public InitSpec validate() {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("init.kind: unknown value '" + kind + "'; allowed: " + String.join(", ", KINDS));
        }
        boolean gaussian = "gaussian".equals(kind);
        if (gaussian) {
            if (!Double.isNaN(sigma2) && !Double.isNaN(kappa)) {
                throw new IllegalArgumentException("init.kappa: value " + kappa + " given together with init.sigma2 = " + sigma2
                        + "; allowed: one of sigma2 or kappa (sigma2 = 1 / kappa)");
            }
            positiveIfGiven("init.sigma2", sigma2);
            positiveIfGiven("init.kappa", kappa);
            if (gain != 1.0) {
                throw new IllegalArgumentException("init.gain: value " + gain + " is not allowed with kind gaussian; allowed: 1 (scale with sigma2)");
            }
        } else {
            onlyForGaussian("init.sigma2", sigma2);
            onlyForGaussian("init.kappa", kappa);
            if (!(gain > 0) || !Double.isFinite(gain)) {
                throw new IllegalArgumentException("init.gain: value " + gain + " is not allowed; allowed: a finite number > 0");
            }
        }
        if (fold < 0) {
            throw new IllegalArgumentException("init.fold: value " + fold + " is not allowed; allowed: an integer >= 0");
        }
        if (!FOLD_AXES.contains(foldAxis)) {
            throw new IllegalArgumentException("init.fold_axis: unknown value '" + foldAxis + "'; allowed: " + String.join(", ", FOLD_AXES));
        }
        if (!Double.isFinite(bias)) {
            throw new IllegalArgumentException("init.bias: value " + bias + " is not allowed; allowed: a finite number");
        }
        return this;
    }

    private void onlyForGaussian(String field, double v) {
        if (!Double.isNaN(v)) {
            throw new IllegalArgumentException(field + ": value " + v + " is not allowed with kind " + kind
                    + "; allowed: only with kind gaussian");
        }
    }

    private static void positiveIfGiven(String field, double v) {
        if (!Double.isNaN(v) && (!(v > 0) || !Double.isFinite(v))) {
            throw new IllegalArgumentException(field + ": value " + v + " is not allowed; allowed: a finite number > 0");
        }
    }

    /** A short readable name, e.g. {@code gaussian(sigma2=2.0)} or {@code orthogonal(gain=1.05)+fold1(rows)}. */
    public String label() {
        String base = switch (kind) {
            case "gaussian" -> Double.isNaN(kappa) ? "gaussian(sigma2=" + effectiveSigma2() + ")" : "gaussian(kappa=" + kappa + ")";
            default -> kind + "(gain=" + gain + ")";
        };
        String folded = fold > 0 ? base + "+fold" + fold + "(" + foldAxis + ")" : base;
        return bias != 0 ? folded + "+bias(" + bias + ")" : folded;
    }
}
