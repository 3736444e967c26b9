package io.depthscope.probe;

import java.util.ArrayList;
import java.util.List;

/** Every Hessian row of a run: moments, raw probes, extreme eigenvalues and densities, at all its steps. */
public record HessianResults(List<HessianMomentsAt> moments, List<HessianProbeAt> probes, List<HessianEigenvalueAt> eigenvalues,
        List<HessianDensityAt> densities) implements java.io.Serializable {

    public HessianResults {
        moments = List.copyOf(moments);
        probes = List.copyOf(probes);
        eigenvalues = List.copyOf(eigenvalues);
        densities = List.copyOf(densities);
    }

    public static HessianResults empty() {
        return new HessianResults(List.of(), List.of(), List.of(), List.of());
    }

    /** This run's rows followed by {@code other}'s. */
    public HessianResults plus(HessianResults other) {
        return new HessianResults(concat(moments, other.moments), concat(probes, other.probes), concat(eigenvalues, other.eigenvalues),
                concat(densities, other.densities));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
