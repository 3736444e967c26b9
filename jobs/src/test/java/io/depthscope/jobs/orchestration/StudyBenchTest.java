package io.depthscope.jobs.orchestration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthscope.study.RunSpec;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in study of {@code bench --study}, without running it, and the figures' definitions. */
class StudyBenchTest {
    @Test
    void builtInStudyIsSixteenRunsOfEqualCost() {
        List<RunSpec> plan = StudyBench.builtIn(37).plan();
        assertEquals(16, plan.size());
        assertEquals(16, new HashSet<>(plan.stream().map(RunSpec::runId).toList()).size());
        double cost = StudyJob.cost(plan.get(0));
        for (RunSpec s : plan) {
            assertEquals(37, s.steps());
            assertEquals(cost, StudyJob.cost(s), 1e-12 * cost);
        }
    }

    @Test
    void builtInStudyNeedsAStep() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StudyBench.builtIn(0));
        assertEquals("study-steps: value 0 is not allowed; allowed: >= 1", e.getMessage());
    }

    @Test
    void efficiencyAndOverheadFollowTheirDefinitions() {
        StudyBench.Measurement serial = new StudyBench.Measurement("local[1]", 1, 16, 0, 110.0, 100.0, 1.0, 2.0, 2, 4.0);
        StudyBench.Measurement parallel = new StudyBench.Measurement("local[2]", 2, 16, 0, 60.0, 102.0, 2.0, 2.0, 2, 4.0);
        assertEquals(0.10, serial.overhead(), 1e-12);
        assertEquals((120.0 - 102.0) / 102.0, parallel.overhead(), 1e-12);
        assertEquals(102.0 / 16, parallel.meanTaskSeconds(), 1e-12);
        // local[2]: both slots wait 4 s for the tables, 8 slot-seconds of the 18 not spent in tasks
        assertEquals(8.0 / 102.0, parallel.tablesOverhead(), 1e-12);
        assertEquals(10.0 / 102.0, parallel.taskOverhead(), 1e-12);
        assertEquals(0.06, serial.taskOverhead(), 1e-12);
        assertEquals(110.0 / 120.0, new StudyBench.Result("s", serial, parallel).efficiency(), 1e-12);
    }
}
