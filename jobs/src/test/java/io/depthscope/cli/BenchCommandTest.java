package io.depthscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command end to end on a tiny network: its JSON, and its answer to a bad dtype. */
class BenchCommandTest {
    @Test
    void writesOneJsonRecordPerDtype(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        int code = Main.execute("bench", "--width", "8", "--depth", "3", "--batch", "5", "--input-dim", "4",
                "--output-dim", "2", "--warmup", "1", "--repetitions", "3", "--json", json.toString());
        assertEquals(0, code);
        JsonNode results = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(2, results.size());
        assertEquals("float32", results.get(0).get("dtype").asText());
        assertEquals("float64", results.get(1).get("dtype").asText());
        for (JsonNode r : results) {
            // P = 4*8 + 2*8*8 + 8*2 weights + 3*8 + 2 biases
            assertEquals(4 * 8 + 2 * 8 * 8 + 8 * 2 + 3 * 8 + 2, r.get("param_count").asLong());
            // a gradient: forward + weight gradient per map, input gradient above the first (3L + 2);
            // an Hv: both R-pass terms of each, except the first map's (6L + 2)
            assertEquals(3 * 3 + 2, r.get("gemms_per_gradient").asInt());
            assertEquals(6 * 3 + 2, r.get("gemms_per_hvp").asInt());
            double grad = r.get("gradient_seconds").asDouble();
            double hv = r.get("hvp_seconds").asDouble();
            assertTrue(grad > 0 && hv > 0, "times are positive: " + r);
            assertEquals(hv / grad, r.get("ratio").asDouble(), 1e-4 * hv / grad);
        }
    }

    @Test
    void unknownDtypeIsBadInput() {
        assertEquals(Main.BAD_INPUT, Main.execute("bench", "--dtype", "float16", "--repetitions", "1"));
    }
}
