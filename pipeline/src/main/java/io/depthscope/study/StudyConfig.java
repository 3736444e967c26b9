package io.depthscope.study;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.depthscope.data.DataPaths;
import io.depthscope.data.DatasetSpec;
import io.depthscope.diag.DiagnosticsSpec;
import io.depthscope.nn.InitSpec;
import io.depthscope.probe.HessianSpec;
import io.depthscope.util.Names;
import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A study: a name, a base run and a grid of axes over run fields, read from HOCON and validated as a
 * whole before anything runs. Every error names the field, the value and what is allowed.
 *
 * <pre>
 * name = quickstart
 * run  { width = 64, activation = tanh, steps = 200, optimizer { kind = gd, lr = 0.05 } }
 * grid { arch = [mlp, resmlp], depth = [1, 2, 4, 8], optimizer.lr = [0.1, 0.01], seed = [0, 1, 2] }
 * </pre>
 *
 * A {@code variants} list crosses the grid with runs that differ in several fields at once, which a
 * grid cannot pair (an activation with its initialisation, an init kind with its gain):
 *
 * <pre>
 * variants = [ { activation = relu, init.sigma2 = 2 }, { activation = tanh, init { kind = orthogonal } } ]
 * </pre>
 *
 * {@code fresh_data_per_seed = true} gives each run the data set drawn with its own seed ({@code dataset.seed}
 * = {@code seed}): the seed is then a replicate of the data as well as of the initialisation, so intervals
 * across seeds include the data's variability. A synthetic task keeps its teacher ({@code dataset.teacher_seed});
 * a real data set draws its subsample.
 *
 * <p>A run field is a component of {@link RunSpec} in snake_case, nested sections ({@code dataset},
 * {@code init}, {@code optimizer}, {@code hessian}, {@code diagnostics}) as HOCON objects. Sections with a {@code kind} take
 * that kind's defaults first (e.g. momentum 0.9 for {@code optimizer.kind = momentum}).
 */
