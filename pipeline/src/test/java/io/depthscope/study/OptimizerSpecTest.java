package io.depthscope.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.train.Optimizer;
import org.junit.jupiter.api.Test;

class OptimizerSpecTest {
    private static void assertMessage(OptimizerSpec spec, String... parts) {
        String msg = assertThrows(IllegalArgumentException.class, spec::validate).getMessage();
        for (String p : parts) {
            assertTrue(msg.contains(p), "'" + msg + "' should contain '" + p + "'");
        }
        assertThrows(IllegalArgumentException.class, () -> Optimizer.of(spec), "Optimizer.of validates too");
    }

    @Test
    void defaultsFollowTorch() {
        OptimizerSpec adam = OptimizerSpec.of("Adam", 1e-3).validate();
        assertEquals("adam", adam.kind());
        assertEquals(0.9, adam.beta1());
        assertEquals(0.999, adam.beta2());
        assertEquals(1e-8, adam.eps());
        assertEquals(0.0, adam.weightDecay());
        assertEquals(0.01, OptimizerSpec.of("adamw", 1e-3).weightDecay());
        assertEquals(0.9, OptimizerSpec.of("nesterov", 0.1).momentum());
        assertEquals(0.0, OptimizerSpec.of("gd", 0.1).momentum());
        assertEquals("constant", OptimizerSpec.of("gd", 0.1).schedule());
        assertEquals(0, OptimizerSpec.of("momentum", 0.1).validate().batchSize(), "full batch unless asked");
    }

    @Test
    void negativeLearningRateNamesFieldValueAndAllowed() {
        assertMessage(OptimizerSpec.of("gd", -0.1), "optimizer.lr", "-0.1", "allowed: a finite number >= 0");
        assertMessage(OptimizerSpec.of("adam", Double.NaN), "optimizer.lr", "NaN");
    }

    @Test
    void unknownKindListsTheAllowedKinds() {
        assertMessage(OptimizerSpec.of("rmsprop", 0.1), "optimizer.kind", "'rmsprop'", "gd, sgd, momentum, nesterov, adam, adamw");
    }

    @Test
    void fieldsThatDoNotBelongToTheKindAreRefused() {
        assertMessage(OptimizerSpec.of("adam", 0.1).withMomentum(0.9), "optimizer.momentum", "0.9", "kind adam");
        assertMessage(OptimizerSpec.of("nesterov", 0.1).withMomentum(0.0), "optimizer.momentum", "nesterov", "(0, 1)");
        assertMessage(OptimizerSpec.of("momentum", 0.1).withMomentum(1.0), "optimizer.momentum", "1.0", "[0, 1)");
        assertMessage(OptimizerSpec.of("gd", 0.1).withBatchSize(8), "optimizer.batch_size", "8", "kind gd");
        assertMessage(OptimizerSpec.of("sgd", 0.1), "optimizer.batch_size", "0", ">= 1");
        assertMessage(OptimizerSpec.of("adam", 0.1).withBatchSize(-2), "optimizer.batch_size", "-2");
        assertMessage(OptimizerSpec.of("adam", 0.1).withAdam(0.9, 1.0, 1e-8), "optimizer.beta2", "1.0", "[0, 1)");
        assertMessage(OptimizerSpec.of("adam", 0.1).withAdam(0.9, 0.999, 0), "optimizer.eps", "> 0");
        assertMessage(OptimizerSpec.of("adam", 0.1).withWeightDecay(-1), "optimizer.weight_decay", "-1.0");
        assertMessage(OptimizerSpec.of("gd", 0.1).withClipNorm(-1), "optimizer.clip_norm", "-1.0");
    }

    @Test
    void scheduleParametersAreChecked() {
        OptimizerSpec base = OptimizerSpec.of("gd", 0.1);
        assertMessage(new OptimizerSpec("gd", 0.1, 0, 0.9, 0.999, 1e-8, 0, 0, 0, "linear", 0, 0.1, 0, 0, 0), "optimizer.schedule",
                "'linear'", "constant, step, cosine");
        assertMessage(base.withStepSchedule(0, 0.5), "optimizer.step_every", "0");
        assertMessage(base.withStepSchedule(5, 1.5), "optimizer.gamma", "1.5", "(0, 1]");
        assertMessage(base.withCosineSchedule(0, 0.0, 0), "optimizer.total_steps", "0");
        assertMessage(base.withCosineSchedule(100, 0.5, 0), "optimizer.min_lr", "0.5", "[0, lr = 0.1]");
        assertMessage(new OptimizerSpec("gd", 0.1, 0, 0.9, 0.999, 1e-8, 0, 0, 0, "constant", 0, 0.1, 0, 0, 5), "optimizer.warmup_steps",
                "5", "cosine");
    }

    @Test
    void curvatureLrMustBePositiveFiniteAloneAndForGradientSteps() {
        OptimizerSpec gd = OptimizerSpec.of("gd");
        for (double c : new double[] {0.0, -1.0, Double.POSITIVE_INFINITY}) {
            assertMessage(gd.withCurvatureLr(c), "optimizer.curvature_lr", String.valueOf(c), "allowed: a finite number > 0");
        }
        OptimizerSpec both = new OptimizerSpec("gd", 0.1, 0, 0.9, 0.999, 1e-8, 0, 0, 0, "constant", 0, 0.1, 0, 0, 0, 2.0);
        assertMessage(both, "optimizer.lr", "0.1", "curvature_lr = 2.0", "allowed: leave lr out");
        assertMessage(OptimizerSpec.of("adam").withCurvatureLr(1.0), "optimizer.curvature_lr", "1.0", "kind adam", "allowed: leave it out");
        assertMessage(OptimizerSpec.of("adamw").withCurvatureLr(1.0), "optimizer.curvature_lr", "kind adamw");
        assertMessage(gd.withCurvatureLr(1.0).withCosineSchedule(100, 0.01, 0), "optimizer.min_lr", "0.01", "allowed: 0");
        assertMessage(gd.withCurvatureLr(Double.NaN), "optimizer.lr", "NaN", "allowed: a finite number >= 0");
    }

    @Test
    void curvatureLrLeavesTheLearningRateToTheRun() {
        OptimizerSpec c = OptimizerSpec.of("momentum").withCurvatureLr(0.5).withStepSchedule(10, 0.5).validate();
        assertTrue(c.fromCurvature());
        assertTrue(Double.isNaN(c.lr()), "no lr of its own");
        assertEquals(0.5, c.curvatureLr());
        OptimizerSpec.of("nesterov").withCurvatureLr(2.0).withCosineSchedule(100, 0.0, 5).validate();
        OptimizerSpec at = c.atLearningRate(0.25).validate();
        assertEquals(0.25, at.lr());
        assertTrue(!at.fromCurvature() && at.momentum() == 0.9 && at.stepEvery() == 10, "the rest of the spec kept");
        assertTrue(!OptimizerSpec.of("gd").fromCurvature(), "off by default");
    }
}
