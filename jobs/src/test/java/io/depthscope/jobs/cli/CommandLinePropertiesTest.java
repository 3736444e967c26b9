package io.depthscope.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Json;
import io.depthscope.io.Mutation;
import io.depthscope.io.NpyImages;
import io.depthscope.io.Npz;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.nn.SpecJson;
import io.depthscope.nn.StateDict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bad input at the command line, generated: {@code probe} given corrupted spec, weights, data or vector files,
 * {@code plan} given corrupted study configs. Each ends with exit code 0 (a harmless mutation; then the output
 * exists) or 2 with exactly one line on stderr, no stack trace and no output file; never 1. No Spark starts.
 */
class CommandLinePropertiesTest {
    private static final NetworkSpec SPEC = new NetworkSpec("mlp", 3, 4, 1, 2, "tanh", true, 1.0, "mse");
    private static final List<String> INPUTS = List.of("spec.json", "weights.npz", "data.npz", "v.npy");
    private static final String CONF = """
            name = cli
            run { width = 4, steps = 3, dataset { n_train = 8, n_test = 8, input_dim = 3 }, optimizer { kind = gd, lr = 0.1 } }
            grid { depth = [1, 2] }
            """;
    private static Path valid;
    private static Path dir;

    @BeforeContainer
    static void validInputs() throws IOException {
        valid = Files.createTempDirectory("cli-valid");
        dir = Files.createTempDirectory("cli-properties");
        Network net = Network.of(SPEC);
        Random r = new Random(1);
        Json.writeAtomically(valid.resolve("spec.json"), SpecJson.toJson(SPEC));
        Npz.write(valid.resolve("weights.npz"), StateDict.fromTheta(net, Nd4j.createFromArray(r.doubles(net.layout().size(), -1, 1).toArray())));
        Npz.write(valid.resolve("data.npz"), Map.of("x", Nd4j.createFromArray(r.doubles(15, -1, 1).toArray()).reshape(5, 3),
                "y", Nd4j.createFromArray(r.doubles(10, -1, 1).toArray()).reshape(5, 2)));
        Npz.writeNpy(valid.resolve("v.npy"), Nd4j.createFromArray(r.doubles(net.layout().size(), -1, 1).toArray()));
        Files.writeString(valid.resolve("study.conf"), CONF);
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        for (Path d : List.of(valid, dir)) {
            try (var files = Files.walk(d)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The baseline: unmutated, both commands succeed, so a rejection below is the mutation's doing. */
    @Example
    void theValidInputsPass() throws IOException {
        Run probe = probe();
        assertEquals(0, probe.code, probe.err);
        assertTrue(Files.exists(out()));
        Run plan = run("plan", valid.resolve("study.conf").toString());
        assertEquals(0, plan.code, plan.err);
    }

    /** The known hole: a shape whose product overflows a long was an ArithmeticException, exit 1 and a stack trace. */
    @Example
    void aVectorWhoseShapeOverflowsALongIsABadInput() throws IOException {
        Files.write(dir.resolve("v.npy"), NpyImages.image(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", 8));
        Run r = probe();
        check(r, out());
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.startsWith("error: vector (" + dir.resolve("v.npy") + "): .npy shape [4611686018427387904, 4]"), r.err);
    }

    @Property(tries = 150, seed = Mutation.SEED)
    void probeWithACorruptedFileExitsZeroOrTwoWithOneLine(@ForAll("inputs") String input, @ForAll("mutations") Mutation[] mutations)
            throws IOException {
        Files.write(dir.resolve(input), Mutation.applyAll(Files.readAllBytes(valid.resolve(input)), mutations));
        check(probe(), out());
    }

    /** Spec fields set to extremes: a network too large to build must be refused by name, not run out of memory. */
    @Property(tries = 150, seed = Mutation.SEED)
    void probeWithAnEditedSpecExitsZeroOrTwoWithOneLine(@ForAll("specFields") String field, @ForAll("specValues") String value)
            throws IOException {
        String json = Files.readString(valid.resolve("spec.json"));
        Files.writeString(dir.resolve("spec.json"), json.replaceFirst("\"" + field + "\"\\s*:\\s*[^,\\n}]+", "\"" + field + "\": " + value));
        check(probe(), out());
    }

    @Property(tries = 200, seed = Mutation.SEED)
    void planWithACorruptedConfigExitsZeroOrTwoWithOneLine(@ForAll("confEdits") String edit, @ForAll("mutations") Mutation[] mutations)
            throws IOException {
        Path conf = dir.resolve("study.conf");
        Files.write(conf, Mutation.applyAll((CONF + edit + "\n").getBytes(StandardCharsets.UTF_8), mutations));
        check(run("plan", conf.toString()), null);
    }

    private static void check(Run r, Path out) {
        Statistics.label("exit code").collect(r.code);
        if (r.code == 0) {
            assertTrue(out == null || Files.exists(out), "an accepted input gives its output");
            return;
        }
        assertEquals(2, r.code, "bad input exits with 2, not " + r.code + ": " + r.err);
        List<String> lines = r.err.lines().toList();
        assertEquals(1, lines.size(), "exactly one line on stderr: " + r.err);
        assertTrue(lines.get(0).startsWith("error: "), r.err);
        assertFalse(r.err.contains("Exception") || r.err.contains("at io.depthscope"), "no stack trace: " + r.err);
        assertFalse(out != null && Files.exists(out), "no output file after bad input");
    }

    /** probe on the files of {@link #dir}, each the valid one unless a property wrote a corrupted copy. */
    private static Run probe() throws IOException {
        for (String input : INPUTS) {
            Files.deleteIfExists(out());
            if (!Files.exists(dir.resolve(input))) {
                Files.copy(valid.resolve(input), dir.resolve(input));
            }
        }
        Run r = run("probe", "--spec", dir.resolve("spec.json").toString(), "--weights", dir.resolve("weights.npz").toString(),
                "--data", dir.resolve("data.npz").toString(), "--vector", dir.resolve("v.npy").toString(), "--exact",
                "--out", out().toString());
        for (String input : INPUTS) { // the next try starts from the valid files again
            Files.delete(dir.resolve(input));
        }
        return r;
    }

    private static Path out() {
        return dir.resolve("result.json");
    }

    private record Run(int code, String err) {}

    /** Main in-process, stdout dropped (plan prints its table) and stderr kept. */
    private static synchronized Run run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @Provide
    Arbitrary<String> inputs() {
        return Arbitraries.of(INPUTS);
    }

    @Provide
    Arbitrary<Mutation[]> mutations() {
        return Mutation.some();
    }

    @Provide
    Arbitrary<String> specFields() {
        return Arbitraries.of(SpecJson.FIELDS);
    }

    @Provide
    Arbitrary<String> specValues() {
        return Arbitraries.of("0", "-1", "2", "5", "100000", "50000000", "2147483647", "2147483648", "1e308", "\"relu\"", "\"resmlp\"",
                "\"cross_entropy\"", "\"x\"", "null", "true", "[]");
    }

    /** Lines appended to the valid config: data that does not exist, wrong types, unknown fields and kinds. */
    @Provide
    Arbitrary<String> confEdits() {
        List<String> edits = new ArrayList<>(List.of("", "run.dataset.kind = npz", "run.dataset { kind = npz, path = /nonexistent.npz }",
                "run.dataset { kind = fashion_mnist, path = /nonexistent }", "run.dataset { kind = cifar10, path = \"hdfs://nn/cifar\" }",
                "run.width = abc", "run.width = -1", "run.depth = 2147483648", "run.optimizer.lr = NaN", "run.nope = 1", "grid.depth = []",
                "grid.depth = [1, 1]", "run.optimizer.kind = nope", "name = \"a b\"", "run { dataset = 3 }", "variants = [1]",
                "run.dataset.downsample = 2", "run.dataset.downsample = 0", "run.dataset.downsample = -2147483648",
                "run.dataset { kind = fashion_mnist, layout = image, downsample = 3 }",
                "run.dataset { kind = fashion_mnist, layout = image, downsample = 2, input_dim = 784 }",
                "run.dataset { kind = cifar10, path = /nonexistent, layout = image, downsample = 64 }"));
        return Arbitraries.of(edits);
    }
}
