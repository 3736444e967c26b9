package io.depthscope.diag;

/** One row of the representation_rank table: hidden layer {@code layer}'s response degeneracy at a step. */
public record RepresentationRankAt(String runId, int step, int examples, int layer, double effectiveRank,
        double smallSingularValueFraction, double deadUnitFraction) implements java.io.Serializable {

    public static RepresentationRankAt of(String runId, int step, int examples, RepresentationRank.Layer l) {
        return new RepresentationRankAt(runId, step, examples, l.layer(), l.effectiveRank(), l.smallSingularValueFraction(),
                l.deadUnitFraction());
    }
}
