package io.depthscope.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Json;
import io.depthscope.io.Npz;
import io.depthscope.nn.Batch;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.ParamLayout;
import io.depthscope.nn.Point;
import io.depthscope.nn.SpecJson;
import io.depthscope.nn.StateDict;
import io.depthscope.probe.DenseHessian;
import io.depthscope.probe.HessianMoments;
import io.depthscope.probe.Hutchinson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;

/** {@code depthscope probe} end to end on files written by our own writers, against the library called directly. */
class ProbeCommandTest {
    private static final NetworkSpec SPEC = new NetworkSpec("resmlp", 3, 5, 3, 2, "tanh", true, 0.8, "mse");

    @TempDir
    Path dir;

    private Network net;
    private INDArray theta;
    private Batch batch;
    private INDArray v;

    /** The inputs of one run, as files: tests change one thing and expect it named. */
    private final class Inputs {
        Map<String, Object> spec = new LinkedHashMap<>(SpecJson.toJson(SPEC));
        Map<String, INDArray> weights = StateDict.fromTheta(net, theta);
        Map<String, INDArray> data = new LinkedHashMap<>(Map.of("x", batch.x().dup(), "y", batch.targets().dup()));
        INDArray vector = v.dup();

        List<String> write(String... extra) {
            Path specFile = dir.resolve("spec.json");
            Json.writeAtomically(specFile, spec);
            Npz.write(dir.resolve("weights.npz"), weights);
            Npz.write(dir.resolve("data.npz"), data);
            Npz.writeNpy(dir.resolve("v.npy"), vector);
            List<String> args = new ArrayList<>(List.of("probe", "--spec", specFile.toString(),
                    "--weights", dir.resolve("weights.npz").toString(), "--data", dir.resolve("data.npz").toString(),
                    "--out", out().toString()));
            args.addAll(List.of(extra));
            return args;
        }
    }

    private Path out() {
        return dir.resolve("results").resolve("result.json");
    }

