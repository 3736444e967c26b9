package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The closed-form parameter count and largest representation that bound a spec before any module is built. */
class NetworkSpecTest {

    @Test
    void theClosedFormCountIsTheModulesCountForEveryPreset() {
        int checked = 0;
        for (String arch : List.of("mlp", "resmlp", "mlp_bn", "cnn", "resnet", "simple")) {
            for (boolean bn : new boolean[] {false, true}) {
                for (boolean bias : new boolean[] {false, true}) {
                    for (String shortcut : List.of("A", "B")) {
                        for (int depth : List.of(1, 2, 3, 8, 14)) {
                            for (int width : List.of(1, 3)) {
                                NetworkSpec spec = spec(arch, bn, bias, shortcut, depth, width);
                                if (spec == null) {
                                    continue;
                                }
                                List<Module> modules = Presets.modules(spec);
                                assertEquals((double) new ParamLayout(modules).size(), spec.approximateParamCount(), spec.toString());
                                long largest = modules.stream().filter(Module::endsLayer).mapToLong(m -> Module.size(m.outputShape()))
                                        .max().orElseThrow();
                                assertEquals((double) largest, spec.largestHiddenSize(), spec.toString());
                                checked++;
                            }
                        }
                    }
                }
            }
        }
        assertTrue(checked > 100, "specs checked: " + checked);
    }

    /** The spec, or null when the combination is not a valid one (resnet needs 6n + 2; only convolutional presets take bn). */
    private static NetworkSpec spec(String arch, boolean bn, boolean bias, String shortcut, int depth, int width) {
        boolean conv = NetworkSpec.CONVOLUTIONAL.contains(arch);
        boolean resnet = List.of("resnet", "simple").contains(arch);
        if ((resnet && (depth - 2) % 6 != 0) || (resnet && depth < 8) || (bn && !conv) || (!"A".equals(shortcut) && !"resnet".equals(arch))) {
            return null;
        }
        String act = resnet ? "relu" : "tanh";
        NetworkSpec s = new NetworkSpec(arch, 7, width, depth, 3, act, bias, 1.0, "mse", List.of(), bn, shortcut);
        return conv ? s.withInputShape(List.of(2, 5, 6)).validate() : s.validate();
    }

    @Test
    void aSpecOfBillionsOfStagesIsRefusedBeforeAnyModuleIsBuilt() {
        for (String arch : List.of("cnn", "mlp_bn")) {
            NetworkSpec s = new NetworkSpec(arch, 4, 3, Integer.MAX_VALUE, 2, "relu", true, 1.0, "mse", List.of(), false, "A");
            NetworkSpec huge = "cnn".equals(arch) ? s.withInputShape(List.of(1, 2, 2)) : s;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, huge::validate);
            assertTrue(e.getMessage().contains("parameters; allowed: at most " + NetworkSpec.MAX_PARAMS), e.getMessage());
        }
        NetworkSpec resnet = new NetworkSpec("resnet", 0, 1, 6 * 300_000_000 + 2, 2, "relu", true, 1.0, "mse", List.of(), true, "B")
                .withInputShape(List.of(1, 4, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, resnet::validate);
        assertTrue(e.getMessage().contains("parameters; allowed: at most"), e.getMessage());
    }
}
