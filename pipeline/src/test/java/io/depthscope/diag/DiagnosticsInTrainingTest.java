package io.depthscope.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.data.Datasets;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import io.depthscope.probe.HessianResults;
import io.depthscope.probe.HessianWork;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.train.CheckpointSink;
import io.depthscope.train.Progress;
import io.depthscope.train.RunContext;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.Trainer;
import io.depthscope.util.Seeds;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The diagnostics a run takes along training, against the same quantities computed afresh (and by
 * explicit loops) at the parameters the run saved at those steps.
 */
class DiagnosticsInTrainingTest {
    private static RunSpec spec(String run) {
        return StudyConfig.parse("name = t\nrun { width = 7, depth = 3, dataset { input_dim = 5, n_train = 24, n_test = 8 }, steps = 20,"
                + " eval_every = 10, optimizer { lr = 0.1 }, seed = 5, checkpoints = [0, 20], " + run + " }").plan().get(0);
    }

    /** Runs the spec, keeping copies of the parameters at its checkpoint steps. */
    private static RunOutcome run(RunSpec s, Map<Integer, INDArray> thetas) {
        CheckpointSink keep = (spec, network, step, theta, buffers) -> thetas.put(step, theta.dup());
        return Trainer.run(s, keep, Progress.NONE);
    }

