package io.depthscope.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.depthscope.io.BadInput;
import io.depthscope.io.Mutation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Generated bad study configs: fields (every run field, grid axes, variants, unknown ones) set to values of
 * wrong types, out of range or of unknown kinds, and broken HOCON text.
 */
class StudyConfigPropertiesTest {
    private static final String VALID = """
            name = generated
            run {
              arch = mlp, depth = 2, width = 8, activation = tanh, steps = 5
              dataset { kind = sphere, n_train = 16, n_test = 8, input_dim = 4 }
              optimizer { kind = gd, lr = 0.1 }
            }
            grid { depth = [1, 2], seed = [0, 1] }
            """;
    /** Where an error must start: the field it names, or "config:" for text that is not HOCON. */
    private static final Pattern NAMED = Pattern.compile("^(config|name|run|grid|variants)[A-Za-z0-9_.\\[\\]]*: .*|^[^:]+: unknown field; allowed: .*");

    /** Up to three fields edited: the plan is valid, or the error starts with the field it names. */
    @Property(tries = 400, seed = Mutation.SEED)
    void editedFieldsArePlannedOrRejectedNamingAField(@ForAll("edits") List<String> edits) {
        check(VALID + String.join("\n", edits) + "\n");
    }

    /** Edited fields, then broken text. */
    @Property(tries = 300, seed = Mutation.SEED)
    void brokenTextIsRejectedNamingAFieldOrTheConfig(@ForAll("edits") List<String> edits, @ForAll("mutations") Mutation[] mutations) {
        byte[] text = (VALID + String.join("\n", edits) + "\n").getBytes(StandardCharsets.UTF_8);
        check(new String(Mutation.applyAll(text, mutations), StandardCharsets.UTF_8));
    }

    private static void check(String hocon) {
        StudyConfig config = BadInput.acceptOrReject(() -> StudyConfig.parse(hocon), NAMED);
        if (config == null) {
            return;
        }
        List<RunSpec> plan = config.plan();
        assertFalse(plan.isEmpty(), "a study has runs");
        HashSet<String> ids = new HashSet<>();
        for (RunSpec r : plan) {
            assertEquals(r, r.validate());
            ids.add(r.runId());
        }
        assertEquals(plan.size(), ids.size(), "distinct runs");
    }

    /** Field assignments appended to the valid config; HOCON's later value wins, objects merge. */
    @Provide
    Arbitrary<List<String>> edits() {
        List<String> keys = new ArrayList<>();
        StudyConfig.fieldNames().forEach(k -> keys.add("run." + k));
        keys.addAll(List.of("name", "grid.depth", "grid.width", "grid.optimizer.lr", "grid.activation", "grid.seed", "grid.nope",
                "run.nope", "run.dataset.nope", "variants", "extra", "run", "grid"));
        Arbitrary<String> values = Arbitraries.of("1", "0", "-1", "2", "2147483648", "1e400", "0.5", "-0.5", "NaN", "\"Infinity\"",
                "true", "null", "[]", "[1, 2]", "[1, 1]", "[0.1, -1]", "[tanh, nope]", "{}", "{ kind = nope }", "[{ width = 4 }, { width = 0 }]",
                "tanh", "mlp", "resmlp", "\"x y\"", "\"\"", "/nonexistent/data.npz", "npz", "fashion_mnist", "cifar10", "sphere_labels",
                "teacher", "momentum", "adam", "orthogonal", "float32", "image", "[10, 5]", "[-3]", "\"12\"");
        return Arbitraries.of(keys).flatMap(k -> values.map(v -> k + " = " + v)).list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<Mutation[]> mutations() {
        return Mutation.some();
    }
}
