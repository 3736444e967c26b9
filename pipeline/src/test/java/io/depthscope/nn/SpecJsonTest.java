package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Json;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

class SpecJsonTest {
    private static final String GOOD = "{\"arch\": \"resmlp\", \"input_dim\": 4, \"width\": 8, \"depth\": 3, \"output_dim\": 2,"
            + " \"activation\": \"tanh\", \"bias\": false, \"residual_scale\": 0.5, \"loss\": \"mse\"}";

    private static ObjectNode good() throws Exception {
        return (ObjectNode) Json.mapper().readTree(GOOD);
    }

    @Test
    void parsesEveryField() throws Exception {
        assertEquals(new NetworkSpec("resmlp", 4, 8, 3, 2, "tanh", false, 0.5, "mse"), SpecJson.parse(good(), "spec"));
    }

    @Test
    void biasAndResidualScaleHaveDefaults() throws Exception {
        ObjectNode n = good();
        n.remove("bias");
        n.remove("residual_scale");
        NetworkSpec s = SpecJson.parse(n, "spec");
        assertTrue(s.bias());
        assertEquals(1.0, s.residualScale());
    }

    @Test
    void roundTripsThroughItsJsonForm() throws Exception {
        NetworkSpec s = SpecJson.parse(good(), "spec");
        JsonNode back = Json.mapper().valueToTree(SpecJson.toJson(s));
        assertEquals(s, SpecJson.parse(back, "spec"));
    }

    /** Each row: the field, its bad JSON value ("-" removes it), and a fragment the error must contain. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "width|\"abc\"|width: value \"abc\" (a string) is not allowed; allowed: an integer >= 1",
        "width|8.5|width: value 8.5",
        "depth|0|depth: value 0 is not allowed",
        "input_dim|-|input_dim: missing",
        "loss|-|loss: missing; allowed: one of [mse, cross_entropy]",
        "activation|\"swish\"|activation: unknown value 'swish'; allowed: relu, tanh",
        "arch|\"transformer\"|arch: unknown value 'transformer'; allowed: mlp, resmlp, mlp_bn, cnn, resnet, simple",
        "bias|\"yes\"|bias: value \"yes\" (a string) is not allowed; allowed: true or false",
        "residual_scale|\"big\"|residual_scale: value \"big\"",
        "activation|3|activation: value 3 (an integer) is not allowed",
        "residual_scal|0.5|unknown field(s) [residual_scal]; allowed: [arch,",
    })
    void badFieldsAreNamedWithValueAndAllowed(String field, String value, String fragment) throws Exception {
        ObjectNode n = good();
        if ("-".equals(value)) {
            n.remove(field);
        } else {
            n.set(field, Json.mapper().readTree(value));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpecJson.parse(n, "spec s.json"));
        assertTrue(e.getMessage().startsWith("spec s.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void aConvolutionalPresetWithoutInputShapeIsToldSo() throws Exception {
        ObjectNode n = (ObjectNode) Json.mapper().readTree("{\"arch\": \"resnet\", \"width\": 2, \"depth\": 8, \"output_dim\": 10,"
                + " \"activation\": \"relu\", \"loss\": \"cross_entropy\", \"batch_norm\": true, \"input_shape\": [3, 8, 8]}");
        assertEquals(List.of(3, 8, 8), SpecJson.parse(n, "spec").inputShape());
        n.remove("input_shape");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpecJson.parse(n, "spec s.json"));
        assertTrue(e.getMessage().startsWith("spec s.json: input_shape: missing; allowed: [C, H, W], three integers >= 1, required by"
                + " arch resnet"), e.getMessage());
        // an input_dim alone does not stand in for it
        n.put("input_dim", 192);
        e = assertThrows(IllegalArgumentException.class, () -> SpecJson.parse(n, "spec s.json"));
        assertTrue(e.getMessage().contains("input_shape: missing"), e.getMessage());
    }

    @Test
    void aNonObjectDocumentIsRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpecJson.parse(Json.mapper().readTree("[1, 2]"), "spec"));
        assertTrue(e.getMessage().contains("allowed: a JSON object"), e.getMessage());
    }
}