    @BeforeEach
    void setUp() {
        net = Network.of(SPEC);
        double[] t = new double[(int) net.paramCount()];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        for (int i = 0; i < t.length; i++) {
            t[i] = 0.6 * rng.nextGaussian();
        }
        theta = Nd4j.createFromArray(t);
        double[][] x = new double[8][3];
        double[][] y = new double[8][2];
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = rng.nextGaussian();
            }
            y[i][0] = rng.nextGaussian();
            y[i][1] = rng.nextGaussian();
        }
        batch = new Batch(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
        double[] d = new double[t.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextGaussian();
        }
        v = Nd4j.createFromArray(d);
    }

    private static Captured run(List<String> args) {
        return Captured.run(args.toArray(String[]::new));
    }

    private JsonNode result() {
        return Json.read(out(), "result");
    }

    private static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.get(i).doubleValue();
        }
        return d;
    }

    private static void close(double expected, double actual, double rel, String what) {
        assertTrue(Math.abs(expected - actual) <= rel * Math.max(Math.abs(expected), 1e-300),
                what + ": expected " + expected + " got " + actual);
    }

    @Test
    void exactProbeWithVectorMatchesTheLibrary() {
        Captured r = run(new Inputs().write("--vector", dir.resolve("v.npy").toString(), "--exact"));
        assertEquals(0, r.code(), r.err());
        JsonNode j = result();
        Point p = net.at(batch, theta);
        assertEquals(net.paramCount(), j.get("param_count").longValue());
        assertEquals(p.loss(), j.get("loss").doubleValue());
        assertEquals(p.gradientNorm(), j.get("gradient_norm").doubleValue());
        assertArrayEquals(p.layerGradientNorms(), doubles(j.get("layer_gradient_norms")));
        assertEquals(SPEC.depth() + 1, j.get("layer_gradient_norms").size());
        assertArrayEquals(p.hvp(v).toDoubleVector(), doubles(j.get("hvp")));
        HessianMoments m = HessianMoments.fromEigenvalues(DenseHessian.eigenvalues(p));
        JsonNode h = j.get("hessian_moments");
        assertEquals("exact", h.get("method").textValue());
        assertEquals(0, h.get("probes").intValue());
        assertArrayEquals(m.moments(), new double[] {h.get("m1").doubleValue(), h.get("m2").doubleValue(),
                h.get("m3").doubleValue(), h.get("m4").doubleValue()});
        assertEquals(m.skewness(), h.get("skewness").doubleValue());
        assertEquals(m.kurtosis(), h.get("kurtosis").doubleValue());
        assertEquals(0.0, h.get("stderr").get("m4").doubleValue());
        assertEquals(0.0, h.get("kurtosis_stderr").doubleValue());
        try (Stream<Path> left = Files.list(out().getParent())) {
            assertEquals(List.of(out()), left.toList(), "only the result, no temporary file");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void diagnosticsAgreeWithIndependentComputations() {
        Captured r = run(new Inputs().write("--exact", "--diagnostics"));
        assertEquals(0, r.code(), r.err());
        JsonNode res = result();
        // gradient confusion against per-example gradients from one-example batches (no Gram trick)
        int n = batch.size();
        List<INDArray> g = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            INDArray xi = batch.x().getRow(i).reshape(1, -1).dup();
            INDArray yi = batch.targets().getRow(i).reshape(1, -1).dup();
            g.add(net.at(new Batch(xi, yi), theta).gradient().dup());
        }
        double minInner = Double.POSITIVE_INFINITY;
        double minCos = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double d = g.get(i).mul(g.get(j)).sumNumber().doubleValue();
                minInner = Math.min(minInner, d);
                minCos = Math.min(minCos, d / (g.get(i).norm2Number().doubleValue() * g.get(j).norm2Number().doubleValue()));
            }
        }
        close(minInner, res.get("gradient_confusion").get("min_inner_product").doubleValue(), 1e-10, "min inner product");
        close(minCos, res.get("gradient_confusion").get("min_cosine").doubleValue(), 1e-10, "min cosine");
        // NTK and the representation Jacobian as the library computes them (their own tests check them against Jacobians)
        io.depthscope.diag.NtkGram k = io.depthscope.diag.NtkGram.at(net.at(batch, theta));
        close(k.lambdaMax(), res.get("ntk_gram").get("lambda_max").doubleValue(), 1e-12, "NTK lambda_max");
        close(k.lambdaMin(), res.get("ntk_gram").get("lambda_min").doubleValue(), 1e-9, "NTK lambda_min");
        List<io.depthscope.diag.JacobianSpectrum.Layer> jac = io.depthscope.diag.JacobianSpectrum.at(net.at(batch, theta), 0);
        assertArrayEquals(jac.get(jac.size() - 1).spectrum().singularValues(),
                doubles(res.get("representation_jacobian_singular_values")), 1e-12);
        // Lanczos outliers against the dense Hessian's eigenvalues (LAPACK)
        double[] eig = io.depthscope.probe.DenseHessian.eigenvalues(net.at(batch, theta));
        double[] largest = doubles(res.get("hessian_top_eigenvalues").get("largest"));
        close(eig[eig.length - 1], largest[0], 1e-8, "largest eigenvalue");
        close(eig[eig.length - 2], largest[1], 1e-8, "second eigenvalue");
        close(eig[0], doubles(res.get("hessian_top_eigenvalues").get("smallest"))[0], 1e-8, "most negative eigenvalue");
        // the SLQ density is a density
        double[] grid = doubles(res.get("hessian_density").get("grid"));
        double[] density = doubles(res.get("hessian_density").get("density"));
        assertEquals(1.0, io.depthscope.probe.SpectralDensity.integrate(grid, density), 1e-6);
        assertEquals(SPEC.depth(), res.get("jacobian_spectra").size());
        assertEquals(SPEC.depth(), res.get("representation_rank").size());
        assertEquals(SPEC.depth() + 1, res.get("layer_gradients").size());
    }

    @Test
    void hutchinsonProbeMatchesTheLibrary() {
        Captured r = run(new Inputs().write("--probes", "12", "--seed", "9"));
        assertEquals(0, r.code(), r.err());
        JsonNode h = result().get("hessian_moments");
        HessianMoments m = Hutchinson.estimate(net.at(batch, theta), 12, 9, Hutchinson.Distribution.RADEMACHER);
        assertEquals("hutchinson", h.get("method").textValue());
        assertEquals(12, h.get("probes").intValue());
        assertEquals(9, h.get("seed").longValue());
        assertEquals(m.m2(), h.get("m2").doubleValue());
        assertEquals(m.m3Stderr(), h.get("stderr").get("m3").doubleValue());
        assertEquals(m.skewnessStderr(), h.get("skewness_stderr").doubleValue());
        assertFalse(result().has("hvp"));
    }

    @Test
    void defaultIsExactForASmallNetworkAndFloat32IsHonoured() {
        Captured r = run(new Inputs().write("--dtype", "float32"));
        assertEquals(0, r.code(), r.err());
        JsonNode j = result();
        assertEquals("exact", j.get("hessian_moments").get("method").textValue());
        assertEquals("float32", j.get("dtype").textValue());
        close(net.at(batch, theta.castTo(DataType.FLOAT)).loss(), j.get("loss").doubleValue(), 1e-12, "float32 loss");
    }

    @Test
    void crossEntropyWithIntegerLabelsFromAFloat32StateDict() {
        NetworkSpec ce = new NetworkSpec("mlp", 3, 5, 2, 3, "relu", true, 1.0, "cross_entropy");
        Network cnet = Network.of(ce);
        INDArray ctheta = Nd4j.rand(DataType.DOUBLE, cnet.paramCount()).subi(0.5);
        Inputs in = new Inputs();
        in.spec = new LinkedHashMap<>(SpecJson.toJson(ce));
        in.weights = new LinkedHashMap<>();
        StateDict.fromTheta(cnet, ctheta).forEach((k, a) -> in.weights.put(k, a.castTo(DataType.FLOAT)));
        long[] labels = {0, 2, 1, 1, 0, 2, 2, 1};
        in.data = new LinkedHashMap<>(Map.of("x", batch.x(), "labels", Nd4j.createFromArray(labels)));
        Captured r = run(in.write("--exact"));
        assertEquals(0, r.code(), r.err());
        int[] ints = java.util.Arrays.stream(labels).mapToInt(l -> (int) l).toArray();
        Point p = cnet.at(new Batch(batch.x(), Batch.oneHot(ints, 3, DataType.DOUBLE)), ctheta.castTo(DataType.FLOAT).castTo(DataType.DOUBLE));
        assertEquals(p.loss(), result().get("loss").doubleValue());
    }

    static Stream<Arguments> badInputs() {
        List<Arguments> list = new ArrayList<>();
        add(list, "unknown activation", in -> in.spec.put("activation", "swish"), "activation: unknown value 'swish'");
        add(list, "width of the wrong type", in -> in.spec.put("width", "abc"), "width: value \"abc\"");
        add(list, "missing spec field", in -> in.spec.remove("depth"), "depth: missing");
        add(list, "unknown spec field", in -> in.spec.put("widht", 5), "unknown field(s) [widht]");
        add(list, "weight of the wrong shape", in -> in.weights.put("layers.1.weight", Nd4j.zeros(DataType.DOUBLE, 5, 3)),
                "'layers.1.weight': shape [5, 3] is not allowed; allowed: shape [5, 5]");
        add(list, "missing weight", in -> in.weights.remove("layers.3.bias"), "'layers.3.bias' is missing");
        add(list, "unknown weight key", in -> in.weights.put("layers.4.weight", Nd4j.zeros(DataType.DOUBLE, 2, 5)),
                "unknown key(s) [layers.4.weight]");
        add(list, "infinite weight", in -> in.weights.get("layers.0.weight").putScalar(new long[] {0, 1}, Double.NEGATIVE_INFINITY),
                "'layers.0.weight': value -Infinity at [0, 1]");
        add(list, "integer weights", in -> in.weights.put("layers.0.bias", Nd4j.zeros(DataType.LONG, 5)),
                "'layers.0.bias': dtype int64 is not allowed");
        add(list, "missing data key", in -> in.data.remove("y"), "data: key 'y' is missing");
        add(list, "unknown data key", in -> in.data.put("z", Nd4j.zeros(DataType.DOUBLE, 2)), "unknown key(s) [z]");
        add(list, "x with the wrong width", in -> in.data.put("x", Nd4j.zeros(DataType.DOUBLE, 8, 4)),
                "'x': shape [8, 4] is not allowed; allowed: [N >= 1, 3] (input_dim = 3)");
        add(list, "y with the wrong rows", in -> in.data.put("y", Nd4j.zeros(DataType.DOUBLE, 7, 2)),
                "'y': shape [7, 2] is not allowed; allowed: [8, 2]");
        add(list, "NaN in data", in -> in.data.get("x").putScalar(new long[] {3, 2}, Double.NaN), "'x': value NaN at [3, 2]");
        add(list, "labels for mse", in -> in.data.put("labels", Nd4j.zeros(DataType.LONG, 8)), "unknown key(s) [labels] for loss mse");
        add(list, "vector of the wrong length", in -> in.vector = Nd4j.zeros(DataType.DOUBLE, 3), "vector: shape [3]");
        return list.stream();
    }

    private static void add(List<Arguments> list, String name, Consumer<Inputs> change, String fragment) {
        list.add(Arguments.of(name, change, fragment));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputExitsTwoNamingItAndLeavesNoFile(String name, Consumer<Inputs> change, String fragment) {
        Inputs in = new Inputs();
        change.accept(in);
        expectBadInput(in.write("--vector", dir.resolve("v.npy").toString()), fragment);
    }

    static Stream<Arguments> badOptions() {
        return Stream.of(
                Arguments.of(List.of("--dtype", "float16"), "dtype: unknown value 'float16'; allowed: float64, float32"),
                Arguments.of(List.of("--exact", "--probes", "5"), "--exact: cannot be combined with --probes"),
                Arguments.of(List.of("--probes", "1"), "probes: value 1 is not allowed; allowed: >= 2"),
                Arguments.of(List.of("--mode", "eval"), "mode: value 'eval' is not allowed for arch resmlp, which has no BatchNorm"),
                Arguments.of(List.of("--mode", "train", "--bn-batch", "4"), "mode: value 'train' is not allowed for arch resmlp"),
                Arguments.of(List.of("--bn-batch", "4"), "bn_batch: value 4 is not allowed for arch resmlp, which has no BatchNorm"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOptions")
    void badOptionsExitTwo(List<String> options, String fragment) {
        expectBadInput(new Inputs().write(options.toArray(String[]::new)), fragment);
    }

    @Test
    void missingFileAndBrokenJsonAreBadInput() throws IOException {
        List<String> args = new Inputs().write();
        Files.delete(dir.resolve("weights.npz"));
        expectBadInput(args, "weights: file ");
        args = new Inputs().write();
        Files.writeString(dir.resolve("spec.json"), "{\"arch\": \"mlp\",");
        expectBadInput(args, "is not valid JSON");
    }

    @Test
    void aFailedRunLeavesAnEarlierResultAlone() throws IOException {
        Files.createDirectories(out().getParent());
        Files.writeString(out(), "earlier");
        Inputs in = new Inputs();
        in.spec.put("activation", "swish");
        assertEquals(Main.BAD_INPUT, run(in.write()).code());
        assertEquals("earlier", Files.readString(out()));
    }

    private void expectBadInput(List<String> args, String fragment) {
        Captured r = run(args);
        assertEquals(Main.BAD_INPUT, r.code(), r.err());
        List<String> lines = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).contains(fragment), "'" + fragment + "' not in: " + lines.get(0));
        assertFalse(Files.exists(out()), "no result file after bad input");
        if (Files.isDirectory(out().getParent())) {
            try (Stream<Path> left = Files.list(out().getParent())) {
                assertEquals(List.of(), left.toList(), "no temporary file after bad input");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** The command on a PyTorch fixture (tools/torch_reference.py), split into the files the command takes. */
    @Test
    void probeOfATorchFixtureMatchesPyTorch() throws IOException {
        Path fixtures = Path.of("..", "pipeline", "src", "test", "resources", "torch");
        String name = "resmlp_softplus_mse";
        NetworkSpec spec = SpecJson.read(fixtures.resolve(name + ".json"));
        Network tnet = Network.of(spec);
        Map<String, INDArray> all = Npz.read(fixtures.resolve(name + ".npz"), name);
        Map<String, INDArray> weights = new LinkedHashMap<>();
        all.forEach((k, a) -> {
            if (k.startsWith("layers.")) {
                weights.put(k, a);
            }
        });
        Npz.write(dir.resolve("w.npz"), weights);
        Npz.write(dir.resolve("d.npz"), Map.of("x", all.get("x"), "y", all.get("y")));
        Npz.writeNpy(dir.resolve("tv.npy"), all.get("v"));
        Files.copy(fixtures.resolve(name + ".json"), dir.resolve("s.json"));
        Captured r = run(List.of("probe", "--spec", dir.resolve("s.json").toString(), "--weights", dir.resolve("w.npz").toString(),
                "--data", dir.resolve("d.npz").toString(), "--vector", dir.resolve("tv.npy").toString(), "--exact",
                "--out", out().toString()));
        assertEquals(0, r.code(), r.err());
        JsonNode j = result();

        close(all.get("expected_loss").getDouble(0), j.get("loss").doubleValue(), 1e-10, "loss");
        INDArray g = all.get("expected_gradient");
        close(g.norm2Number().doubleValue(), j.get("gradient_norm").doubleValue(), 1e-10, "gradient norm");
        double[] layerNorms = doubles(j.get("layer_gradient_norms"));
        for (int i = 0; i <= spec.depth(); i++) {
            ParamLayout.Entry e = tnet.layout().entry("layers." + i + ".weight");
            close(tnet.layout().view(g, e).norm2Number().doubleValue(), layerNorms[i], 1e-10, "layer " + i + " gradient norm");
        }
        double[] hvp = doubles(j.get("hvp"));
        double[] hvpRef = all.get("expected_hvp").toDoubleVector();
        double num = 0;
        double den = 0;
        for (int i = 0; i < hvp.length; i++) {
            num += (hvp[i] - hvpRef[i]) * (hvp[i] - hvpRef[i]);
            den += hvpRef[i] * hvpRef[i];
        }
        assertTrue(Math.sqrt(num / den) <= 1e-10, "hvp relative error " + Math.sqrt(num / den));
        HessianMoments ref = HessianMoments.fromEigenvalues(all.get("expected_eigenvalues").toDoubleVector());
        JsonNode h = j.get("hessian_moments");
        close(ref.m1(), h.get("m1").doubleValue(), 1e-8, "m1");
        close(ref.m2(), h.get("m2").doubleValue(), 1e-8, "m2");
        close(ref.m3(), h.get("m3").doubleValue(), 1e-8, "m3");
        close(ref.m4(), h.get("m4").doubleValue(), 1e-8, "m4");
        close(ref.skewness(), h.get("skewness").doubleValue(), 1e-8, "skewness");
        close(ref.kurtosis(), h.get("kurtosis").doubleValue(), 1e-8, "kurtosis");
    }


    // ---- convolutional and BatchNorm presets: PyTorch's resnet8_a (tools/torch_cnn_reference.py) through the command ----

    private static final Path TORCH_CNN = Path.of("..", "pipeline", "src", "test", "resources", "torch-cnn");

    /**
     * The files of a probe of resnet8_a (He et al.'s ResNet-8 with filters 2, 4, 8, BatchNorm, option A, 1356 parameters):
     * the spec as a user writes it, the fixture's state_dict (parameters, running statistics, num_batches_tracked), x as
     * [N, C, H, W] with labels, and the fixture's direction. Tests change one thing and expect it named.
     */
    private final class Resnet {
        final Map<String, INDArray> npz = Npz.read(TORCH_CNN.resolve("resnet8_a.npz"), "resnet8_a");
        final JsonNode c = Json.read(TORCH_CNN.resolve("resnet8_a.json"), "resnet8_a");
        Map<String, Object> spec = new LinkedHashMap<>(Map.of("arch", "resnet", "width", 2, "depth", 8, "output_dim", 10,
                "activation", "relu", "loss", "cross_entropy", "input_shape", List.of(3, 8, 8), "batch_norm", true, "shortcut", "A"));
        Map<String, INDArray> weights = new LinkedHashMap<>();
        Map<String, INDArray> data = new LinkedHashMap<>();
        final Network net = Network.of(SpecJson.parse(Json.mapper().valueToTree(spec), "spec"));

        Resnet() {
            c.get("state_dict").forEach(k -> weights.put(k.textValue(), npz.get(k.textValue()).dup()));
            data.put("x", npz.get("x").dup());
            data.put("labels", npz.get("labels").dup());
        }

        /** The fixture's flat vector of {@code prefix + name} over the parameters, in state_dict (theta) order. */
        double[] flat(String prefix) {
            INDArray out = Nd4j.create(DataType.DOUBLE, net.paramCount());
            for (ParamLayout.Entry e : net.layout().entries()) {
                net.layout().view(out, e).assign(npz.get(prefix + e.name()));
            }
            return out.toDoubleVector();
        }

        List<String> write(String... extra) {
            Json.writeAtomically(dir.resolve("spec.json"), spec);
            Npz.write(dir.resolve("weights.npz"), weights);
            Npz.write(dir.resolve("data.npz"), data);
            Npz.writeNpy(dir.resolve("v.npy"), Nd4j.createFromArray(flat("v.")));
            List<String> args = new ArrayList<>(List.of("probe", "--spec", dir.resolve("spec.json").toString(),
                    "--weights", dir.resolve("weights.npz").toString(), "--data", dir.resolve("data.npz").toString(),
                    "--vector", dir.resolve("v.npy").toString(), "--out", out().toString()));
            args.addAll(List.of(extra));
            return args;
        }
    }

    private static double relativeError(double[] expected, double[] actual) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < expected.length; i++) {
            num += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            den += expected[i] * expected[i];
        }
        return Math.sqrt(num / den);
    }

    /** Eval mode (the default: running statistics) and train mode over groups of 4, against PyTorch's double backward. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"eval", "train"})
    void probeOfATorchResnetMatchesPyTorchInEachMode(String mode) {
        Resnet t = new Resnet();
        assertEquals(1356, t.net.paramCount());
        String[] options = mode.equals("eval") ? new String[] {"--probes", "2"} : new String[] {"--probes", "2", "--mode", "train", "--bn-batch", "4"};
        Captured r = run(t.write(options));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(" mode=" + mode), r.out());
        JsonNode j = result();
        assertEquals(List.of("param_count", "dtype", "examples", "mode", "bn_batch", "loss", "gradient_norm", "layer_gradient_norms",
                "layer_gradient_names", "hvp", "hessian_moments", "gradient_confusion", "ntk_gram", "representation_jacobian_singular_values",
                "not_available").stream().filter(k -> mode.equals("train") || !k.equals("bn_batch")).toList(), fieldNames(j));
        assertEquals(mode, j.get("mode").textValue());
        assertEquals(1356, j.get("param_count").longValue());
        assertEquals(8, j.get("examples").intValue());
        if (mode.equals("train")) {
            assertEquals(4, j.get("bn_batch").intValue());
        }

        close(t.npz.get("expected_loss_" + mode).getDouble(0), j.get("loss").doubleValue(), 1e-10, mode + " loss");
        double[] g = t.flat("expected_gradient_" + mode + ".");
        close(Nd4j.createFromArray(g).norm2Number().doubleValue(), j.get("gradient_norm").doubleValue(), 1e-10, mode + " gradient norm");
        assertTrue(relativeError(t.flat("expected_hvp_" + mode + "."), doubles(j.get("hvp"))) <= 1e-10, mode + " hvp");

        // every convolution and the linear map, by its weight's name, with the norm of PyTorch's gradient of that weight
        List<String> names = new ArrayList<>();
        j.get("layer_gradient_names").forEach(n -> names.add(n.textValue()));
        assertEquals(List.of("conv1.weight", "layer1.0.conv1.weight", "layer1.0.conv2.weight", "layer2.0.conv1.weight",
                "layer2.0.conv2.weight", "layer3.0.conv1.weight", "layer3.0.conv2.weight", "linear.weight"), names);
        double[] norms = doubles(j.get("layer_gradient_norms"));
        for (int i = 0; i < names.size(); i++) {
            close(t.npz.get("expected_gradient_" + mode + "." + names.get(i)).norm2Number().doubleValue(), norms[i], 1e-10, names.get(i));
        }
        for (String key : List.of("gradient_confusion", "ntk_gram")) {
            assertTrue(j.get(key).isNull(), key);
            assertTrue(j.get("not_available").get(key).textValue().length() > 20, key);
        }
        // dh_L/dx of the last block at the first example, with BatchNorm in eval mode in either probe mode
        INDArray theta = StateDict.toTheta(t.net, t.weights, DataType.DOUBLE, "weights");
        INDArray buffers = StateDict.toBuffers(t.net, t.weights, DataType.DOUBLE, "weights");
        Batch batch = new Batch(t.data.get("x").castTo(DataType.DOUBLE), Batch.oneHot(t.data.get("labels").toIntVector(), 10, DataType.DOUBLE));
        List<io.depthscope.diag.JacobianSpectrum.Layer> jac = io.depthscope.diag.JacobianSpectrum.at(t.net, theta, buffers, batch, 0);
        assertEquals(4, jac.size(), "the stem and three blocks");
        assertArrayEquals(jac.get(3).spectrum().singularValues(), doubles(j.get("representation_jacobian_singular_values")), 1e-12);
        assertEquals("hutchinson", j.get("hessian_moments").get("method").textValue());
    }

    private static List<String> fieldNames(JsonNode j) {
        List<String> names = new ArrayList<>();
        j.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The report of an mlp has exactly the keys it had before the convolutional presets (its values: the tests above). */
    @Test
    void anMlpReportKeepsItsKeys() {
        Captured r = run(new Inputs().write("--exact", "--diagnostics", "--vector", dir.resolve("v.npy").toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("param_count", "dtype", "examples", "loss", "gradient_norm", "layer_gradient_norms", "hvp", "hessian_moments",
                "gradient_confusion", "ntk_gram", "representation_jacobian_singular_values", "hessian_top_eigenvalues", "hessian_density",
                "jacobian_spectra", "representation_rank", "layer_gradients"), fieldNames(result()));
        assertFalse(r.out().contains("mode="), r.out());
    }

    static Stream<Arguments> badResnetInputs() {
        List<Arguments> list = new ArrayList<>();
        list.add(Arguments.of("spec without input_shape", (Consumer<Resnet>) t -> t.spec.remove("input_shape"), List.of(),
                "input_shape: missing; allowed: [C, H, W], three integers >= 1, required by arch resnet"));
        list.add(Arguments.of("spec with a depth that is not 6n + 2", (Consumer<Resnet>) t -> t.spec.put("depth", 10), List.of(),
                "depth: value 10 is not allowed with arch resnet; allowed: 6n + 2"));
        list.add(Arguments.of("spec without batch_norm", (Consumer<Resnet>) t -> t.spec.remove("batch_norm"), List.of(),
                "(the spec says \"batch_norm\": false, the default)"));
        list.add(Arguments.of("spec of two billion stages", (Consumer<Resnet>) t -> t.spec.put("depth", 6 * 357_913_940 + 2), List.of(),
                "input_dim, width, depth, output_dim: values 192, 2, 2147483642, 10 give"));
        list.add(Arguments.of("spec deeper than its state_dict", (Consumer<Resnet>) t -> {
            t.spec.put("depth", 6 * 1_000_000 + 2); // 406 million parameters at width 1: a valid spec, but not of this file
            t.spec.put("width", 1);
        }, List.of(), "holds 44 arrays, too few for arch resnet of depth 6000002 (6000002 weights of convolutions and linear maps)"));
        list.add(Arguments.of("state_dict without a running_var", (Consumer<Resnet>) t -> t.weights.remove("layer2.0.bn1.running_var"), List.of(),
                "weights: key 'layer2.0.bn1.running_var' is missing; allowed: an array of shape [4] (a network with BatchNorm needs its"
                        + " running statistics"));
        list.add(Arguments.of("state_dict with an unknown key", (Consumer<Resnet>) t -> t.weights.put("layer2.0.shortcut.0.weight",
                Nd4j.zeros(DataType.DOUBLE, 4, 2, 1, 1)), List.of(), "weights: unknown key(s) [layer2.0.shortcut.0.weight]"));
        list.add(Arguments.of("conv weight of the wrong shape", (Consumer<Resnet>) t -> t.weights.put("layer1.0.conv2.weight",
                Nd4j.zeros(DataType.DOUBLE, 2, 2, 1, 1)), List.of(),
                "'layer1.0.conv2.weight': shape [2, 2, 1, 1] is not allowed; allowed: shape [2, 2, 3, 3]"));
        list.add(Arguments.of("negative running variance", (Consumer<Resnet>) t -> t.weights.get("bn1.running_var").putScalar(1, -0.5),
                List.of(), "weights key 'bn1.running_var': value -0.5 at [1] is not allowed; allowed: >= 0 (a variance)"));
        list.add(Arguments.of("images of the wrong shape", (Consumer<Resnet>) t -> t.data.put("x", Nd4j.zeros(DataType.DOUBLE, 8, 8, 8, 3)),
                List.of(), "data key 'x': shape [8, 8, 8, 3] is not allowed; allowed: [N >= 1, 3, 8, 8] or [N >= 1, 192] (input_shape = [3, 8, 8])"));
        list.add(Arguments.of("a group that does not divide the batch", (Consumer<Resnet>) t -> { }, List.of("--mode", "train", "--bn-batch", "3"),
                "bn_batch: value 3 does not divide the batch of 8 examples; allowed: a divisor of 8 (1, 2, 4, 8)"));
        list.add(Arguments.of("a group of no examples", (Consumer<Resnet>) t -> { }, List.of("--mode", "train", "--bn-batch", "0"),
                "bn_batch: value 0 is not allowed; allowed: a divisor of 8 (1, 2, 4, 8)"));
        list.add(Arguments.of("a group in eval mode", (Consumer<Resnet>) t -> { }, List.of("--bn-batch", "4"),
                "bn_batch: value 4 is not allowed in eval mode"));
        list.add(Arguments.of("an unknown mode", (Consumer<Resnet>) t -> { }, List.of("--mode", "training"),
                "mode: unknown value 'training'; allowed: train, eval"));
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badResnetInputs")
    void badResnetInputExitsTwoNamingItAndLeavesNoFile(String name, Consumer<Resnet> change, List<String> options, String fragment) {
        Resnet t = new Resnet();
        change.accept(t);
        expectBadInput(t.write(options.toArray(String[]::new)), fragment);
    }
}
