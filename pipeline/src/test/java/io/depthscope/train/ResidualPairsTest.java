package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.ResidualComparisonAt;
import io.depthscope.probe.HessianResults;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.util.Provenance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;
import org.junit.jupiter.api.Test;

/**
 * Plain and residual runs paired as the papers pair them: the same seed and every other field equal, mlp with
 * resmlp and simple with resnet, never across the two families or seeds; the fractions of maps whose norms are
 * lower in the residual run are counted by hand (no delta fraction where the deltas are not recorded).
 */
class ResidualPairsTest {
    static final Provenance PROVENANCE = new Provenance("test", "cpu", "17", "Linux", "amd64");

    static RunOutcome outcome(RunSpec s, ToDoubleBiFunction<RunSpec, Integer> weightNorm) {
        List<LayerGradientsAt> rows = new ArrayList<>();
        for (int step : List.of(0, 5)) {
            for (int map = 0; map < 4; map++) {
                double w = weightNorm.applyAsDouble(s, map) * (step + 1);
                // the convolutional presets have no hidden-layer deltas
                double delta = s.arch().equals("mlp") || s.arch().equals("resmlp") ? 2 * w : Double.NaN;
                rows.add(new LayerGradientsAt(s.runId(), step, 8, map, w, 0.0, delta, delta / 2));
            }
        }
        RunRecord run = new RunRecord(s.runId(), "ok", null, 10, "test", 1, 1, 1, 1, 1, 1, -1, 5, -1, 1, PROVENANCE);
        return new RunOutcome(s, run, List.of(), new RunDiagnostics(rows, List.of(), List.of(), List.of(), List.of()), HessianResults.empty(),
                List.of());
    }

    @Test
    void eachPlainRunMeetsItsOwnResidualCounterpartAtEachStep() {
        List<RunSpec> fc = StudyConfig.parse("name = p\nrun { width = 4, depth = 3 }\ngrid { arch = [mlp, resmlp], seed = [0, 1] }").plan();
        List<RunSpec> conv = StudyConfig.parse("name = p\nrun { width = 2, depth = 8, activation = relu, "
                + "dataset { kind = fashion_mnist, layout = image } }\ngrid { arch = [simple, resnet, cnn], seed = [0, 1] }").plan();
        List<RunSpec> all = new ArrayList<>(fc);
        all.addAll(conv);
        // residual runs lower on maps below 1 + seed (mlp family) or below 3 (conv family); cnn runs would match anything
        Map<String, Double> plainNorm = Map.of("mlp", 10.0, "simple", 10.0, "cnn", 0.0);
        List<RunOutcome> outcomes = all.stream().map(s -> outcome(s, (spec, map) -> plainNorm.containsKey(spec.arch())
                ? plainNorm.get(spec.arch())
                : spec.arch().equals("resmlp") ? (map < 1 + spec.seed() ? 5.0 : 20.0) : (map < 3 ? 5.0 : 20.0))).toList();

        List<ResidualComparisonAt> rows = ResidualPairs.of(outcomes);
        assertEquals(2 * 2 * 2, rows.size(), "two families x two seeds x two steps");
        for (ResidualComparisonAt r : rows) {
            RunSpec plain = all.stream().filter(s -> s.runId().equals(r.plainRunId())).findFirst().orElseThrow();
            RunSpec residual = all.stream().filter(s -> s.runId().equals(r.residualRunId())).findFirst().orElseThrow();
            assertEquals(plain.seed(), residual.seed());
            assertEquals(Map.of("mlp", "resmlp", "simple", "resnet").get(plain.arch()), residual.arch());
            double lower = plain.arch().equals("mlp") ? (1 + plain.seed()) / 4.0 : 3 / 4.0;
            assertEquals(4, r.maps());
            assertEquals(lower, r.fractionWeightGradientLower(), 0.0);
            assertEquals(plain.arch().equals("mlp") ? lower : Double.NaN, r.fractionDeltaLower(), 0.0);
        }
    }
}