public record StudyConfig(String name, Map<String, ConfigValue> base, List<Map<String, ConfigValue>> variants,
        Map<String, List<ConfigValue>> grid, boolean freshDataPerSeed, long matchedParams) {

    static final String FRESH_DATA = "fresh_data_per_seed";
    /**
     * A grid option, not a run field: {@code matched_params = P} picks each run's width so that its parameter count is as close to
     * P as an integer width allows (the smaller width on a tie), so that depth can be varied at a (nearly) fixed P.
     */
    static final String MATCHED_PARAMS = "matched_params";
    /** The widest width {@code matched_params} considers. */
    static final int MAX_MATCHED_WIDTH = 1 << 16;
    private static final String DATASET_SEED = "dataset.seed";

    /** A marker key (not a run field) that remembers a planned run's variant for error messages. */
    private static final String VARIANT = "#variant";

    private static final Map<String, String> SECTION_KIND_DEFAULT = Map.of(
            "dataset", "sphere", "init", "gaussian", "optimizer", "gd", "hessian", "", "diagnostics", "");

    /** The dotted keys a run accepts, in canonical order. */
    public static Set<String> fieldNames() {
        return RunSpec.defaults().fields().keySet();
    }

    public static StudyConfig load(File file) {
        if (!file.isFile()) {
            throw new IllegalArgumentException("config: file '" + file + "' does not exist; allowed: a readable HOCON file");
        }
        try {
            return parse(ConfigFactory.parseFile(file));
        } catch (ConfigException e) {
            throw invalid(file + " ", e);
        }
    }

    public static StudyConfig parse(String hocon) {
        try {
            return parse(ConfigFactory.parseString(hocon));
        } catch (ConfigException e) {
            throw invalid("", e);
        }
    }

    /**
     * Typesafe Config's own errors: a syntax error (Parse), but also text that parses and cannot be merged
     * ("Cannot concatenate object or list with a non-object-or-list", WrongType) or an unresolved
     * substitution. Their messages start with the line they concern.
     */
    private static IllegalArgumentException invalid(String file, ConfigException e) {
        return new IllegalArgumentException("config: " + file + "is not valid HOCON: " + Names.printable(e.getMessage())
                + "; allowed: a HOCON object with fields name, run, grid, variants", e);
    }

    private static StudyConfig parse(Config root) {
        for (String key : root.root().keySet()) {
            if (!Set.of("name", "run", "grid", "variants", FRESH_DATA).contains(key)) {
                throw new IllegalArgumentException(Names.printable(key) + ": unknown field; allowed: [" + FRESH_DATA + ", grid, name, run, variants]");
            }
        }
        if (!root.hasPath("name")) {
            throw new IllegalArgumentException("name: missing; allowed: a study name of letters, digits, '-' and '_'");
        }
        String name = root.getValue("name").unwrapped().toString();
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("name: value '" + Names.printable(name) + "' is not allowed; allowed: letters, digits, '-' and '_'");
        }
        Set<String> known = fieldNames();
        Map<String, ConfigValue> base = new TreeMap<>();
        if (root.hasPath("run")) {
            for (Map.Entry<String, ConfigValue> e : object(root, "run").entrySet()) {
                base.put(checkKnown("run.", e.getKey(), known), e.getValue());
            }
        }
        Map<String, List<ConfigValue>> grid = new LinkedHashMap<>();
        long matched = 0;
        if (root.hasPath("grid")) {
            Map<String, ConfigValue> axes = new TreeMap<>();
            for (Map.Entry<String, ConfigValue> e : object(root, "grid").entrySet()) {
                if (e.getKey().equals(MATCHED_PARAMS)) {
                    matched = matchedParams(e.getValue());
                    continue;
                }
                axes.put(checkKnown("grid.", e.getKey(), known), e.getValue());
            }
            for (String field : known) { // canonical order, so the plan's order does not depend on the file's
                ConfigValue value = axes.get(field);
                if (value == null) {
                    continue;
                }
                if (value.valueType() != ConfigValueType.LIST || ((ConfigList) value).isEmpty()) {
                    throw new IllegalArgumentException("grid." + field + ": value " + RecordBinding.render(value)
                            + " is not allowed; allowed: a non-empty list of values");
                }
                grid.put(field, new ArrayList<>((ConfigList) value));
            }
        }
        List<Map<String, ConfigValue>> variants = variants(root, known, grid.keySet());
        boolean fresh = false;
        if (root.hasPath(FRESH_DATA)) {
            ConfigValue v = root.getValue(FRESH_DATA);
            if (v.valueType() != ConfigValueType.BOOLEAN) {
                throw new IllegalArgumentException(FRESH_DATA + ": value " + RecordBinding.render(v) + " is not allowed; allowed: true or false");
            }
            fresh = (Boolean) v.unwrapped();
            if (fresh && (base.containsKey(DATASET_SEED) || grid.containsKey(DATASET_SEED) || variants.stream().anyMatch(m -> m.containsKey(DATASET_SEED)))) {
                throw new IllegalArgumentException(FRESH_DATA + ": value true is not allowed beside a value of " + DATASET_SEED + " (in run, grid "
                        + "or variants); allowed: false, or dataset.seed left to the run's seed");
            }
        }
        if (matched > 0 && (base.containsKey("width") || grid.containsKey("width") || variants.stream().anyMatch(m -> m.containsKey("width")))) {
            throw new IllegalArgumentException("grid." + MATCHED_PARAMS + ": value " + matched + " is not allowed beside a value of width (in run, "
                    + "grid or variants); allowed: width left to matched_params, which picks it");
        }
        StudyConfig config = new StudyConfig(name, base, variants, grid, fresh, matched);
        config.checkAxes();
        config.plan(); // validates every combination before anything runs
        return config;
    }

    /** Each variant's fields as dotted keys; a field may not be both a variant's and a grid axis. */
    private static List<Map<String, ConfigValue>> variants(Config root, Set<String> known, Set<String> axes) {
        List<Map<String, ConfigValue>> out = new ArrayList<>();
        if (!root.hasPath("variants")) {
            return out;
        }
        ConfigValue v = root.getValue("variants");
        if (v.valueType() != ConfigValueType.LIST || ((ConfigList) v).isEmpty()) {
            throw new IllegalArgumentException("variants: value " + RecordBinding.render(v) + " is not allowed; allowed: a non-empty list of objects"
                    + " { field = value, ... }");
        }
        ConfigList list = (ConfigList) v;
        for (int i = 0; i < list.size(); i++) {
            ConfigValue e = list.get(i);
            if (e.valueType() != ConfigValueType.OBJECT) {
                throw new IllegalArgumentException("variants[" + i + "]: value " + RecordBinding.render(e) + " is not allowed; allowed: an object"
                        + " { field = value, ... }");
            }
            Map<String, ConfigValue> fields = new TreeMap<>();
            for (Map.Entry<String, ConfigValue> f : ((com.typesafe.config.ConfigObject) e).toConfig().entrySet()) {
                String key = checkKnown("variants[" + i + "].", f.getKey(), known);
                if (axes.contains(key)) {
                    throw new IllegalArgumentException("variants[" + i + "]." + key + ": also a grid axis; allowed: a field set by the"
                            + " variants or by the grid, not both");
                }
                fields.put(key, f.getValue());
            }
            out.add(fields);
        }
        return out;
    }

    private static Config object(Config root, String path) {
        if (root.getValue(path).valueType() != ConfigValueType.OBJECT) {
            throw new IllegalArgumentException(path + ": value " + RecordBinding.render(root.getValue(path))
                    + " is not allowed; allowed: an object { field = value, ... }");
        }
        return root.getConfig(path);
    }

    private static String checkKnown(String prefix, String key, Set<String> known) {
        if (!known.contains(key)) {
            String section = key.contains(".") ? key.substring(0, key.indexOf('.') + 1) : "";
            Set<String> allowed = new TreeSet<>();
            for (String k : known) {
                if (k.startsWith(section) && (!section.isEmpty() || !k.contains("."))) {
                    allowed.add(k);
                }
            }
            if (allowed.isEmpty()) {
                allowed.addAll(known);
            }
            throw new IllegalArgumentException(prefix + Names.printable(key) + ": unknown field; allowed: " + allowed);
        }
        return key;
    }

    /**
     * Each grid value with the other axes at their first values (a point of the plan, not the base run alone, whose
     * defaults may not fit: batch_norm = true beside arch = [simple, resnet]), so a bad value is named by its place in
     * the grid.
     */
    private void checkAxes() {
        for (Map.Entry<String, List<ConfigValue>> axis : grid.entrySet()) {
            for (int i = 0; i < axis.getValue().size(); i++) {
                Map<String, ConfigValue> one = new TreeMap<>(base);
                if (!variants.isEmpty()) {
                    one.putAll(variants.get(0));
                }
                grid.forEach((key, values) -> one.put(key, values.get(0)));
                one.put(axis.getKey(), axis.getValue().get(i));
                try {
                    resolve(one);
                } catch (IllegalArgumentException e) {
                    String m = e.getMessage();
                    for (String key : grid.keySet()) {
                        String run = "run." + key;
                        if (m.startsWith(run + ":")) {
                            int at = key.equals(axis.getKey()) ? i : 0;
                            throw new IllegalArgumentException("grid." + key + "[" + at + "]" + m.substring(run.length()), e);
                        }
                    }
                    throw e;
                }
            }
        }
    }

    /**
     * The runs of this study: each variant (in its order) crossed with the cartesian product of the grid's
     * axes (in field order), over the base run.
     */
    public List<RunSpec> plan() {
        List<Map<String, ConfigValue>> runs = new ArrayList<>();
        if (variants.isEmpty()) {
            runs.add(new TreeMap<>(base));
        }
        for (int i = 0; i < variants.size(); i++) {
            Map<String, ConfigValue> r = new TreeMap<>(base);
            r.putAll(variants.get(i));
            r.put(VARIANT, ConfigValueFactory.fromAnyRef(i));
            runs.add(r);
        }
        for (Map.Entry<String, List<ConfigValue>> axis : grid.entrySet()) {
            List<Map<String, ConfigValue>> next = new ArrayList<>();
            for (Map<String, ConfigValue> r : runs) {
                for (ConfigValue value : axis.getValue()) {
                    Map<String, ConfigValue> copy = new TreeMap<>(r);
                    copy.put(axis.getKey(), value);
                    next.add(copy);
                }
            }
            runs = next;
        }
        List<RunSpec> specs = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Map<String, ConfigValue> r : runs) {
            RunSpec spec;
            try {
                Map<String, ConfigValue> fields = new TreeMap<>(r);
                fields.remove(VARIANT);
                if (freshDataPerSeed) {
                    fields.put(DATASET_SEED, fields.getOrDefault("seed", ConfigValueFactory.fromAnyRef(RunSpec.defaults().seed())));
                }
                spec = matchedParams > 0 ? matchWidth(fields) : resolve(fields);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + where(r), e);
            }
            if (!ids.add(spec.runId())) {
                throw new IllegalArgumentException("grid: the run " + where(r).trim() + " appears twice; allowed: distinct values on each axis");
            }
            specs.add(spec);
        }
        return specs;
    }

    /** The value of grid.matched_params: an integer >= 1. */
    private static long matchedParams(ConfigValue v) {
        Object x = v.unwrapped();
        if (v.valueType() != ConfigValueType.NUMBER || !(x instanceof Integer || x instanceof Long) || ((Number) x).longValue() < 1) {
            throw new IllegalArgumentException("grid." + MATCHED_PARAMS + ": value " + RecordBinding.render(v) + " is not allowed; allowed: an "
                    + "integer >= 1, the parameter count each depth's width is chosen to match");
        }
        return ((Number) x).longValue();
    }

    /**
     * The run of {@code fields} with the width whose parameter count is closest to {@link #matchedParams} (P grows with width, so
     * by bisection for the first width at or above it, then that or the one below). A target the narrowest network already exceeds,
     * or the widest cannot reach, is refused: the match would be far from it.
     */
    private RunSpec matchWidth(Map<String, ConfigValue> fields) {
        java.util.function.IntToLongFunction p = w -> {
            Map<String, ConfigValue> f = new TreeMap<>(fields);
            f.put("width", ConfigValueFactory.fromAnyRef(w));
            return resolve(f).paramCount();
        };
        long narrowest = p.applyAsLong(1);
        if (narrowest <= 0) {
            throw new IllegalArgumentException("grid." + MATCHED_PARAMS + ": value " + matchedParams + " is not allowed for a dataset whose "
                    + "sizes only its files tell; allowed: with dataset.input_dim and the outputs (output_dim or classes) given");
        }
        if (matchedParams < narrowest) {
            throw new IllegalArgumentException("grid." + MATCHED_PARAMS + ": value " + matchedParams + " is not allowed; allowed: >= "
                    + narrowest + ", the parameter count at width 1 for this depth and arch");
        }
        int hi = 1;
        while (p.applyAsLong(hi) < matchedParams) { // doubling, so no wider network than needed is ever built
            if (hi >= MAX_MATCHED_WIDTH) {
                throw new IllegalArgumentException("grid." + MATCHED_PARAMS + ": value " + matchedParams + " is not allowed; allowed: <= "
                        + p.applyAsLong(MAX_MATCHED_WIDTH) + ", the parameter count at width " + MAX_MATCHED_WIDTH + " for this depth and arch");
            }
            hi *= 2;
        }
        int lo = Math.max(1, hi / 2);
        while (lo < hi) { // the first width with P >= target
            int mid = (lo + hi) >>> 1;
            if (p.applyAsLong(mid) >= matchedParams) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        int best = lo > 1 && matchedParams - p.applyAsLong(lo - 1) <= p.applyAsLong(lo) - matchedParams ? lo - 1 : lo;
        Map<String, ConfigValue> f = new TreeMap<>(fields);
        f.put("width", ConfigValueFactory.fromAnyRef(best));
        return resolve(f);
    }

    /**
     * Checks that every file the planned runs' datasets read exists where their readers will look
     * ({@link DataPaths}), and that a downsample divides the size of the images in them, naming the field, the
     * value and what is allowed. Not part of parsing: a config is
     * valid anywhere, its data are there or not on the machine that runs it; plan and study call this before
     * anything starts.
     */
    public void checkDataPaths() {
        Set<DatasetSpec> seen = new HashSet<>();
        for (RunSpec r : plan()) {
            if (seen.add(r.dataset())) {
                DataPaths.check(r.dataset(), source("dataset.path", "dataset.test_path") + "dataset.");
                DataPaths.checkDownsample(r.dataset(), source("dataset.downsample") + "dataset.");
            }
        }
    }

    /** Where {@code fields} are set: "grid.", "variants." or "run.", for naming them in errors. */
    private String source(String... fields) {
        for (String f : fields) {
            if (grid.containsKey(f)) {
                return "grid.";
            }
            if (variants.stream().anyMatch(v -> v.containsKey(f))) {
                return "variants.";
            }
        }
        return "run.";
    }

    private String where(Map<String, ConfigValue> run) {
        if (grid.isEmpty() && variants.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (in the run with");
        if (run.containsKey(VARIANT)) {
            sb.append(" variants[").append(run.get(VARIANT).unwrapped()).append(']');
        }
        for (String axis : grid.keySet()) {
            sb.append(' ').append(axis).append('=').append(RecordBinding.render(run.get(axis)));
        }
        return sb.append(')').toString();
    }

    /** A validated RunSpec from dotted overrides: defaults, then each section's kind defaults, then the values. */
    static RunSpec resolve(Map<String, ConfigValue> overrides) {
        Map<String, Map<String, ConfigValue>> sections = new LinkedHashMap<>();
        Map<String, ConfigValue> top = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : overrides.entrySet()) {
            int dot = e.getKey().indexOf('.');
            if (dot < 0) {
                top.put(e.getKey(), e.getValue());
            } else {
                sections.computeIfAbsent(e.getKey().substring(0, dot), k -> new LinkedHashMap<>())
                        .put(e.getKey().substring(dot + 1), e.getValue());
            }
        }
        DatasetSpec dataset = RecordBinding.with(DatasetSpec.of(kind(sections, "dataset")), section(sections, "dataset"), "run.dataset.");
        InitSpec init = RecordBinding.with(InitSpec.of(kind(sections, "init")), section(sections, "init"), "run.init.");
        Map<String, ConfigValue> optimizerValues = section(sections, "optimizer");
        OptimizerSpec optimizerBase = OptimizerSpec.of(kind(sections, "optimizer"));
        if (optimizerValues.containsKey("curvature_lr") && !optimizerValues.containsKey("lr")) {
            // the default lr would contradict curvature_lr; an lr given beside it is refused by validate()
            optimizerBase = optimizerBase.withCurvatureLr(optimizerBase.curvatureLr());
        }
        OptimizerSpec optimizer = RecordBinding.with(optimizerBase, optimizerValues, "run.optimizer.");
        HessianSpec hessian = RecordBinding.with(HessianSpec.defaults(), section(sections, "hessian"), "run.hessian.");
        DiagnosticsSpec diagnostics = RecordBinding.with(DiagnosticsSpec.defaults(), section(sections, "diagnostics"), "run.diagnostics.");
        RunSpec d = RunSpec.defaults();
        RunSpec base = new RunSpec(d.arch(), d.depth(), d.width(), d.activation(), d.bias(), d.residualScale(), d.loss(), dataset,
                init, optimizer, d.steps(), d.evalEvery(), d.targetLoss(), d.divergenceFactor(), d.checkpoints(), hessian, diagnostics, d.dtype(),
                d.seed());
        return lowerCased(RecordBinding.with(base, top, "run.")).validate();
    }

    private static Map<String, ConfigValue> section(Map<String, Map<String, ConfigValue>> sections, String name) {
        return sections.getOrDefault(name, Map.of());
    }

    private static String kind(Map<String, Map<String, ConfigValue>> sections, String name) {
        ConfigValue v = section(sections, name).get("kind");
        if (v == null) {
            return SECTION_KIND_DEFAULT.get(name);
        }
        if (v.valueType() != ConfigValueType.STRING) {
            throw new IllegalArgumentException("run." + name + ".kind: value " + RecordBinding.render(v) + " has the wrong type; allowed: a string");
        }
        return v.unwrapped().toString();
    }

    /** Names are case-insensitive: TANH and tanh are the same run (and the same run id). */
    private static RunSpec lowerCased(RunSpec r) {
        return RecordBinding.with(r, Map.of(
                "arch", ConfigValueFactory.fromAnyRef(lower(r.arch())),
                "activation", ConfigValueFactory.fromAnyRef(lower(r.activation())),
                "loss", ConfigValueFactory.fromAnyRef(lower(r.loss())),
                "dtype", ConfigValueFactory.fromAnyRef(lower(r.dtype()))), "run.");
    }

    private static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }
}
