package io.depthscope.jobs.claims;

import java.util.List;

/**
 * The claims one kind of study tests, shared by its notebook and {@code depthscope report}. A new study's
 * claims are one class implementing this, listed in {@link ClaimSets#ALL}.
 */
public interface ClaimSet {
    /** A short name, shown in the report and in errors. */
    String name();

    /** Whether the runs table's {@code study} name is one this set reads. */
    boolean accepts(String study);

    /** How this study's scale differs from the papers' (networks, data, steps, estimators), in a few sentences. */
    String scale(StudyTables tables);

    /** Each claim measured on the study's tables, with its figure. */
    List<Finding> findings(StudyTables tables);
}