    @Test
    void rowsEqualFreshComputationsAtTheSavedParameters() {
        RunSpec s = spec("diagnostics { steps = [0, 20], examples = 12, minibatches = 4, minibatch_size = 6, jacobian_inputs = 2 }");
        Map<Integer, INDArray> thetas = new TreeMap<>();
        RunOutcome o = run(s, thetas);
        RunContext context = RunContext.of(s);
        Batch train = context.data().train();
        Batch batch = context.diagnosticsBatch();
        assertEquals(12, batch.size());
        Network net = Network.of(s.network(5, 1));
        RunDiagnosticsView d = new RunDiagnosticsView(o);
        INDArray k0 = null;
        for (int step : List.of(0, 20)) {
            Point p = net.at(batch, thetas.get(step));
            List<LayerGradients.Layer> fresh = LayerGradients.of(p);
            assertEquals(fresh.size(), d.layers(step).size(), "one row per linear map");
            for (int i = 0; i < fresh.size(); i++) {
                assertEquals(fresh.get(i), d.layers(step).get(i).layer(), "step " + step + " map " + i);
            }
            // per-example confusion against an explicit loop of one-example gradients
            double[][] g = Loops.gram(Loops.perExampleGradients(net, batch, thetas.get(step)));
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < g.length; i++) {
                for (int j = i + 1; j < g.length; j++) {
                    min = Math.min(min, g[i][j]);
                }
            }
            GradientConfusionAt c = d.confusion(step, "per_example");
            assertEquals(min, c.minInnerProduct(), 1e-10 * Math.abs(min));
            assertEquals(12, c.gradients());
            GradientConfusion mb = MinibatchConfusion.of(net, train, thetas.get(step), 6, 4, Seeds.derive(s.seed(), "diagnostics", step));
            assertEquals(mb.minCosine(), d.confusion(step, "minibatch").minCosine(), 0.0);
            assertEquals(4, d.confusion(step, "minibatch").gradients());

            INDArray k = Ntk.gram(p);
            k0 = k0 == null ? k : k0;
            NtkGram kg = NtkGram.of(k, 1);
            NtkAt n = d.ntk(step);
            assertEquals(kg.lambdaMin(), n.lambdaMin(), 1e-12 * kg.lambdaMax());
            assertEquals(kg.lambdaMax(), n.lambdaMax(), 1e-12 * kg.lambdaMax());
            assertEquals(0, n.driftFromStep());
            assertEquals(Ntk.drift(k0, k), n.drift(), 1e-12);
            assertEquals(Ntk.alignment(k0, k), n.alignment(), 1e-12);

            assertEquals(2 * 3, o.diagnostics().jacobians().stream().filter(r -> r.step() == step).count(), "2 inputs x 3 layers");
            JacobianSpectrumAt j = o.diagnostics().jacobians().stream().filter(r -> r.step() == step && r.input() == 1 && r.layer() == 2)
                    .findFirst().orElseThrow();
            double[] sv = JacobianSpectrum.at(p, 1).get(1).spectrum().singularValues();
            assertEquals(sv.length, j.singularValues().size());
            for (int i = 0; i < sv.length; i++) {
                assertEquals(sv[i], j.singularValues().get(i), 1e-12 * sv[0]);
            }
            assertEquals(3, o.diagnostics().ranks().stream().filter(r -> r.step() == step).count(), "one row per hidden layer");
        }
        assertEquals(0.0, d.ntk(0).drift());
        assertEquals(1.0, d.ntk(0).alignment(), 1e-12);
        assertTrue(d.ntk(20).drift() > 0, "training moved the kernel");
    }

    @Test
    void aLinearNetworkRecordsTheSingularValuesOfItsWeightProduct() {
        RunSpec s = spec("activation = linear, diagnostics { steps = [20], layer_gradients = false, confusion = false, ntk = false,"
                + " representation = false }");
        Map<Integer, INDArray> thetas = new TreeMap<>();
        RunOutcome o = run(s, thetas);
        Network net = Network.of(s.network(5, 1));
        INDArray theta = thetas.get(20);
        // W_3 W_2 W_1 W_0 by plain products of the weight views, [1, 5]
        INDArray m = net.layout().view(theta, "layers.0.weight");
        for (int i = 1; i <= 3; i++) {
            m = net.layout().view(theta, "layers." + i + ".weight").mmul(m);
        }
        double[] expected = new SingularValueDecomposition(new Array2DRowRealMatrix(m.toDoubleMatrix(), false)).getSingularValues();
        JacobianSpectrumAt e = o.diagnostics().jacobians().stream().filter(r -> r.kind().equals(JacobianSpectrumAt.END_TO_END))
                .findFirst().orElseThrow();
        assertEquals(1, expected.length);
        assertEquals(expected[0], e.singularValues().get(0), 1e-12 * expected[0]);
        assertEquals(4, e.layer());
        assertTrue(o.diagnostics().layerGradients().isEmpty() && o.diagnostics().ntk().isEmpty() && o.diagnostics().ranks().isEmpty());
    }

    @Test
    void deferredHessianStepsMeasureLikeTheRunItself() {
        RunSpec s = spec("hessian { probes = 6, probes_per_block = 4, steps = [0, 20], top_k = 2, lanczos_steps = 8 }");
        RunOutcome here = Trainer.run(s);
        Map<Integer, INDArray> saved = new TreeMap<>();
        RunOutcome deferred = Trainer.run(s, CheckpointSink.NONE, Progress.NONE, (spec, network, step, theta, buffers) -> saved.put(step, theta.dup()));
        assertEquals(List.of(0, 20), deferred.hessianPending());
        assertEquals(HessianResults.empty(), deferred.hessian());
        assertEquals(List.of(), here.hessianPending());
        Batch batch = RunContext.of(s).hessianBatch();
        Network net = Network.of(s.network(5, 1));
        HessianResults measured = HessianResults.empty();
        for (int step : deferred.hessianPending()) {
            measured = measured.plus(HessianWork.measure(s.hessian(), s.seed(), s.runId(), step, net.at(batch, saved.get(step))));
        }
        assertEquals(here.hessian(), measured, "a second phase elsewhere measures exactly what the run would have");
        assertEquals(2, here.moments().size());
        assertEquals(2 * 6, here.hessian().probes().size());
        assertEquals(2 * 2 * 2, here.hessian().eigenvalues().size(), "2 steps x (2 largest + 2 smallest)");
    }

    /** Rows of an outcome by step. */
    private record RunDiagnosticsView(RunOutcome o) {
        List<LayerGradientsAt> layers(int step) {
            return o.diagnostics().layerGradients().stream().filter(r -> r.step() == step).toList();
        }

        GradientConfusionAt confusion(int step, String kind) {
            return o.diagnostics().confusion().stream().filter(r -> r.step() == step && r.kind().equals(kind)).findFirst().orElseThrow();
        }

        NtkAt ntk(int step) {
            return o.diagnostics().ntk().stream().filter(r -> r.step() == step).findFirst().orElseThrow();
        }
    }
}
