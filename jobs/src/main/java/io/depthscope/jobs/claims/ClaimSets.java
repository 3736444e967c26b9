package io.depthscope.jobs.claims;

import java.util.List;
import java.util.stream.Collectors;

/** Which claims a study dir's runs are tested against, found by the runs table's {@code study} column. */
public final class ClaimSets {
    /** Every claim set, first match wins: add a study's set here. */
    public static final List<ClaimSet> ALL = List.of(new QuickstartClaims(), new Du2018Claims(), new VanishingClaims(),
            new Orhan2017Claims(), new GhorbaniClaims(), new De2020Claims());

    private ClaimSets() {}

    public static ClaimSet forStudy(String study) {
        for (ClaimSet set : ALL) {
            if (set.accepts(study)) {
                return set;
            }
        }
        throw new IllegalArgumentException("runs.study: '" + study + "' has no claim set; allowed: "
                + ALL.stream().map(ClaimSet::name).collect(Collectors.joining(", ")) + " (see io.depthscope.jobs.claims.ClaimSets)");
    }
}
