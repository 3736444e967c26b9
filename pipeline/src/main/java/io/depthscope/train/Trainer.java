package io.depthscope.train;

import io.depthscope.data.Augmentation;
import io.depthscope.data.Dataset;
import io.depthscope.data.MinibatchSampler;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Bindings;
import io.depthscope.nn.Initializers;
import io.depthscope.nn.Landscape;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.PassBudget;
import io.depthscope.nn.Point;
import io.depthscope.probe.HessianResults;
import io.depthscope.probe.HessianWork;
import io.depthscope.study.RunSpec;
import io.depthscope.util.Provenance;
import io.depthscope.util.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs one {@link RunSpec}: from its {@link RunContext} (data, network, fixed batches), initialises the
 * network, trains it with its optimiser, records the curve every eval_every steps, stops cleanly on
 * divergence, saves checkpoints at the configured steps, and takes the Hessian's moments at the final
 * parameters on a fixed batch.
 * Deterministic: every random draw comes from the run's seeds (streams "init", "shuffle",
 * "hessian-batch", "hessian-probes").
 */
public final class Trainer {
    /**
     * The most examples per chunk of a full-dataset evaluation, fewer where {@link PassBudget} says so (a ResNet on
     * CIFAR-10 holds about 24 MB per example in float32): bounds memory, not the numbers.
     */
    public static final int EVAL_CHUNK = 2048;

    private Trainer() {}

    public static RunOutcome run(RunSpec spec) {
        return run(spec, CheckpointSink.NONE, Progress.NONE);
    }

    /** Runs the spec with its Hessian measured here, as it reaches each Hessian step. */
    public static RunOutcome run(RunSpec spec, CheckpointSink checkpoints, Progress progress) {
        return run(spec, checkpoints, progress, null);
    }

    /**
     * Runs the spec; a numerical failure is a "diverged" record, never an exception. With a
     * {@code deferredHessian} sink the parameters of each Hessian step go there instead of being
     * measured here (a study's second phase measures them, spread over many tasks), and the outcome
     * lists those steps.
     */
    public static RunOutcome run(RunSpec spec, CheckpointSink checkpoints, Progress progress, CheckpointSink deferredHessian) {
        return run(spec, checkpoints, progress, deferredHessian, Bindings::shared);
    }

