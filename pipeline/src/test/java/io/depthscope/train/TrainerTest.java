package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.util.NativeThreads;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerTest {
    private static RunSpec spec(String overrides) {
        return StudyConfig.parse("name = t\nrun { width = 10, dataset { input_dim = 4, n_train = 24, n_test = 16 }, steps = 30, eval_every = 10,"
                + " hessian { probes = 4 }, " + overrides + " }").plan().get(0);
    }

    @Test
    void sameSpecGivesBitwiseTheSameCurve() {
        RunSpec s = spec("depth = 3, seed = 7");
        RunOutcome a = Trainer.run(s);
        RunOutcome b = Trainer.run(s);
        assertEquals(numbers(a), numbers(b), "everything but the wall-clock seconds is bitwise equal");
        assertEquals(a.moments(), b.moments());
        assertEquals(List.of(0, 10, 20, 30), a.curve().stream().map(TrainPoint::step).toList());
    }

    @Test
    void acrossThreadCountsTheCurveAgreesToRoundingLevel() {
        RunSpec s = spec("depth = 3, width = 96, seed = 3, dataset { n_train = 200, input_dim = 40 }");
        int before = org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads();
        try {
            NativeThreads.configure(1);
            RunOutcome one = Trainer.run(s);
            NativeThreads.configure(2);
            RunOutcome two = Trainer.run(s);
            for (int i = 0; i < one.curve().size(); i++) {
                double a = one.curve().get(i).trainLoss();
                double b = two.curve().get(i).trainLoss();
                // BLAS may split sums differently: rounding level, 30 steps of GD amplify it only mildly
                assertEquals(a, b, 1e-10 * Math.abs(a), "step " + one.curve().get(i).step());
            }
            assertEquals(one.moments().get(0).moments().m1(), two.moments().get(0).moments().m1(),
                    1e-8 * Math.abs(one.moments().get(0).moments().m1()));
        } finally {
            NativeThreads.configure(before);
        }
    }

    private static List<List<Double>> numbers(RunOutcome o) {
        return o.curve().stream().map(t -> List.of((double) t.step(), t.trainLoss(), t.trainAccuracy(), t.gradientNorm(), t.testLoss(),
                t.testAccuracy())).toList();
    }

    @Test
    void gradientDescentLowersTheLoss() {
        RunOutcome o = Trainer.run(spec("depth = 2, optimizer { lr = 0.2 }, steps = 100, eval_every = 50"));
        assertEquals("ok", o.run().status());
        assertTrue(o.run().finalLoss() < o.run().initialLoss(), o.run().toString());
    }

    @Test
    void divergenceIsRecordedWithItsStepAndTheRunStopsCleanly() {
        RunOutcome o = Trainer.run(spec("depth = 4, optimizer { lr = 1000.0 }, init { sigma2 = 4.0 }, activation = linear"));
        assertEquals("diverged", o.run().status());
        assertTrue(o.run().divergedAtStep() > 0 && o.run().divergedAtStep() < 30, "step " + o.run().divergedAtStep());
        assertEquals(o.run().divergedAtStep(), o.curve().get(o.curve().size() - 1).step());
        assertTrue(o.moments().isEmpty(), "no Hessian is taken at a diverged point");
    }
}
