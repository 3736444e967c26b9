package io.depthscope.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import io.depthscope.nn.archfixture.HighFixture;
import io.depthscope.util.archfixture.LowFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The floors of the design, checked on the compiled main classes of both modules: every import points
 * down, no package cycle, no package in both modules, and no Spark, Hadoop or Jupyter in {@code pipeline/}.
 * Each rule is also run against a small set of classes made to break it, so a rule that could never fail
 * (a typo in a package pattern) fails here instead of passing silently.
 */
class ArchitectureTest {
    /**
     * Lowest first. A package may use packages listed before it, never one after it. Within a design floor
     * ({@code probe}/{@code diag}; {@code nn}/{@code data}/{@code io}/{@code util}) the order is the one
     * the code has, which keeps the floor itself free of cycles.
     */
    static final List<String> FLOORS = List.of(
            "util", "io", "nn", "data",             // modules and networks; datasets and batches; npy/npz/JSON; seeds
            "diag", "probe",                        // per-layer and per-example diagnostics; estimators on operators
            "study", "train",                       // configs, RunSpec, plans; the run itself
            "bench",                                // the pipeline's benchmarks
            "jobs.spark", "jobs.storage", "jobs.tables", // Spark sessions; commits and checkpoints; Parquet tables
            "jobs.orchestration", "jobs.claims",    // studies on Spark; the papers' claims
            "jobs.cli");                            // the command line

    static final String ROOT = "io.depthscope.";

    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() throws Exception {
        // Only the two modules' main classes: their class directories, or (in verify) pipeline's jar. Importing the
        // package from the whole class path opened every one of Spark's jars and took a tenth of the jobs tests' CPU.
        // Classes they use from elsewhere stay unresolved stubs (archunit.properties), whose names are all the rules read.
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importLocations(List.of(location(io.depthscope.util.Names.class), location(io.depthscope.jobs.cli.Main.class)));
    }

    /** Where a class was loaded from: a class directory or a jar. */
    private static Location location(Class<?> c) throws Exception {
        Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        return p.toString().endsWith(".jar") ? Location.of(new JarFile(p.toFile())) : Location.of(p);
    }

    @Test
    void everyMainClassLivesOnAFloor() {
        ArchRule rule = classes().should().resideInAnyPackage(FLOORS.stream().map(f -> ROOT + f).toArray(String[]::new));
        rule.check(main);
        assertTrue(main.size() > 150, "the import found " + main.size() + " classes; expected both modules");
    }

    @Test
    void everyDependencyPointsDown() {
        List<String> upward = upwardDependencies(main);
        assertTrue(upward.isEmpty(), "dependencies pointing up:\n" + String.join("\n", upward));
    }

    @Test
    void noPackageCycles() {
        cycleRule().check(main);
    }

    @Test
    void pipelineUsesNoSparkHadoopOrJupyter() {
        pipelineRule().check(main);
    }

    @Test
    void noPackageLivesInBothModules() {
        Map<String, Set<String>> modulesByPackage = new TreeMap<>();
        for (JavaClass c : main) {
            String location = c.getSource().map(s -> s.getUri().toString()).orElse("");
            String module = location.contains("/jobs/target/") ? "jobs" : location.contains("/pipeline/target/") ? "pipeline" : location;
            modulesByPackage.computeIfAbsent(c.getPackageName(), p -> new TreeSet<>()).add(module);
        }
        modulesByPackage.forEach((pkg, modules) -> {
            assertEquals(1, modules.size(), pkg + " is in " + modules);
            assertEquals(pkg.startsWith(ROOT + "jobs"), modules.contains("jobs"), pkg + " is in " + modules);
        });
    }

    /** The README's layout table names every package of both modules, so a newcomer finds each one. */
    @Test
    void theReadmeListsEveryPackage() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Set<String> missing = new TreeSet<>();
        for (JavaClass c : main) {
            if (!readme.contains("`" + c.getPackageName() + "`")) {
                missing.add(c.getPackageName());
            }
        }
        assertTrue(missing.isEmpty(), "README.md's layout table lacks " + missing);
    }

    /** The rules find what they are meant to find, on two test classes made to break all three. */
    @Test
    void theRulesFailOnClassesMadeToBreakThem() {
        JavaClasses broken = new ClassFileImporter().importClasses(LowFixture.class, HighFixture.class);
        assertTrue(cycleRule().evaluate(broken).hasViolation(), "the cycle rule missed util.archfixture <-> nn.archfixture");
        assertFalse(upwardDependencies(broken).isEmpty(), "the floor rule missed util.archfixture -> nn.archfixture");
        assertTrue(pipelineRule().evaluate(broken).hasViolation(), "the pipeline rule missed a Spark import in nn");
    }

    static ArchRule cycleRule() {
        return slices().matching(ROOT + "(**)").should().beFreeOfCycles();
    }

    static ArchRule pipelineRule() {
        return noClasses().that().resideOutsideOfPackage(ROOT + "jobs..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "org.apache.hadoop..",
                        "org.apache.parquet..", "..jupyter..", "io.depthscope.jobs..")
                .because("pipeline/ is the numerical library: no Spark, Hadoop or Jupyter, and nothing of jobs/");
    }

    /** Every dependency from a floor to a higher floor, as "from -> to". */
    static List<String> upwardDependencies(JavaClasses classes) {
        List<String> out = new ArrayList<>();
        for (JavaClass c : classes) {
            int from = floor(c.getPackageName());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                int to = floor(d.getTargetClass().getPackageName());
                if (from >= 0 && to > from) {
                    out.add(d.getDescription());
                }
            }
        }
        return out;
    }

    /** The floor of a package of this project (its longest matching prefix), or -1 outside it. */
    static int floor(String pkg) {
        if (!pkg.startsWith(ROOT)) {
            return -1;
        }
        String rest = pkg.substring(ROOT.length());
        int best = -1;
        int bestLength = -1;
        for (int i = 0; i < FLOORS.size(); i++) {
            String f = FLOORS.get(i);
            if ((rest.equals(f) || rest.startsWith(f + ".")) && f.length() > bestLength) {
                best = i;
                bestLength = f.length();
            }
        }
        return best;
    }
}
