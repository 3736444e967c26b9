package io.depthscope.study;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.depthscope.nn.Activations;
import io.depthscope.nn.Loss;
import io.depthscope.nn.NetworkSpec;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A study: a name, a base run and a grid of axes over run fields, read from HOCON and validated as a
 * whole before anything runs. Every error names the field, the value and what is allowed.
 *
 * <pre>
 * name = quickstart
 * run  { width = 64, activation = tanh, steps = 200 }
 * grid { arch = [mlp, resmlp], depth = [1, 2, 4, 8], seed = [0, 1, 2] }
 * </pre>
 */
public record StudyConfig(String name, Map<String, Object> base, Map<String, List<Object>> grid) {

    private enum Kind { STRING, INT, LONG, DOUBLE, BOOLEAN }

    private record Field(Kind kind, Predicate<Object> ok, String allowed) {}

    private static final Map<String, Field> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("arch", new Field(Kind.STRING, NetworkSpec.ARCHS::contains, "one of " + NetworkSpec.ARCHS));
        FIELDS.put("depth", new Field(Kind.INT, v -> (int) v >= 1, "an integer >= 1"));
        FIELDS.put("width", new Field(Kind.INT, v -> (int) v >= 1, "an integer >= 1"));
        FIELDS.put("activation", new Field(Kind.STRING, Activations.NAMES::contains, "one of " + Activations.NAMES));
        FIELDS.put("bias", new Field(Kind.BOOLEAN, v -> true, "true or false"));
        FIELDS.put("residual_scale", new Field(Kind.DOUBLE, v -> Double.isFinite((double) v), "a finite number"));
        FIELDS.put("loss", new Field(Kind.STRING, v -> "mse".equals(v), "mse (sphere data has +-1 regression targets)"));
        FIELDS.put("dataset", new Field(Kind.STRING, v -> "sphere".equals(v), "sphere"));
        FIELDS.put("examples", new Field(Kind.INT, v -> (int) v >= 2, "an integer >= 2"));
        FIELDS.put("input_dim", new Field(Kind.INT, v -> (int) v >= 1, "an integer >= 1"));
        FIELDS.put("data_seed", new Field(Kind.LONG, v -> true, "an integer"));
        FIELDS.put("init", new Field(Kind.STRING, v -> "gaussian".equals(v), "gaussian"));
        FIELDS.put("sigma2", new Field(Kind.DOUBLE, v -> (double) v > 0 && Double.isFinite((double) v), "a finite number > 0"));
        FIELDS.put("optimizer", new Field(Kind.STRING, v -> "gd".equals(v), "gd (full-batch gradient descent)"));
        FIELDS.put("lr", new Field(Kind.DOUBLE, v -> (double) v > 0 && Double.isFinite((double) v), "a finite number > 0"));
        FIELDS.put("steps", new Field(Kind.INT, v -> (int) v >= 0, "an integer >= 0"));
        FIELDS.put("eval_every", new Field(Kind.INT, v -> (int) v >= 1, "an integer >= 1"));
        FIELDS.put("divergence_factor", new Field(Kind.DOUBLE, v -> (double) v > 1, "a number > 1 (loss above this multiple of the initial loss is divergence)"));
        FIELDS.put("hessian_method", new Field(Kind.STRING, v -> Set.of("hutchinson", "exact", "none").contains(v), "hutchinson, exact or none"));
        FIELDS.put("hessian_probes", new Field(Kind.INT, v -> (int) v >= 2, "an integer >= 2"));
        FIELDS.put("probe_distribution", new Field(Kind.STRING, v -> Set.of("rademacher", "gaussian").contains(v), "rademacher or gaussian"));
        FIELDS.put("dtype", new Field(Kind.STRING, v -> Set.of("float64", "float32").contains(v), "float64 or float32"));
        FIELDS.put("seed", new Field(Kind.LONG, v -> true, "an integer"));
    }

    /** The run fields a config may set, in their canonical order. */
    public static Set<String> fieldNames() {
        return FIELDS.keySet();
    }

    public static StudyConfig load(File file) {
        if (!file.isFile()) {
            throw new IllegalArgumentException("config: file '" + file + "' does not exist; allowed: a readable HOCON file");
        }
        try {
            return parse(ConfigFactory.parseFile(file), file.getName());
        } catch (ConfigException.Parse e) {
            throw new IllegalArgumentException("config: " + file + " is not valid HOCON: " + e.getMessage(), e);
        }
    }

    public static StudyConfig parse(String hocon) {
        return parse(ConfigFactory.parseString(hocon), "<string>");
    }

    private static StudyConfig parse(Config root, String origin) {
        unknownKeys(root, "", Set.of("name", "run", "grid"));
        if (!root.hasPath("name")) {
            throw new IllegalArgumentException("name: missing; allowed: a study name of letters, digits, '-' and '_'");
        }
        String name = root.getValue("name").unwrapped().toString();
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("name: value '" + name + "' is not allowed; allowed: letters, digits, '-' and '_'");
        }
        Config defaults = ConfigFactory.parseResources(StudyConfig.class, "defaults.conf");
        Config run = root.hasPath("run") ? object(root, "run") : ConfigFactory.empty();
        unknownKeys(run, "run.", FIELDS.keySet());
        Config merged = run.withFallback(defaults);
        Map<String, Object> base = new LinkedHashMap<>();
        for (Map.Entry<String, Field> f : FIELDS.entrySet()) {
            base.put(f.getKey(), coerce("run." + f.getKey(), merged.getValue(f.getKey()), f.getValue()));
        }
        Map<String, List<Object>> grid = new LinkedHashMap<>();
        if (root.hasPath("grid")) {
            Config g = object(root, "grid");
            unknownKeys(g, "grid.", FIELDS.keySet());
            for (Map.Entry<String, Field> f : FIELDS.entrySet()) {
                if (!g.hasPath(f.getKey())) {
                    continue;
                }
                ConfigValue value = g.getValue(f.getKey());
                if (value.valueType() != ConfigValueType.LIST || ((ConfigList) value).isEmpty()) {
                    throw new IllegalArgumentException("grid." + f.getKey() + ": value " + value.render()
                            + " is not allowed; allowed: a non-empty list of " + f.getValue().allowed());
                }
                List<Object> values = new ArrayList<>();
                ConfigList list = (ConfigList) value;
                for (int i = 0; i < list.size(); i++) {
                    values.add(coerce("grid." + f.getKey() + "[" + i + "]", list.get(i), f.getValue()));
                }
                grid.put(f.getKey(), values);
            }
        }
        StudyConfig config = new StudyConfig(name, base, grid);
        config.plan(); // validates the combinations (e.g. each run's network) before anything runs
        return config;
    }

    private static Config object(Config root, String path) {
        if (root.getValue(path).valueType() != ConfigValueType.OBJECT) {
            throw new IllegalArgumentException(path + ": value " + root.getValue(path).render()
                    + " is not allowed; allowed: an object { field = value, ... }");
        }
        return root.getConfig(path);
    }

    private static void unknownKeys(Config c, String prefix, Set<String> allowed) {
        for (String key : c.root().keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(prefix + key + ": unknown field; allowed: " + new TreeSet<>(allowed));
            }
        }
    }

    private static Object coerce(String path, ConfigValue value, Field field) {
        Object raw = value.unwrapped();
        Object v;
        try {
            v = switch (field.kind()) {
                case STRING -> {
                    if (value.valueType() != ConfigValueType.STRING) {
                        throw new NumberFormatException();
                    }
                    yield raw.toString().toLowerCase(java.util.Locale.ROOT);
                }
                case INT -> Math.toIntExact(integral(raw));
                case LONG -> integral(raw);
                case DOUBLE -> raw instanceof Number num ? num.doubleValue() : Double.parseDouble(raw.toString());
                case BOOLEAN -> {
                    if (raw instanceof Boolean b) {
                        yield b;
                    }
                    throw new NumberFormatException();
                }
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(path + ": value " + value.render() + " has the wrong type; allowed: " + field.allowed());
        }
        if (!field.ok().test(v)) {
            throw new IllegalArgumentException(path + ": value " + value.render() + " is not allowed; allowed: " + field.allowed());
        }
        return v;
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

    /** The runs of this study: the cartesian product of the grid's axes over the base run, in field order. */
    public List<RunSpec> plan() {
        List<Map<String, Object>> runs = new ArrayList<>();
        runs.add(new LinkedHashMap<>(base));
        for (String field : FIELDS.keySet()) {
            List<Object> axis = grid.get(field);
            if (axis == null) {
                continue;
            }
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> r : runs) {
                for (Object value : axis) {
                    Map<String, Object> copy = new LinkedHashMap<>(r);
                    copy.put(field, value);
                    next.add(copy);
                }
            }
            runs = next;
        }
        List<RunSpec> specs = new ArrayList<>();
        Set<String> ids = new TreeSet<>();
        for (Map<String, Object> r : runs) {
            RunSpec spec = toSpec(r);
            try {
                spec.network().validate();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("run " + spec.canonical() + ": " + e.getMessage(), e);
            }
            if (!ids.add(spec.runId())) {
                throw new IllegalArgumentException("grid: the run " + spec.canonical() + " appears twice; allowed: distinct values on each axis");
            }
            specs.add(spec);
        }
        return specs;
    }

    private static RunSpec toSpec(Map<String, Object> r) {
        return new RunSpec(
                (String) r.get("arch"), (int) r.get("depth"), (int) r.get("width"), (String) r.get("activation"),
                (boolean) r.get("bias"), (double) r.get("residual_scale"), (String) r.get("loss"), (String) r.get("dataset"),
                (int) r.get("examples"), (int) r.get("input_dim"), (long) r.get("data_seed"), (String) r.get("init"), (double) r.get("sigma2"),
                (String) r.get("optimizer"), (double) r.get("lr"), (int) r.get("steps"), (int) r.get("eval_every"),
                (double) r.get("divergence_factor"), (String) r.get("hessian_method"), (int) r.get("hessian_probes"),
                (String) r.get("probe_distribution"), (String) r.get("dtype"), (long) r.get("seed"));
    }
}
