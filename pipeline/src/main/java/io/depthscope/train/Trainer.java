package io.depthscope.train;

import io.depthscope.data.Batch;
import io.depthscope.data.SphereData;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.probe.DenseHessian;
import io.depthscope.probe.HessianMoments;
import io.depthscope.probe.Hutchinson;
import io.depthscope.study.RunSpec;
import io.depthscope.util.Provenance;
import io.depthscope.util.Seeds;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs one {@link RunSpec}: builds its data and network, trains with full-batch gradient descent,
 * records the loss curve every eval_every steps, stops cleanly on divergence, and takes the Hessian's
 * moments at the final parameters on the training batch. Deterministic: every random draw comes from
 * the run's seeds.
 */
public final class Trainer {
    private Trainer() {}

    public static DataType dtype(String name) {
        return switch (name) {
            case "float64" -> DataType.DOUBLE;
            case "float32" -> DataType.FLOAT;
            default -> throw new IllegalArgumentException("dtype: unknown value '" + name + "'; allowed: float64, float32");
        };
    }

    /** Runs the spec; a numerical failure is a "diverged" record, never an exception. */
    public static RunOutcome run(RunSpec spec) {
        long start = System.nanoTime();
        String runId = spec.runId();
        DataType dtype = dtype(spec.dtype());
        Network network = Network.of(spec.network());
        Batch data = SphereData.randomSigns(spec.examples(), spec.inputDim(), spec.dataSeed(), dtype);
        INDArray theta = Initializer.gaussian(network, spec.sigma2(), Seeds.derive(spec.seed(), "init"), dtype);
        Point point = network.at(data, theta);

        List<TrainPoint> curve = new ArrayList<>();
        double initialLoss = point.loss();
        int divergedAt = -1;
        int step = 0;
        for (; ; step++) {
            double loss = point.loss();
            double gradNorm = point.gradientNorm();
            boolean diverged = !Double.isFinite(loss) || !Double.isFinite(gradNorm)
                    || loss > spec.divergenceFactor() * Math.max(initialLoss, Double.MIN_NORMAL);
            if (step % spec.evalEvery() == 0 || step == spec.steps() || diverged) {
                curve.add(new TrainPoint(runId, step, loss, gradNorm));
            }
            if (diverged) {
                divergedAt = step;
                break;
            }
            if (step == spec.steps()) {
                break;
            }
            Nd4j.getBlasWrapper().axpy(-spec.lr(), point.gradient(), theta);
            point.moveTo(theta);
        }

        List<HessianMomentsAt> moments = new ArrayList<>();
        if (divergedAt < 0 && !"none".equals(spec.hessianMethod())) {
            HessianMoments m = "exact".equals(spec.hessianMethod())
                    ? HessianMoments.fromEigenvalues(DenseHessian.eigenvalues(point))
                    : Hutchinson.estimate(point, spec.hessianProbes(), Seeds.derive(spec.seed(), "hessian-probes", step),
                            Hutchinson.Distribution.parse(spec.probeDistribution()));
            moments.add(new HessianMomentsAt(runId, step, m));
        }
        double wall = (System.nanoTime() - start) / 1e9;
        RunRecord record = new RunRecord(runId, divergedAt < 0 ? "ok" : "diverged", null, initialLoss,
                point.loss(), point.gradientNorm(), divergedAt < 0 ? step : divergedAt, divergedAt, wall, Provenance.current());
        return new RunOutcome(spec, record, curve, moments);
    }
}
