package io.depthscope.nn;

import io.depthscope.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * A network spec as JSON: {"arch", "input_dim", "width", "depth", "output_dim", "activation", "bias",
 * "residual_scale", "loss"}, and for the convolutional presets "input_shape" [C, H, W], "batch_norm" and
 * "shortcut". Types are strict ("width": "8" or 8.5 is an error, not a guess) and unknown fields are errors, so
 * a misspelt "residual_scal" cannot silently fall back to its default.
 * Optional: {@code bias} (default true, as in nn.Linear), {@code residual_scale} (default 1.0; used by resmlp
 * and resnet), {@code input_shape} (required by cnn, resnet and simple; input_dim may then be left out),
 * {@code batch_norm} (default false) and {@code shortcut} (default "A").
 */
public final class SpecJson {
    public static final List<String> FIELDS = List.of(
            "arch", "input_dim", "width", "depth", "output_dim", "activation", "bias", "residual_scale", "loss", "input_shape",
            "batch_norm", "shortcut");

    private SpecJson() {}

    public static NetworkSpec read(Path path) {
        return parse(Json.read(path, "spec"), "spec " + path);
    }

    /** The spec in {@code node}; errors start with {@code what} and name the field, the value and what is allowed. */
    public static NetworkSpec parse(JsonNode node, String what) {
        try {
            return parse(node);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    private static NetworkSpec parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the document is " + describe(node) + "; allowed: a JSON object with fields " + FIELDS);
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                unknown.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown field(s) " + unknown.stream().map(io.depthscope.util.Names::printable).toList()
                    + "; allowed: " + FIELDS);
        }
        JsonNode arch = node.get("arch");
        if (arch != null && arch.isTextual() && NetworkSpec.CONVOLUTIONAL.contains(arch.textValue().toLowerCase(java.util.Locale.ROOT))
                && !node.has("input_shape")) {
            // before input_dim, which input_shape replaces for these presets: "input_dim: missing" would send the user the wrong way
            throw new IllegalArgumentException("input_shape: missing; allowed: [C, H, W], three integers >= 1, required by arch "
                    + arch.textValue() + " (fashion_mnist gives [1, 28, 28], cifar10 [3, 32, 32])");
        }
        List<Integer> shape = node.has("input_shape") ? shape(node.get("input_shape")) : List.of();
        int inputDim = !shape.isEmpty() && !node.has("input_dim") ? shape.stream().reduce(1, Math::multiplyExact) : integer(node, "input_dim");
        return new NetworkSpec(
                string(node, "arch", NetworkSpec.ARCHS.toString()),
                inputDim,
                integer(node, "width"),
                integer(node, "depth"),
                integer(node, "output_dim"),
                string(node, "activation", io.depthscope.nn.Activations.NAMES.toString()),
                node.has("bias") ? bool(node, "bias") : true,
                node.has("residual_scale") ? number(node, "residual_scale") : 1.0,
                string(node, "loss", io.depthscope.nn.Loss.NAMES.toString()),
                shape,
                node.has("batch_norm") ? bool(node, "batch_norm") : false,
                node.has("shortcut") ? string(node, "shortcut", NetworkSpec.SHORTCUTS.toString()) : "A").validate();
    }

    private static List<Integer> shape(JsonNode v) {
        String allowed = "an array of three integers >= 1, [C, H, W]";
        if (!v.isArray() || v.size() != 3) {
            throw new IllegalArgumentException("input_shape: value " + describe(v) + " is not allowed; allowed: " + allowed);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode d : v) {
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 1) {
                throw new IllegalArgumentException("input_shape: value " + describe(v) + " is not allowed; allowed: " + allowed);
            }
            out.add(d.intValue());
        }
        return out;
    }

    /** The JSON form of a spec, as {@link #parse} reads it. */
    public static Map<String, Object> toJson(NetworkSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", spec.arch());
        m.put("input_dim", spec.inputDim());
        m.put("width", spec.width());
        m.put("depth", spec.depth());
        m.put("output_dim", spec.outputDim());
        m.put("activation", spec.activation());
        m.put("bias", spec.bias());
        m.put("residual_scale", spec.residualScale());
        m.put("loss", spec.loss());
        if (!spec.inputShape().isEmpty()) {
            m.put("input_shape", spec.inputShape());
        }
        if (spec.batchNorm()) {
            m.put("batch_norm", true);
        }
        if (List.of("resnet").contains(spec.arch())) {
            m.put("shortcut", spec.shortcut());
        }
        return m;
    }

    private static JsonNode required(JsonNode node, String field, String allowed) {
        JsonNode v = node.get(field);
        if (v == null) {
            throw new IllegalArgumentException(field + ": missing; allowed: " + allowed);
        }
        return v;
    }

    private static String string(JsonNode node, String field, String allowed) {
        JsonNode v = required(node, field, "one of " + allowed);
        // a control character can be in no allowed name, and validate() quotes names as they are: refuse it here, JSON-escaped
        if (!v.isTextual() || io.depthscope.util.Names.hasControl(v.textValue())) {
            throw new IllegalArgumentException(field + ": value " + describe(v) + " is not allowed; allowed: one of " + allowed);
        }
        return v.textValue();
    }

    private static int integer(JsonNode node, String field) {
        JsonNode v = required(node, field, "an integer >= 1");
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(field + ": value " + describe(v) + " is not allowed; allowed: an integer >= 1");
        }
        return v.intValue();
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(field + ": value " + describe(v) + " is not allowed; allowed: true or false");
        }
        return v.booleanValue();
    }

    private static double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (!v.isNumber()) {
            throw new IllegalArgumentException(field + ": value " + describe(v) + " is not allowed; allowed: a finite number");
        }
        return v.doubleValue();
    }

    private static String describe(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "(nothing)";
        }
        String kind = v.isTextual() ? "a string" : v.isBoolean() ? "a boolean" : v.isNull() ? "null"
                : v.isIntegralNumber() ? "an integer" : v.isNumber() ? "a number" : v.isArray() ? "an array" : "an object";
        return v + " (" + kind + ")";
    }
}
