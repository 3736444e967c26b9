package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Initializers;
import io.depthscope.nn.Landscape;
import io.depthscope.probe.DenseHessian;
import io.depthscope.probe.HessianEigenvalueAt;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.util.Seeds;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** optimizer.curvature_lr: eta = c / lambda_max(H_0), checked against the dense Hessian of a network small enough to form it. */
class CurvatureLrTest {
    /** P = 4 x 5 + 5 + 5 x 5 + 5 + 5 x 1 + 1 = 61 parameters: Lanczos's 60 default steps nearly span it, the dense Hessian is cheap. */
    private static RunSpec spec(String overrides) {
        return StudyConfig.parse("name = c\nrun { depth = 2, width = 5, dataset { input_dim = 4, n_train = 40, n_test = 8 }, steps = 20,"
                + " eval_every = 5, hessian { method = none, examples = 16 }, " + overrides + " }").plan().get(0);
    }

    /** The largest eigenvalue of the dense Hessian at the run's initial parameters, on {@code batch} of its context. */
    private static double denseLambdaMax(RunSpec s, boolean hessianBatch) {
        RunContext c = RunContext.of(s);
        INDArray theta = Initializers.initialize(c.network(), s.init(), Seeds.derive(s.seed(), "init"), c.dtype());
        Landscape h = hessianBatch ? c.hessianLandscape(theta, (INDArray) null) : c.network().at(c.data().train(), theta);
        double[] eigenvalues = DenseHessian.eigenvalues(h);
        return eigenvalues[eigenvalues.length - 1];
    }

    @Test
    void theLearningRateIsCOverTheLargestEigenvalueOfTheInitialHessianOnTheHessianBatch() {
        RunSpec s = spec("optimizer { curvature_lr = 1.5 }, seed = 3");
        RunOutcome o = Trainer.run(s);
        double lambda = denseLambdaMax(s, true);
        assertEquals("ok", o.run().status(), String.valueOf(o.run().error()));
        assertEquals(lambda, o.run().lrLambdaMax(), 1e-9 * lambda, "Lanczos's lambda_max is the dense Hessian's");
        assertEquals(1.5 / o.run().lrLambdaMax(), o.run().learningRate(), 0.0);
        double wholeSet = denseLambdaMax(s, false);
        assertTrue(Math.abs(wholeSet - lambda) > 1e-6 * lambda, "the Hessian batch (16 of 40 examples) is what is measured: "
                + wholeSet + " on the whole set, " + lambda + " on the batch");
        // the run trained at exactly that rate: a fixed-lr run at eta gives the same curve, bit for bit
        RunOutcome fixed = Trainer.run(spec("optimizer { lr = " + o.run().learningRate() + " }, seed = 3"));
        assertEquals(losses(fixed), losses(o));
        assertTrue(Double.isNaN(fixed.run().lrLambdaMax()));
        assertEquals(o.run().learningRate(), fixed.run().learningRate(), 0.0, "a fixed-lr run records its lr");
    }

    @Test
    void lambdaMaxIsReproducibleFromTheSeedAndIsTheStepZeroTopEigenvalue() {
        RunSpec s = spec("optimizer { kind = momentum, curvature_lr = 0.5 }, seed = 11, hessian { method = none, examples = 16, top_k = 1, steps = [0] }");
        RunOutcome a = Trainer.run(s);
        RunOutcome b = Trainer.run(s);
        assertEquals(a.run().lrLambdaMax(), b.run().lrLambdaMax(), 0.0);
        assertEquals(losses(a), losses(b));
        List<HessianEigenvalueAt> top = a.hessian().eigenvalues().stream()
                .filter(e -> e.step() == 0 && "largest".equals(e.side()) && e.rank() == 1).toList();
        assertEquals(1, top.size());
        assertEquals(top.get(0).eigenvalue(), a.run().lrLambdaMax(), 0.0, "the same Lanczos run as hessian_top_eigenvalues at step 0");
        RunOutcome other = Trainer.run(spec("optimizer { kind = momentum, curvature_lr = 0.5 }, seed = 12"));
        assertNotEquals(a.run().lrLambdaMax(), other.run().lrLambdaMax(), "another seed, another network");
    }

    @Test
    void noPositiveCurvatureGivesNoLearningRateAndARefusalThatNamesTheField() {
        for (double lambda : new double[] {0.0, -0.25, Double.NaN}) {
            CurvatureLr c = CurvatureLr.of(2.0, lambda, 0.0);
            assertFalse(c.usable(), String.valueOf(lambda));
            assertTrue(Double.isNaN(c.learningRate()));
            String m = c.refusal();
            assertTrue(m.startsWith("optimizer.curvature_lr: lambda_max(H_0) = " + lambda) && m.contains("allowed: lambda_max > 0"), m);
            assertFalse(m.contains("\n"));
        }
        assertEquals(0.5, CurvatureLr.of(2.0, 4.0, 0.0).learningRate(), 0.0);
    }

    private static List<Double> losses(RunOutcome o) {
        return o.curve().stream().map(TrainPoint::trainLoss).toList();
    }
}
