package io.depthscope.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.probe.HessianMoments;
import io.depthscope.probe.QuadratureRun;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The agreement check passes rounding-level differences and fails real ones, each measured against its scale. */
class EstimatorAgreementTest {
    static final long P = 1000;
    static final double LAMBDA = 4.0;

    static EstimatorComparison.Values ours() {
        HessianMoments m = new HessianMoments(0.5, 2.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "hutchinson", 10, P);
        QuadratureRun run = new QuadratureRun(0, new double[] {-1.0, 1.0, LAMBDA}, new double[] {0.25, 0.5, 0.25}, 3, false, 3);
        return new EstimatorComparison.Values(0.75, m, LAMBDA, List.of(run));
    }

    /** The peer's values: ours shifted by {@code d} (times each check's scale), power iteration at {@code power}. */
    static EstimatorAgreement.PeerValues theirs(double d, double power) {
        double[] forms = {(0.5 + d * LAMBDA) * P, (2.0 + d * LAMBDA * LAMBDA) * P, 0, 0};
        return new EstimatorAgreement.PeerValues(0.75 * (1 + d), forms, power, LAMBDA * (1 + d),
                List.of(new double[] {-1.0, 1.0, LAMBDA * (1 + d)}), List.of(new double[] {0.25, 0.5, 0.25}));
    }

    @Test
    void roundingPassesAndRealDifferencesFail() {
        List<EstimatorAgreement.Check> close = EstimatorAgreement.checks(ours(), theirs(1e-5, 3.9), P, DataType.FLOAT);
        assertEquals(7, close.size());
        assertTrue(close.stream().allMatch(EstimatorAgreement.Check::ok), close.toString());
        // the same differences are far beyond float64's tolerance: every equality check fails, the inequality holds
        List<EstimatorAgreement.Check> strict = EstimatorAgreement.checks(ours(), theirs(1e-5, 3.9), P, DataType.DOUBLE);
        assertEquals(1, strict.stream().filter(EstimatorAgreement.Check::ok).count(), strict.toString());
        for (EstimatorAgreement.Check c : EstimatorAgreement.checks(ours(), theirs(1e-2, 3.9), P, DataType.FLOAT)) {
            assertEquals(c.atMost(), c.ok(), c.toString());
        }
    }

    @Test
    void powerIterationAboveTheTopRitzValueFails() {
        EstimatorAgreement.Check power = EstimatorAgreement.checks(ours(), theirs(0, LAMBDA * 1.01), P, DataType.FLOAT).get(4);
        assertEquals("power iteration <= Lanczos top", power.what());
        assertFalse(power.ok(), power.toString());
        assertEquals(0.01, power.scaledDifference(), 1e-12);
        assertTrue(EstimatorAgreement.checks(ours(), theirs(0, -7.0), P, DataType.FLOAT).get(4).ok(), "far below is fine");
    }
}
