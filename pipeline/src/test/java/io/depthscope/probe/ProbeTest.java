package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Point;
import io.depthscope.probe.Hutchinson.Distribution;
import io.depthscope.probe.ProbeRequest.MomentMethod;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The probe against the library called directly, on the same point. */
class ProbeTest {
    private final NetworkSpec spec = Fixtures.spec("resmlp", "softplus", "cross_entropy", true, 3);
    private final Network net = Network.of(spec);
    private final INDArray theta = Fixtures.theta(net, 5, DataType.DOUBLE);
    private final Batch batch = Fixtures.batch(spec, 9, 6, DataType.DOUBLE);
    private final INDArray v = Fixtures.direction(net.paramCount(), 7, DataType.DOUBLE);

    @Test
    void exactProbeIsTheLibrarysNumbers() {
        ProbeReport r = Probe.run(new ProbeRequest(net, theta, batch, v, MomentMethod.exact()));
        Point p = net.at(batch, theta);
        assertEquals(net.paramCount(), r.paramCount());
        assertEquals(p.loss(), r.loss());
        assertEquals(p.gradientNorm(), r.gradientNorm());
        assertArrayEquals(p.layerGradientNorms(), r.layerGradientNorms());
        assertEquals(4, r.layerGradientNorms().length);
        assertArrayEquals(p.hvp(v).toDoubleVector(), r.hvp());
        HessianMoments exact = HessianMoments.fromEigenvalues(DenseHessian.eigenvalues(p));
        assertEquals(exact, r.moments());
        assertEquals("exact", r.moments().method());
        assertNull(r.seed());
    }

    @Test
    void hutchinsonProbeIsTheLibrarysEstimate() {
        ProbeReport r = Probe.run(new ProbeRequest(net, theta, batch, null, MomentMethod.hutchinson(20, 42)));
        HessianMoments expected = Hutchinson.estimate(net.at(batch, theta), 20, 42, Distribution.RADEMACHER);
        assertEquals(expected, r.moments());
        assertEquals(20, r.moments().probes());
        assertEquals(42L, r.seed());
        assertNull(r.hvp());
        Map<String, Object> json = r.toJson();
        assertTrue(!json.containsKey("hvp"));
        @SuppressWarnings("unchecked")
        Map<String, Object> h = (Map<String, Object>) json.get("hessian_moments");
        assertEquals("hutchinson", h.get("method"));
        assertEquals(expected.skewnessStderr(), h.get("skewness_stderr"));
        assertEquals(Map.of("m1", expected.m1Stderr(), "m2", expected.m2Stderr(), "m3", expected.m3Stderr(),
                "m4", expected.m4Stderr()), h.get("stderr"));
    }

    @Test
    void autoIsExactForSmallNetworksAndHutchinsonForLargeOnes() {
        assertEquals(MomentMethod.exact(), MomentMethod.auto().resolve(MomentMethod.AUTO_EXACT_MAX_PARAMS));
        assertEquals(MomentMethod.hutchinson(100, 0), MomentMethod.auto().resolve(MomentMethod.AUTO_EXACT_MAX_PARAMS + 1));
        assertEquals("exact", Probe.run(new ProbeRequest(net, theta, batch, null, MomentMethod.auto())).moments().method());
    }

    @Test
    void float32RunsInFloat32AndAgreesToSinglePrecision() {
        INDArray t32 = theta.castTo(DataType.FLOAT);
        ProbeReport r32 = Probe.run(new ProbeRequest(net, t32, batch, v, MomentMethod.exact()));
        ProbeReport r64 = Probe.run(new ProbeRequest(net, theta, batch, v, MomentMethod.exact()));
        assertEquals("float32", r32.dtype());
        assertArrayEquals(net.at(batch, t32).hvp(v.castTo(DataType.FLOAT)).toDoubleVector(), r32.hvp());
        assertEquals(r64.loss(), r32.loss(), 1e-5 * Math.abs(r64.loss()));
        assertTrue(Fixtures.relativeError(r32.hvp(), r64.hvp()) < 1e-4);
    }

    @Test
    void aDirectionOfTheWrongLengthIsNamed() {
        INDArray shortV = Fixtures.direction(net.paramCount() - 1, 7, DataType.DOUBLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Probe.run(new ProbeRequest(net, theta, batch, shortV, MomentMethod.exact())));
        assertTrue(e.getMessage().startsWith("vector: shape [" + (net.paramCount() - 1) + "] is not allowed; allowed: ["
                + net.paramCount() + "]"), e.getMessage());
    }
}