    /**
     * The run with its points from {@code bindings} (given the network and BatchNorm's buffers): shared, one per
     * (examples, mode) lent to minibatches, evaluation chunks, Hessian and diagnostics chunks alike, or, as the
     * reference those must match bit for bit, fresh for every pass.
     */
    static RunOutcome run(RunSpec spec, CheckpointSink checkpoints, Progress progress, CheckpointSink deferredHessian,
                          java.util.function.BiFunction<Network, INDArray, Bindings> bindingsOf) {
        long start = System.nanoTime();
        RunContext context = RunContext.of(spec);
        String runId = spec.runId();
        DataType dtype = context.dtype();
        Dataset data = context.data();
        Network network = context.network();
        INDArray theta = Initializers.initialize(network, spec.init(), Seeds.derive(spec.seed(), "init"), dtype);
        // BatchNorm's running statistics: each training step's forward folds its minibatch's statistics in, as
        // PyTorch's does; the curve's losses are eval-mode losses that read them (model.eval())
        INDArray buffers = context.initialBuffers();
        Bindings bindings = bindingsOf.apply(network, buffers);
        Landscape hessianLandscape = null;
        CurvatureLr curvature = null;
        if (spec.optimizer().fromCurvature()) {
            // before step 0: the learning rate comes from the curvature at the initial parameters
            hessianLandscape = context.hessianLandscape(theta, bindings);
            curvature = CurvatureLr.measure(spec, hessianLandscape);
            if (!curvature.usable()) {
                RunRecord refused = new RunRecord(runId, "failed", curvature.refusal(), network.paramCount(), data.description(), Double.NaN,
                        Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, 0, -1, (System.nanoTime() - start) / 1e9,
                        Provenance.current(), curvature.lambdaMax(), Double.NaN);
                return RunOutcome.failed(spec, refused);
            }
        }
        double learningRate = curvature != null ? curvature.learningRate() : spec.optimizer().lr();
        Optimizer optimizer = Optimizer.of(spec.optimizer().atLearningRate(learningRate));
        boolean fullBatch = spec.optimizer().batchSize() == 0;
        int evalChunk = PassBudget.examples(network, EVAL_CHUNK);
        Evaluator train = new Evaluator(network, data.train(), evalChunk, data.classification(), dtype).using(bindings);
        Evaluator test = data.hasTest() ? new Evaluator(network, data.test(), evalChunk, data.classification(), dtype).using(bindings) : null;
        MinibatchSampler sampler = fullBatch ? null
                : new MinibatchSampler(data.train().size(), spec.optimizer().batchSize(), false, Seeds.derive(spec.seed(), "shuffle"));
        Set<Integer> checkpointSteps = new TreeSet<>(spec.checkpoints());
        Set<Integer> hessianSteps = new TreeSet<>(spec.hessian().stepsFor(spec.steps()));
        DiagnosticsRecorder diagnostics = new DiagnosticsRecorder(context, theta);
        INDArray stepGradient = null;
        HessianResults hessian = HessianResults.empty();
        List<Integer> deferred = new ArrayList<>();

        MinibatchSampler.Gatherer gatherer = new MinibatchSampler.Gatherer();
        List<TrainPoint> curve = new ArrayList<>();
        double initialLoss = Double.NaN;
        int divergedAt = -1;
        int stepsToTarget = -1;
        TrainPoint last = null;
        int step = 0;
        for (; ; step++) {
            boolean evaluate = step % spec.evalEvery() == 0 || step == spec.steps();
            Evaluator.Evaluation e = fullBatch || evaluate ? train.evaluate(theta, true) : null;
            if (step == 0) {
                initialLoss = e.loss();
            }
            double stepLoss = e != null ? e.loss() : Double.NaN;
            INDArray gradient = fullBatch ? train.gradient() : null;
            if (!fullBatch && step < spec.steps()) {
                int[] rows = sampler.batch(step);
                Batch part = gatherer.gather(data.train(), rows);
                if ("crop_flip".equals(spec.dataset().augment())) {
                    part = Augmentation.cropAndFlip(part, data.inputShape(), Seeds.stream(spec.seed(), "augment", step));
                }
                Point p = bindings.load(part, theta, Mode.TRAIN);
                if (buffers != null) {
                    p.updateRunningStatistics();
                }
                // a copy: the point is lent to this step's Hessian and diagnostics chunks before the optimiser reads it
                stepGradient = stepGradient == null ? p.gradient().dup() : stepGradient.assign(p.gradient());
                gradient = stepGradient;
                if (e == null) {
                    stepLoss = p.loss();
                }
            }
            boolean diverged = !Double.isFinite(stepLoss) || (e != null && !Double.isFinite(e.gradientNorm()))
                    || stepLoss > spec.divergenceFactor() * Math.max(initialLoss, Double.MIN_NORMAL);
            if (e != null && stepsToTarget < 0 && !Double.isNaN(spec.targetLoss()) && e.loss() <= spec.targetLoss()) {
                stepsToTarget = step;
            }
            if (evaluate || diverged) {
                Evaluator.Evaluation t = test != null && !diverged ? test.evaluate(theta, false) : null;
                TrainPoint point = new TrainPoint(runId, step, e != null ? e.loss() : stepLoss, e != null ? e.accuracy() : Double.NaN,
                        e != null ? e.gradientNorm() : Double.NaN, t != null ? t.loss() : Double.NaN,
                        t != null ? t.accuracy() : Double.NaN, (System.nanoTime() - start) / 1e9);
                curve.add(point);
                last = point;
                progress.evaluated(point, spec.steps());
            }
            if (diverged) {
                divergedAt = step;
                break;
            }
            if (checkpointSteps.contains(step)) {
                checkpoints.save(spec, network, step, theta, buffers);
            }
            if (diagnostics.at(step)) {
                diagnostics.take(step, theta, bindings);
            }
            if (hessianSteps.contains(step)) {
                if (deferredHessian != null) {
                    deferredHessian.save(spec, network, step, theta, buffers);
                    deferred.add(step);
                } else {
                    hessianLandscape = hessianLandscape == null ? context.hessianLandscape(theta, bindings) : hessianLandscape.moveTo(theta);
                    hessian = hessian.plus(HessianWork.measure(spec.hessian(), spec.seed(), runId, step, hessianLandscape));
                }
            }
            if (step == spec.steps()) {
                break;
            }
            optimizer.step(theta, gradient, step);
        }

        double wall = (System.nanoTime() - start) / 1e9;
        RunRecord record = new RunRecord(runId, divergedAt < 0 ? "ok" : "diverged", null, network.paramCount(),
                data.description(), initialLoss, last.trainLoss(), last.gradientNorm(), last.trainAccuracy(), last.testLoss(),
                last.testAccuracy(), stepsToTarget, divergedAt < 0 ? step : divergedAt, divergedAt, wall, Provenance.current(),
                curvature != null ? curvature.lambdaMax() : Double.NaN, learningRate);
        return new RunOutcome(spec, record, curve, diagnostics.rows(), hessian, deferred);
    }
}
