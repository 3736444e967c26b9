package io.depthscope.study;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Binds config values onto Java records by their components: a component {@code nTrain} is the config
 * key {@code n_train}, and its Java type decides how a HOCON value is read. Spec records stay plain
 * records with their own {@code validate()}, and adding a field to one needs no parsing code.
 */
final class RecordBinding {
    private RecordBinding() {}

    static String snake(String camel) {
        return io.depthscope.util.Names.snake(camel);
    }

    /** The config keys of a record type, snake_case, in component order. */
    static List<String> keys(Class<? extends Record> type) {
        List<String> keys = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            keys.add(snake(c.getName()));
        }
        return keys;
    }

    /**
     * A copy of {@code base} with the components named in {@code values} (snake_case keys) replaced.
     * {@code prefix} (e.g. "run.optimizer.") names fields in errors.
     */
    static <R extends Record> R with(R base, Map<String, ConfigValue> values, String prefix) {
        @SuppressWarnings("unchecked")
        Class<R> type = (Class<R>) base.getClass();
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        List<String> known = keys(type);
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(prefix + io.depthscope.util.Names.printable(key) + ": unknown field; allowed: " + known);
            }
        }
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            ConfigValue v = values.get(snake(c.getName()));
            args[i] = v == null ? get(c, base) : read(prefix + snake(c.getName()), v, c);
        }
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Components as (key, value), nested records flattened with {@code separator} ("." or "_"). */
    static Map<String, Object> flatten(Record r, String prefix, String separator) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v = get(c, r);
            String key = prefix + snake(c.getName());
            if (v instanceof Record nested) {
                out.putAll(flatten(nested, key + separator, separator));
            } else {
                out.put(key, v);
            }
        }
        return out;
    }

    private static Object get(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value as one line of JSON for an error message (the default rendering spreads lists over lines, with comments). */
    static String render(ConfigValue value) {
        return value.render(com.typesafe.config.ConfigRenderOptions.concise());
    }

    /** A HOCON value as the component's type; a mismatch names the field, the value and the type wanted. */
    static Object read(String field, ConfigValue value, RecordComponent c) {
        Class<?> t = c.getType();
        try {
            if (t == String.class) {
                if (value.valueType() == ConfigValueType.NULL) {
                    return null;
                }
                if (value.valueType() != ConfigValueType.STRING) {
                    throw new NumberFormatException();
                }
                String text = value.unwrapped().toString();
                if (io.depthscope.util.Names.hasControl(text)) { // validate() quotes names as they are: keep messages one line
                    throw new IllegalArgumentException(field + ": value " + render(value)
                            + " is not allowed; allowed: a string without control characters (newlines, tabs)");
                }
                return text;
            }
            if (t == int.class) {
                return Math.toIntExact(integral(value.unwrapped()));
            }
            if (t == long.class) {
                return integral(value.unwrapped());
            }
            if (t == double.class) {
                Object raw = value.unwrapped();
                return raw instanceof Number n ? n.doubleValue() : Double.parseDouble(raw.toString().trim());
            }
            if (t == boolean.class) {
                if (value.unwrapped() instanceof Boolean b) {
                    return b;
                }
                throw new NumberFormatException();
            }
            if (t == List.class && c.getGenericType() instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] == Integer.class) {
                if (value.valueType() != ConfigValueType.LIST) {
                    throw new NumberFormatException();
                }
                List<Integer> list = new ArrayList<>();
                for (ConfigValue e : (ConfigList) value) {
                    list.add(Math.toIntExact(integral(e.unwrapped())));
                }
                return List.copyOf(list);
            }
        } catch (NumberFormatException | ArithmeticException | NullPointerException e) {
            throw new IllegalArgumentException(field + ": value " + render(value) + " has the wrong type; allowed: " + describe(c));
        }
        throw new IllegalStateException("no binding for " + t + " (" + field + ")");
    }

    static String describe(RecordComponent c) {
        Class<?> t = c.getType();
        if (t == String.class) {
            return "a string";
        }
        if (t == int.class || t == long.class) {
            return "an integer";
        }
        if (t == double.class) {
            return "a number";
        }
        if (t == boolean.class) {
            return "true or false";
        }
        return "a list of integers";
    }

    private static long integral(Object raw) {
        if (raw instanceof Integer || raw instanceof Long) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9e15) {
            return d.longValue();
        }
        if (raw instanceof String s) {
            return Long.parseLong(s.trim());
        }
        throw new NumberFormatException();
    }
}
