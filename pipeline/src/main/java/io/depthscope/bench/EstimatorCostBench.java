package io.depthscope.bench;

import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.probe.Hutchinson;
import io.depthscope.probe.Lanczos;
import io.depthscope.probe.SymmetricOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The curvature estimators' cost counted in Hessian-vector products, as measured rather than as designed:
 * a whole Hutchinson estimate of n probes (designed: 2n products) and a whole Lanczos run of m steps
 * (designed: m), each divided by the median time of one Hv at the same cached point. What exceeds 2n or m
 * is the estimators' own work: drawing probes, dot products, and Lanczos's reorthogonalisation, whose pass at
 * step j reads all j kept vectors, so its share grows with m (at every step in a study's eigenvalue run, which keeps its
 * basis for Ritz vectors; only where the orthogonality estimate asks in a top-eigenvalue run).
 *
 * <p>Single Hv calls, the Hutchinson estimate and the Lanczos run alternate within each repetition, as in
 * {@link Benchmarks}, so a load change on a shared machine hits all of them and the ratios stay meaningful.
 */
public final class EstimatorCostBench {
    /** Hv calls timed per repetition: enough for a stable median without outweighing the estimators. */
    static final int HVS_PER_REPETITION = 5;

    /**
     * Median seconds of one Hv, of a Hutchinson estimate with {@code probes}, of the top eigenvalue from a Lanczos run of
     * {@code steps} (partial reorthogonalisation: {@link Lanczos#topEigenvalues}) and of a study's eigenvalue run of as
     * many steps, which keeps its basis and reorthogonalises at every step so that its Ritz vectors are orthonormal; and,
     * for each estimator, the median seconds spent inside its products ({@code *ProductSeconds}) and outside them
     * ({@code *OwnSeconds}, the same run's whole minus its products). The split says whether an estimator's count in Hv
     * exceeds its design by its own work or by products that run slower between its passes over memory than the single
     * Hv, timed five in a row on a warm cache, that it is divided by.
     */
    public record Result(int probes, int steps, double hvSeconds, double hutchinsonSeconds, double lanczosSeconds,
                         double ritzRunSeconds, Split hutchinson, Split lanczos, Split ritzRun) {
        public double hutchinsonHvs() {
            return hutchinsonSeconds / hvSeconds;
        }

        public double lanczosHvs() {
            return lanczosSeconds / hvSeconds;
        }

        public double ritzRunHvs() {
            return ritzRunSeconds / hvSeconds;
        }
    }

    /** Median seconds inside an estimator's products and outside them, over the same repetitions. */
    public record Split(double productSeconds, double ownSeconds) {
        static Split of(double[] whole, double[] products) {
            double[] own = new double[whole.length];
            for (int i = 0; i < own.length; i++) {
                own[i] = whole[i] - products[i];
            }
            return new Split(Benchmarks.median(products), Benchmarks.median(own));
        }

        /** The products' time in units of the single Hv. */
        public double productHvs(double hvSeconds) {
            return productSeconds / hvSeconds;
        }

        /** The estimator's own work in units of the single Hv. */
        public double ownHvs(double hvSeconds) {
            return ownSeconds / hvSeconds;
        }
    }

    private EstimatorCostBench() {}

    /** Rejects sizes the estimators refuse, so a caller can fail before any timing starts. */
    public static void check(int probes, int steps) {
        if (probes < 2) {
            throw new IllegalArgumentException("probes: value " + probes + " is not allowed; allowed: >= 2 (a Hutchinson estimate needs two)");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("lanczos-steps: value " + steps + " is not allowed; allowed: >= 1");
        }
    }

    /** On {@link Benchmarks}' network, data and parameters for {@code c}, with c's warm-up and repetitions. */
    public static Result run(Benchmarks.Config c, int probes, int steps) {
        check(probes, steps);
        Network net = Network.of(c.spec());
        Point point = net.at(Benchmarks.batch(c), Benchmarks.initialParameters(net, c.seed(), c.dtype()));
        INDArray v = Benchmarks.direction(net, c);
        INDArray out = Nd4j.create(c.dtype(), net.paramCount());
        TimedLandscape timed = new TimedLandscape(point);
        SymmetricOperator hessian = SymmetricOperator.hessian(timed);
        double[] hv = new double[c.repetitions() * HVS_PER_REPETITION];
        double[] hutchinson = new double[c.repetitions()];
        double[] lanczos = new double[c.repetitions()];
        double[] ritz = new double[c.repetitions()];
        double[][] products = new double[3][c.repetitions()];
        for (int r = -c.warmup(); r < c.repetitions(); r++) {
            for (int k = 0; k < HVS_PER_REPETITION; k++) {
                long t0 = System.nanoTime();
                point.hvp(v, out);
                if (r >= 0) {
                    hv[r * HVS_PER_REPETITION + k] = (System.nanoTime() - t0) * 1e-9;
                }
            }
            timed.reset();
            long t1 = System.nanoTime();
            Hutchinson.estimate(timed, probes, c.seed() + r, Hutchinson.Distribution.RADEMACHER);
            long t2 = System.nanoTime();
            double hutchinsonProducts = timed.productSeconds();
            timed.reset();
            Lanczos.topEigenvalues(hessian, steps, 1, c.seed() + r);
            long t3 = System.nanoTime();
            double lanczosProducts = timed.productSeconds();
            timed.reset();
            Lanczos.run(hessian, steps, c.seed() + r, true);
            long t4 = System.nanoTime();
            if (r >= 0) {
                hutchinson[r] = (t2 - t1) * 1e-9;
                lanczos[r] = (t3 - t2) * 1e-9;
                ritz[r] = (t4 - t3) * 1e-9;
                products[0][r] = hutchinsonProducts;
                products[1][r] = lanczosProducts;
                products[2][r] = timed.productSeconds();
            }
        }
        return new Result(probes, steps, Benchmarks.median(hv), Benchmarks.median(hutchinson), Benchmarks.median(lanczos),
                Benchmarks.median(ritz), Split.of(hutchinson, products[0]), Split.of(lanczos, products[1]), Split.of(ritz, products[2]));
    }
}
