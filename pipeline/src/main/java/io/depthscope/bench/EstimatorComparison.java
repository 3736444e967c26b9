package io.depthscope.bench;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.nn.StateDict;
import io.depthscope.probe.HessianMoments;
import io.depthscope.probe.Hutchinson;
import io.depthscope.probe.Lanczos;
import io.depthscope.probe.QuadratureRun;
import io.depthscope.probe.StochasticLanczosQuadrature;
import io.depthscope.probe.SymmetricOperator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each whole curvature estimator, timed in turns with another engine's counterpart (issue 16): Hutchinson's moments
 * from {@code probes} Rademacher probes, the top eigenvalue from {@code lanczosSteps} Lanczos steps, and the
 * spectral density's quadratures ({@code slqRuns} runs of {@code slqSteps} steps), on {@link Benchmarks}' mlp, data
 * and parameters. A call is what a Hessian task does: the point bound at the parameters (forward and backward), then
 * the estimator; the counterpart's call likewise builds its gradient graph first.
 *
 * <p>Every call of ours uses the same seed, so every call computes the same numbers, and {@link #shipment} holds the
 * vectors those calls draw: another engine started from them must return the same estimates up to rounding
 * ({@link EstimatorAgreement}).
 */
public final class EstimatorComparison {
    /** Our three estimators; the counterpart decides what it runs for each. */
    public enum Estimator { HUTCHINSON, TOP_EIGENVALUE, DENSITY }

    public record Sizes(int probes, int lanczosSteps, int slqRuns, int slqSteps, int repetitions) {
        public Sizes {
            EstimatorCostBench.check(probes, lanczosSteps);
            if (slqRuns < 1) {
                throw new IllegalArgumentException("slq-runs: value " + slqRuns + " is not allowed; allowed: >= 1");
            }
            if (slqSteps < 1) {
                throw new IllegalArgumentException("slq-steps: value " + slqSteps + " is not allowed; allowed: >= 1");
            }
            if (repetitions < 1) {
                throw new IllegalArgumentException("estimator-repetitions: value " + repetitions + " is not allowed; allowed: >= 1");
            }
        }
    }

    /** What our calls returned (every call the same): the loss at the point, for a first check that both engines hold the same network and batch. */
    public record Values(double loss, HessianMoments moments, double lambdaMax, List<QuadratureRun> runs) {}

    /** Our seconds per call of each estimator, in call order, and the values they returned. */
    public record Result(Sizes sizes, long paramCount, double[] hutchinson, double[] topEigenvalue, double[] density, Values ours) {
        public double seconds(Estimator e) {
            return Benchmarks.median(switch (e) {
                case HUTCHINSON -> hutchinson;
                case TOP_EIGENVALUE -> topEigenvalue;
                case DENSITY -> density;
            });
        }
    }

    private EstimatorComparison() {}

    /**
     * The mlp's parameters (state-dict names), the batch ({@code x}, {@code y}) and the vectors our estimators draw:
     * {@code probes} [n, P] (Rademacher, in the dtype), {@code lanczos_start} [P] (Gaussian, normalised, float64),
     * {@code slq_starts} [runs, P] (normalised Rademacher, float64).
     */
    public static Map<String, INDArray> shipment(Benchmarks.Config c, Sizes s) {
        Network net = Network.of(c.spec());
        INDArray theta = Benchmarks.initialParameters(net, c.seed(), c.dtype());
        Batch batch = Benchmarks.batch(c);
        Map<String, INDArray> out = new LinkedHashMap<>(StateDict.fromTheta(net, theta));
        out.put("x", batch.x());
        out.put("y", batch.targets());
        Point point = net.at(batch, theta);
        INDArray[] probes = new INDArray[s.probes()];
        for (int i = 0; i < probes.length; i++) {
            probes[i] = Hutchinson.probeVector(point, c.seed(), i, Hutchinson.Distribution.RADEMACHER).reshape(1, net.paramCount());
        }
        out.put("probes", Nd4j.vstack(probes));
        out.put("lanczos_start", Lanczos.gaussianStart(net.paramCount(), c.seed()));
        INDArray[] starts = new INDArray[s.slqRuns()];
        for (int r = 0; r < starts.length; r++) {
            starts[r] = StochasticLanczosQuadrature.rademacherStart(net.paramCount(), c.seed(), r).reshape(1, net.paramCount());
        }
        out.put("slq_starts", Nd4j.vstack(starts));
        return out;
    }

    /**
     * For each estimator, one untimed call of ours and a warm-up round of the peer's, then {@code repetitions} calls
     * of ours, each followed by a round of one call of the peer's ({@link Peer#interleave}).
     */
    public static Result run(Benchmarks.Config c, Sizes s, Function<Estimator, Peer> peers) {
        Network net = Network.of(c.spec());
        Batch batch = Benchmarks.batch(c);
        INDArray theta = Benchmarks.initialParameters(net, c.seed(), c.dtype());
        double[][] seconds = new double[Estimator.values().length][s.repetitions()];
        Object[] values = new Object[Estimator.values().length];
        double[] loss = new double[1];
        for (Estimator e : Estimator.values()) {
            Peer.interleave(1, s.repetitions(), 1, peers.apply(e), r -> {
                long t0 = System.nanoTime();
                Point point = net.at(batch, theta);
                Object v = call(e, point, s, c.seed());
                long t1 = System.nanoTime();
                if (r < 0) {
                    values[e.ordinal()] = v;
                    loss[0] = point.loss();
                } else {
                    seconds[e.ordinal()][r] = (t1 - t0) * 1e-9;
                }
            });
        }
        @SuppressWarnings("unchecked")
        Values ours = new Values(loss[0], (HessianMoments) values[0], (Double) values[1], (List<QuadratureRun>) values[2]);
        return new Result(s, net.paramCount(), seconds[0], seconds[1], seconds[2], ours);
    }

    /** One whole estimator at {@code point}, as a Hessian task runs it. */
    private static Object call(Estimator e, Point point, Sizes s, long seed) {
        return switch (e) {
            case HUTCHINSON -> Hutchinson.estimate(point, s.probes(), seed, Hutchinson.Distribution.RADEMACHER);
            case TOP_EIGENVALUE -> Lanczos.topEigenvalues(SymmetricOperator.hessian(point), s.lanczosSteps(), 1, seed).lambdaMax();
            case DENSITY -> StochasticLanczosQuadrature.runs(SymmetricOperator.hessian(point), s.slqRuns(), s.slqSteps(), seed);
        };
    }
}
