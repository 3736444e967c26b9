package io.depthscope.train;

import io.depthscope.diag.LayerGradientsAt;
import io.depthscope.diag.ResidualComparisonAt;
import io.depthscope.nn.NetworkSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pairs each plain run of a study (mlp, simple) with the residual run (resmlp, resnet:
 * {@link NetworkSpec#RESIDUAL_OF}) that has every other field equal, seed included, and compares their layer gradients at every step both recorded: Ghorbani,
 * Krishnan &amp; Xiao (2019) found the residual one lower on about half the layers (49.4%), so residual
 * connections do not help by lifting vanishing gradients.
 */
public final class ResidualPairs {
    private ResidualPairs() {}

    public static List<ResidualComparisonAt> of(List<RunOutcome> outcomes) {
        Map<String, RunOutcome> plain = new LinkedHashMap<>();
        Map<String, RunOutcome> residual = new LinkedHashMap<>();
        for (RunOutcome o : outcomes) {
            if (o.diagnostics().layerGradients().isEmpty()) {
                continue;
            }
            String arch = o.spec().arch();
            boolean isPlain = NetworkSpec.RESIDUAL_OF.containsKey(arch);
            if (!isPlain && !NetworkSpec.RESIDUAL_OF.containsValue(arch)) {
                continue;
            }
            // the key names the pair's residual arch, so a plain run meets only its own counterpart
            Map<String, Object> fields = new LinkedHashMap<>(o.spec().fields());
            fields.put("arch", isPlain ? NetworkSpec.RESIDUAL_OF.get(arch) : arch);
            (isPlain ? plain : residual).put(fields.toString(), o);
        }
        List<ResidualComparisonAt> rows = new ArrayList<>();
        plain.forEach((key, p) -> {
            RunOutcome r = residual.get(key);
            if (r == null) {
                return;
            }
            Map<Integer, List<LayerGradientsAt>> ps = byStep(p.diagnostics().layerGradients());
            Map<Integer, List<LayerGradientsAt>> rs = byStep(r.diagnostics().layerGradients());
            ps.forEach((step, pl) -> {
                List<LayerGradientsAt> rl = rs.get(step);
                if (rl == null || rl.size() != pl.size()) {
                    return;
                }
                int weightLower = 0;
                int deltaLower = 0;
                boolean deltas = true;
                for (int i = 0; i < pl.size(); i++) {
                    weightLower += rl.get(i).weightGradientNorm() < pl.get(i).weightGradientNorm() ? 1 : 0;
                    deltaLower += rl.get(i).deltaNorm() < pl.get(i).deltaNorm() ? 1 : 0;
                    deltas &= !Double.isNaN(rl.get(i).deltaNorm()) && !Double.isNaN(pl.get(i).deltaNorm());
                }
                // the convolutional presets record no hidden-layer deltas (NaN): no fraction rather than a false 0
                rows.add(new ResidualComparisonAt(p.run().runId(), r.run().runId(), step, pl.size(), (double) weightLower / pl.size(),
                        deltas ? (double) deltaLower / pl.size() : Double.NaN));
            });
        });
        return rows;
    }

    private static Map<Integer, List<LayerGradientsAt>> byStep(List<LayerGradientsAt> rows) {
        Map<Integer, List<LayerGradientsAt>> out = new TreeMap<>();
        for (LayerGradientsAt g : rows) {
            out.computeIfAbsent(g.step(), k -> new ArrayList<>()).add(g);
        }
        out.values().forEach(l -> l.sort(java.util.Comparator.comparingInt(LayerGradientsAt::map)));
        return out;
    }
}
