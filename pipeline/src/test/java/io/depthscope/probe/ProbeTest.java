package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.diag.JacobianSpectrum;
import io.depthscope.diag.RepresentationRank;
import io.depthscope.io.Json;
import io.depthscope.io.Npz;
import io.depthscope.nn.Batch;
import io.depthscope.nn.ChunkedLandscape;
import io.depthscope.nn.Fixtures;
import io.depthscope.nn.Landscape;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.Mode;
import io.depthscope.nn.ParamLayout;
import io.depthscope.nn.Point;
import io.depthscope.nn.StateDict;
import io.depthscope.probe.Hutchinson.Distribution;
import io.depthscope.probe.ProbeRequest.MomentMethod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;

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

    /** conv_tiny_bn (tools/torch_cnn_reference.py): a conv, BatchNorm2d and a classifier, P = 31, with PyTorch's dense Hessian. */
    private record TinyBn(Network net, INDArray theta, INDArray buffers, Batch batch, INDArray v, Map<String, INDArray> npz) {
        static TinyBn load() {
            String name = "conv_tiny_bn";
            JsonNode c = Json.read(TorchCnnReferenceTest.DIR.resolve(name + ".json"), name);
            Map<String, INDArray> npz = Npz.read(TorchCnnReferenceTest.DIR.resolve(name + ".npz"), name);
            Network net = Network.of(TorchCnnReferenceTest.spec(c).validate());
            Map<String, INDArray> dict = new LinkedHashMap<>();
            StateDict.keys(net).forEach(k -> dict.put(k, npz.get(k)));
            INDArray theta = StateDict.toTheta(net, dict, DataType.DOUBLE, "weights");
            INDArray buffers = StateDict.toBuffers(net, dict, DataType.DOUBLE, "weights");
            INDArray v = Nd4j.create(DataType.DOUBLE, net.paramCount());
            for (ParamLayout.Entry e : net.layout().entries()) {
                net.layout().view(v, e).assign(npz.get("v." + e.name()));
            }
            Batch batch = new Batch(npz.get("x"), Batch.oneHot(npz.get("labels").toIntVector(), 3, DataType.DOUBLE));
            return new TinyBn(net, theta, buffers, batch, v, npz);
        }

        ProbeRequest request(Mode mode, Integer bnBatch) {
            return new ProbeRequest(net, theta, buffers.dup(), batch, v, MomentMethod.exact(), mode, bnBatch);
        }

        double[] expected(String prefix) {
            INDArray out = Nd4j.create(DataType.DOUBLE, net.paramCount());
            for (ParamLayout.Entry e : net.layout().entries()) {
                net.layout().view(out, e).assign(npz.get(prefix + e.name()));
            }
            return out.toDoubleVector();
        }
    }

    /** Eval by default, train over groups of bn_batch: loss, Hv and the exact moments against PyTorch's dense Hessian. */
    @Test
    void aBatchNormNetworkIsProbedInItsModeAgainstPyTorch() {
        TinyBn t = TinyBn.load();
        for (Mode mode : new Mode[] {null, Mode.TRAIN}) {
            String m = mode == null ? "eval" : "train";
            ProbeReport r = Probe.run(t.request(mode, mode == null ? null : 2));
            assertEquals(m, r.mode());
            assertEquals(mode == null ? null : 2, r.bnBatch());
            double lossRef = t.npz().get("expected_loss_" + m).getDouble(0);
            assertEquals(lossRef, r.loss(), 1e-10 * Math.abs(lossRef), m + " loss");
            assertTrue(Fixtures.relativeError(t.expected("expected_hvp_" + m + "."), r.hvp()) < 1e-10, m + " Hv");
            HessianMoments ref = HessianMoments.fromEigenvalues(t.npz().get("expected_eigenvalues_" + m).toDoubleVector());
            assertArrayEquals(ref.moments(), r.moments().moments(), 1e-9 * Math.abs(ref.m2()), m + " moments");
            assertEquals(List.of("features.0.conv.weight", "classifier.weight"), r.layerNames());
            double[] g = t.expected("expected_gradient_" + m + ".");
            INDArray gv = Nd4j.createFromArray(g);
            assertEquals(t.net().layout().view(gv, "features.0.conv.weight").norm2Number().doubleValue(), r.layerGradientNorms()[0],
                    1e-10, m + " conv gradient norm");
        }
        // one group of the whole batch is a different function from two groups of two
        assertNotEquals(Probe.run(t.request(Mode.TRAIN, null)).loss(), Probe.run(t.request(Mode.TRAIN, 2)).loss());
    }

    @Test
    void diagnosticsThatAreNotDefinedAreNullWithAReason() {
        TinyBn t = TinyBn.load();
        Map<String, Object> json = Probe.run(t.request(Mode.TRAIN, 2), true).toJson();
        @SuppressWarnings("unchecked")
        Map<String, String> reasons = (Map<String, String>) json.get("not_available");
        assertEquals(List.of("gradient_confusion", "ntk_gram", "layer_gradients"), List.copyOf(reasons.keySet()));
        for (String key : reasons.keySet()) {
            assertTrue(json.containsKey(key), key);
            assertNull(json.get(key), key);
        }
        assertTrue(reasons.get("gradient_confusion").contains("a convolution applies its weight at every position"), reasons.toString());
        assertTrue(reasons.get("gradient_confusion").contains("train-mode BatchNorm couples the examples"), reasons.toString());
        assertTrue(reasons.get("layer_gradients").contains("arch cnn is not one"), reasons.toString());
        // the Jacobian spectra and ranks of every network, with BatchNorm in eval mode whatever the probe's mode
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> spectra = (List<Map<String, Object>>) json.get("jacobian_spectra");
        List<JacobianSpectrum.Layer> expected = JacobianSpectrum.at(t.net(), t.theta(), t.buffers(), t.batch(), 0);
        assertEquals(expected.size(), spectra.size());
        for (int l = 0; l < expected.size(); l++) {
            assertEquals(Json.finiteList(expected.get(l).spectrum().singularValues()), spectra.get(l).get("singular_values"), "layer " + l);
        }
        assertEquals(Json.finiteList(expected.get(expected.size() - 1).spectrum().singularValues()),
                json.get("representation_jacobian_singular_values"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ranks = (List<Map<String, Object>>) json.get("representation_rank");
        List<RepresentationRank.Layer> evalRanks = RepresentationRank.of(t.net().at(t.batch(), t.theta(), t.buffers().dup(), Mode.EVAL));
        assertEquals(evalRanks.size(), ranks.size());
        assertEquals(evalRanks.get(0).effectiveRank(), (Double) ranks.get(0).get("effective_rank"), 1e-12);
        // the Hessian's own diagnostics need only Hv, and are there: Lanczos finds PyTorch's extreme eigenvalues
        @SuppressWarnings("unchecked")
        Map<String, Object> top = (Map<String, Object>) json.get("hessian_top_eigenvalues");
        double[] eig = t.npz().get("expected_eigenvalues_train").toDoubleVector();
        @SuppressWarnings("unchecked")
        List<Double> largest = (List<Double>) top.get("largest");
        assertEquals(eig[eig.length - 1], largest.get(0), 1e-8 * Math.abs(eig[eig.length - 1]));
        assertTrue(json.get("hessian_density") instanceof Map);
        // in eval mode BatchNorm couples nothing, but its parameters are still outside the linear maps
        @SuppressWarnings("unchecked")
        Map<String, String> eval = (Map<String, String>) Probe.run(t.request(null, null)).toJson().get("not_available");
        assertTrue(eval.get("ntk_gram").contains("BatchNorm's weight and bias are parameters outside the linear maps"), eval.toString());
        assertEquals(2, eval.size(), "without --diagnostics only the base keys: " + eval);
    }

    @Test
    void anMlpBatchInChunksSaysWhichDiagnosticsNeedItWhole() {
        // a batch beyond the pass budget is evaluated in chunks; here chunks of 4 stand for it
        Landscape chunked = ChunkedLandscape.of(net, batch, theta, null, Mode.TRAIN, 4, false);
        Map<String, Object> m = ProbeDiagnostics.of(new ProbeRequest(net, theta, batch, v, MomentMethod.exact()), chunked, true, 0);
        @SuppressWarnings("unchecked")
        Map<String, String> reasons = (Map<String, String>) m.get("not_available");
        // the Jacobians (one example each) and the ranks (chunk by chunk) do not need the batch whole
        assertEquals(List.of("gradient_confusion", "ntk_gram", "layer_gradients"), List.copyOf(reasons.keySet()));
        assertTrue(m.get("jacobian_spectra") instanceof List && m.get("representation_rank") instanceof List, m.toString());
        for (String reason : reasons.values()) {
            assertTrue(reason.contains("computed from one pass over the whole batch, and the batch of 9 examples is evaluated in chunks of 4"),
                    reason);
        }
        assertTrue(m.get("hessian_top_eigenvalues") instanceof Map, "Lanczos needs only products");
    }

    @Test
    void anMlpReportHasItsFormerKeysOnly() {
        Map<String, Object> json = Probe.run(new ProbeRequest(net, theta, batch, v, MomentMethod.exact()), true).toJson();
        assertEquals(List.of("param_count", "dtype", "examples", "loss", "gradient_norm", "layer_gradient_norms", "hvp", "hessian_moments",
                "gradient_confusion", "ntk_gram", "representation_jacobian_singular_values", "hessian_top_eigenvalues", "hessian_density",
                "jacobian_spectra", "representation_rank", "layer_gradients"), List.copyOf(json.keySet()));
    }

    @Test
    void modeAndGroupAreCheckedAgainstTheNetwork() {
        TinyBn t = TinyBn.load();
        String mlpMode = assertThrows(IllegalArgumentException.class,
                () -> new ProbeRequest(net, theta, null, batch, null, MomentMethod.exact(), Mode.EVAL, null)).getMessage();
        assertTrue(mlpMode.startsWith("mode: value 'eval' is not allowed for arch resmlp, which has no BatchNorm"), mlpMode);
        String mlpGroup = assertThrows(IllegalArgumentException.class,
                () -> new ProbeRequest(net, theta, null, batch, null, MomentMethod.exact(), null, 3)).getMessage();
        assertTrue(mlpGroup.startsWith("bn_batch: value 3 is not allowed for arch resmlp, which has no BatchNorm"), mlpGroup);
        String evalGroup = assertThrows(IllegalArgumentException.class, () -> t.request(null, 2)).getMessage();
        assertTrue(evalGroup.startsWith("bn_batch: value 2 is not allowed in eval mode"), evalGroup);
        String divisor = assertThrows(IllegalArgumentException.class, () -> t.request(Mode.TRAIN, 3)).getMessage();
        assertEquals("bn_batch: value 3 does not divide the batch of 4 examples; allowed: a divisor of 4 (1, 2, 4)", divisor);
        String noBuffers = assertThrows(IllegalArgumentException.class,
                () -> new ProbeRequest(t.net(), t.theta(), null, t.batch(), null, MomentMethod.exact(), null, null)).getMessage();
        assertTrue(noBuffers.startsWith("buffers: none given; allowed: BatchNorm's running statistics [features.0.bn.running_mean"), noBuffers);
        // a 4 x 4 image gives BatchNorm2d 16 values per channel even in a group of one; BatchNorm1d has one
        assertEquals(1, Probe.run(t.request(Mode.TRAIN, 1)).bnBatch());
        Network bn1d = Network.of(new NetworkSpec("mlp_bn", 3, 4, 1, 2, "tanh", false, 1.0, "mse"));
        INDArray th = Fixtures.theta(bn1d, 1, DataType.DOUBLE);
        Batch b = new Batch(Nd4j.rand(DataType.DOUBLE, 4, 3), Nd4j.rand(DataType.DOUBLE, 4, 2));
        String single = assertThrows(IllegalArgumentException.class, () -> new ProbeRequest(bn1d, th,
                bn1d.initialBuffers(DataType.DOUBLE), b, null, MomentMethod.exact(), Mode.TRAIN, 1)).getMessage();
        assertTrue(single.startsWith("bn_batch: value 1 is not allowed in train mode: BatchNorm 'features.0.bn' would normalise a single"
                + " value per channel"), single);
    }
}
