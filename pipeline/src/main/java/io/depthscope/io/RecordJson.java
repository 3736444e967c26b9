package io.depthscope.io;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.JsonNodeFactory;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Records as JSON trees and back, field for field: a record is an object of its components in
 * declaration order, a sealed interface of records an object whose first field {@code "kind"} names the
 * record (its simple name), a list or array a JSON array, an enum its name. Doubles are JSON numbers in
 * Java's shortest round-trip form, except the values JSON has no number for: {@code "NaN"},
 * {@code "Infinity"}, {@code "-Infinity"}, and a NaN with a non-canonical bit pattern as
 * {@code "NaN:0x<16 hex digits>"}; so every double comes back bit for bit.
 *
 * <p>Reading builds only the types that the declared type of the root reaches (a record's component
 * types, a sealed interface's permitted records): nothing in a file chooses a class, so a file from a
 * shared directory cannot make this code instantiate anything else. Reading is strict: a missing or
 * unknown field, or a value of the wrong kind, is an error naming its place ({@code value.run.status}).
 */
public final class RecordJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The field that names the record of a sealed interface. */
    public static final String KIND = "kind";

    private RecordJson() {}

    /** The tree of {@code value}, read back by {@link #decode} with the same declared type. */
    public static JsonNode encode(Object value, Type declared) {
        if (value == null) {
            return NODES.nullNode();
        }
        Class<?> raw = raw(declared);
        if (raw == double.class || raw == Double.class) {
            return encodeDouble((Double) value);
        }
        if (raw == int.class || raw == Integer.class) {
            return NODES.numberNode((Integer) value);
        }
        if (raw == long.class || raw == Long.class) {
            return NODES.numberNode((Long) value);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return NODES.booleanNode((Boolean) value);
        }
        if (raw == String.class) {
            return NODES.textNode((String) value);
        }
        if (raw.isEnum()) {
            return NODES.textNode(((Enum<?>) value).name());
        }
        if (raw.isArray()) {
            ArrayNode a = NODES.arrayNode();
            for (int i = 0; i < Array.getLength(value); i++) {
                a.add(encode(Array.get(value, i), raw.getComponentType()));
            }
            return a;
        }
        if (raw == List.class) {
            ArrayNode a = NODES.arrayNode();
            Type element = elementType(declared);
            for (Object x : (List<?>) value) {
                a.add(encode(x, element));
            }
            return a;
        }
        if (raw.isSealed()) {
            if (java.util.Arrays.stream(value.getClass().getRecordComponents()).anyMatch(c -> c.getName().equals(KIND))) {
                throw new IllegalArgumentException(value.getClass().getSimpleName() + " has a component named '" + KIND
                        + "', which names the record of " + raw.getSimpleName() + " in a file");
            }
            ObjectNode o = NODES.objectNode();
            o.put(KIND, permitted(raw, value.getClass().getSimpleName(), "?").getSimpleName());
            o.setAll((ObjectNode) encode(value, value.getClass()));
            return o;
        }
        if (raw.isRecord()) {
            ObjectNode o = NODES.objectNode();
            for (RecordComponent c : raw.getRecordComponents()) {
                try {
                    java.lang.reflect.Method accessor = c.getAccessor();
                    accessor.setAccessible(true); // records nested in package-private classes
                    o.set(c.getName(), encode(accessor.invoke(value), c.getGenericType()));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("cannot read " + raw.getSimpleName() + "." + c.getName(), e);
                }
            }
            return o;
        }
        throw new IllegalArgumentException("type " + declared.getTypeName() + " cannot be stored; allowed: records, sealed interfaces "
                + "of records, lists, arrays, enums, strings, numbers, booleans");
    }

    /** The value of type {@code declared} in {@code node}; {@code where} names the node in errors. */
    public static Object decode(JsonNode node, Type declared, String where) {
        Class<?> raw = raw(declared);
        if (node == null || node.isNull()) {
            if (raw.isPrimitive()) {
                throw bad(where, "null", "a " + raw.getSimpleName());
            }
            return null;
        }
        if (raw == double.class || raw == Double.class) {
            return decodeDouble(node, where);
        }
        if (raw == int.class || raw == Integer.class) {
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw bad(where, node.toString(), "an int");
            }
            return node.intValue();
        }
        if (raw == long.class || raw == Long.class) {
            if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                throw bad(where, node.toString(), "a long");
            }
            return node.longValue();
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (!node.isBoolean()) {
                throw bad(where, node.toString(), "true or false");
            }
            return node.booleanValue();
        }
        if (raw == String.class) {
            if (!node.isTextual()) {
                throw bad(where, node.toString(), "a string");
            }
            return node.textValue();
        }
        if (raw.isEnum()) {
            return decodeEnum(raw, node, where);
        }
        if (raw.isArray()) {
            requireArray(node, where);
            Object a = Array.newInstance(raw.getComponentType(), node.size());
            for (int i = 0; i < node.size(); i++) {
                Array.set(a, i, decode(node.get(i), raw.getComponentType(), where + "[" + i + "]"));
            }
            return a;
        }
        if (raw == List.class) {
            requireArray(node, where);
            List<Object> list = new ArrayList<>(node.size());
            Type element = elementType(declared);
            for (int i = 0; i < node.size(); i++) {
                list.add(decode(node.get(i), element, where + "[" + i + "]"));
            }
            return list;
        }
        if (raw.isSealed()) {
            requireObject(node, where);
            JsonNode kind = node.get(KIND);
            Class<?> record = permitted(raw, kind != null && kind.isTextual() ? kind.textValue() : String.valueOf(kind), where + "." + KIND);
            ObjectNode fields = ((ObjectNode) node).deepCopy();
            fields.remove(KIND);
            return decode(fields, record, where);
        }
        if (raw.isRecord()) {
            return decodeRecord(raw, node, where);
        }
        throw new IllegalArgumentException(where + ": type " + declared.getTypeName() + " cannot be read");
    }

    private static Object decodeRecord(Class<?> raw, JsonNode node, String where) {
        requireObject(node, where);
        RecordComponent[] components = raw.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            if (!node.has(c.getName())) {
                throw new IllegalArgumentException(where + ": field '" + c.getName() + "' is missing");
            }
            args[i] = decode(node.get(c.getName()), c.getGenericType(), where + "." + c.getName());
        }
        if (node.size() != components.length) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                String name = it.next().getKey();
                if (java.util.Arrays.stream(components).noneMatch(c -> c.getName().equals(name))) {
                    throw new IllegalArgumentException(where + ": field '" + name + "' is unknown to " + raw.getSimpleName());
                }
            }
        }
        try {
            Constructor<?> canonical = raw.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            // the record's own checks refused the values
            throw new IllegalArgumentException(where + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + raw.getSimpleName(), e);
        }
    }

    private static JsonNode encodeDouble(double x) {
        if (Double.isFinite(x)) {
            return NODES.numberNode(x);
        }
        if (Double.isNaN(x)) {
            long bits = Double.doubleToRawLongBits(x);
            return NODES.textNode(bits == Double.doubleToRawLongBits(Double.NaN) ? "NaN" : String.format("NaN:0x%016x", bits));
        }
        return NODES.textNode(x > 0 ? "Infinity" : "-Infinity");
    }

    private static double decodeDouble(JsonNode node, String where) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        String s = node.isTextual() ? node.textValue() : "";
        switch (s) {
            case "NaN":
                return Double.NaN;
            case "Infinity":
                return Double.POSITIVE_INFINITY;
            case "-Infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                if (s.matches("NaN:0x[0-9a-f]{16}")) {
                    double x = Double.longBitsToDouble(Long.parseUnsignedLong(s.substring(6), 16));
                    if (Double.isNaN(x)) {
                        return x;
                    }
                }
                throw bad(where, node.toString(), "a number, \"NaN\", \"Infinity\", \"-Infinity\" or \"NaN:0x<16 hex digits>\"");
        }
    }

    private static Object decodeEnum(Class<?> raw, JsonNode node, String where) {
        for (Object constant : raw.getEnumConstants()) {
            if (node.isTextual() && ((Enum<?>) constant).name().equals(node.textValue())) {
                return constant;
            }
        }
        throw bad(where, node.toString(), "one of " + java.util.Arrays.toString(raw.getEnumConstants()));
    }

    private static Class<?> permitted(Class<?> sealed, String name, String where) {
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            if (c.getSimpleName().equals(name) && c.isRecord()) {
                return c;
            }
        }
        List<String> names = java.util.Arrays.stream(sealed.getPermittedSubclasses()).map(Class::getSimpleName).toList();
        throw bad(where, "'" + name + "'", "one of " + names);
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalArgumentException("type " + t.getTypeName() + " cannot be stored");
    }

    private static Type elementType(Type list) {
        if (list instanceof ParameterizedType p) {
            return p.getActualTypeArguments()[0];
        }
        throw new IllegalArgumentException("a List without an element type cannot be stored: " + list.getTypeName());
    }

    private static void requireArray(JsonNode node, String where) {
        if (!node.isArray()) {
            throw bad(where, abbreviate(node), "an array");
        }
    }

    private static void requireObject(JsonNode node, String where) {
        if (!node.isObject()) {
            throw bad(where, abbreviate(node), "an object");
        }
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static IllegalArgumentException bad(String where, String value, String allowed) {
        return new IllegalArgumentException(where + ": value " + value + " is not allowed; allowed: " + allowed);
    }
}
