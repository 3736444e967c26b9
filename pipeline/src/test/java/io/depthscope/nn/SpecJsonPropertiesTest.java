package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.io.BadInput;
import io.depthscope.io.Mutation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Generated bad spec JSON (the probe's {@code --spec}): fields set to wrong types and values, dropped or added, and broken text. */
class SpecJsonPropertiesTest {
    private static final NetworkSpec VALID = new NetworkSpec("resmlp", 3, 4, 2, 2, "tanh", true, 0.5, "mse");
    private static Path file;

    @BeforeContainer
    static void tempFile() throws IOException {
        file = Files.createTempFile("spec", ".json");
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        Files.deleteIfExists(file);
    }

    /** One field edited: the spec is valid, or the error names that field (or, for a new one, says it is unknown). */
    @Property(tries = 800, seed = Mutation.SEED)
    void editedFieldsAreAcceptedValidOrRejectedNamingTheField(@ForAll("fields") String field, @ForAll("values") String value)
            throws IOException {
        Files.writeString(file, json(edit(field, value)));
        // the field (alone or among the fields a check spans), or that it is unknown, or (for a value that is no JSON, such as NaN) that the file is not JSON
        java.util.regex.Pattern named = java.util.regex.Pattern.compile("spec:? " + java.util.regex.Pattern.quote(file.toString())
                + ":? (([a-z_]+, )*" + java.util.regex.Pattern.quote(field) + "(, [a-z_]+)*: |unknown field|is not valid JSON).*");
        NetworkSpec s = BadInput.acceptOrReject(() -> SpecJson.read(file), named);
        if (s != null) {
            assertEquals(s, s.validate());
        }
    }

    /** Edited fields, then broken text: truncated, flipped, with bytes inserted or deleted. */
    @Property(tries = 600, seed = Mutation.SEED)
    void brokenTextIsRejectedNamingTheFile(@ForAll("fields") String field, @ForAll("values") String value,
            @ForAll("mutations") Mutation[] mutations) throws IOException {
        Files.write(file, Mutation.applyAll(json(edit(field, value)).getBytes(StandardCharsets.UTF_8), mutations));
        NetworkSpec s = BadInput.acceptOrReject(() -> SpecJson.read(file), "spec", file.toString());
        if (s != null) {
            assertEquals(s, s.validate());
        }
    }

    /** The valid spec's fields as JSON texts, with {@code field} set to the JSON text {@code value} (or removed, for "-"). */
    private static Map<String, String> edit(String field, String value) {
        Map<String, String> fields = new LinkedHashMap<>();
        SpecJson.toJson(VALID).forEach((k, v) -> fields.put(k, v instanceof String t ? "\"" + t + "\"" : String.valueOf(v)));
        if ("-".equals(value)) {
            fields.remove(field);
        } else {
            fields.put(field, value);
        }
        return fields;
    }

    private static String json(Map<String, String> fields) {
        List<String> members = new ArrayList<>();
        fields.forEach((k, v) -> members.add("\"" + k + "\": " + v));
        return "{" + String.join(", ", members) + "}\n";
    }

    @Provide
    Arbitrary<String> fields() {
        List<String> names = new ArrayList<>(SpecJson.FIELDS);
        names.addAll(List.of("residual_scal", "Width", ""));
        return Arbitraries.of(names);
    }

    /** JSON texts of every type, in and out of range; "-" removes the field. */
    @Provide
    Arbitrary<String> values() {
        return Arbitraries.of("-", "1", "3", "0", "-1", "8.5", "2147483647", "2147483648", "9223372036854775808", "1e400", "-1e400", "1e-400",
                "null", "true", "false", "[]", "[3]", "{}", "\"8\"", "\"\"", "\"mlp\"", "\"resmlp\"", "\"relu\"", "\"TANH\"", "\"mse\"",
                "\"cross_entropy\"", "\"a\\nb\"", "\"\\u0000\"", "NaN", "Infinity", "0x10", "01", "1.0");
    }

    @Provide
    Arbitrary<Mutation[]> mutations() {
        return Mutation.some();
    }
}
