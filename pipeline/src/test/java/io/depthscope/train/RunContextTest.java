package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.data.Datasets;
import io.depthscope.nn.Batch;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The context the trainer and the Hessian phase share: the same network and the same fixed batches, wherever built. */
class RunContextTest {
    private static RunSpec spec(String extra) {
        return StudyConfig.parse("name = t\nrun { width = 6, depth = 2, dtype = float32, dataset { input_dim = 4, n_train = 30, n_test = 5 }, "
                + extra + " }").plan().get(0);
    }

    @Test
    void networkAndDtypeComeFromTheSpecAndTheData() {
        RunSpec s = spec("");
        RunContext c = RunContext.of(s);
        assertEquals(DataType.FLOAT, c.dtype());
        assertEquals(s.network(4, 1).paramCount(), c.network().paramCount());
        assertEquals((4 * 6 + 6) + (6 * 6 + 6) + (6 + 1), c.network().paramCount()); // depth 2: two hidden layers, three maps
    }

    @Test
    void aContextOnCachedDataHasTheSameBatchesAsOneThatLoadsIt() {
        RunSpec s = spec("hessian { examples = 11 }, diagnostics { steps = [0], examples = 9 }");
        RunContext loaded = RunContext.of(s);
        RunContext cached = RunContext.of(s, Datasets.load(s.dataset(), DataType.FLOAT));
        assertBatchEquals(loaded.hessianBatch(), cached.hessianBatch());
        assertBatchEquals(loaded.diagnosticsBatch(), cached.diagnosticsBatch());
        assertEquals(11, loaded.hessianBatch().size());
        assertEquals(9, loaded.diagnosticsBatch().size());
    }

    @Test
    void theFixedBatchesAreDistinctRowsOfTheTrainingSetFromTheirOwnStreams() {
        RunContext c = RunContext.of(spec("hessian { examples = 12 }, diagnostics { steps = [0], examples = 12 }"));
        Batch train = c.data().train();
        Set<Integer> hessianRows = rowsOf(c.hessianBatch(), train);
        Set<Integer> diagnosticsRows = rowsOf(c.diagnosticsBatch(), train);
        assertEquals(12, hessianRows.size());
        assertEquals(12, diagnosticsRows.size());
        assertTrue(!hessianRows.equals(diagnosticsRows), "two streams drew the same 12 of 30 rows");
    }

    @Test
    void allExamplesIsTheTrainingSetItselfAndTooManyIsRefused() {
        RunContext all = RunContext.of(spec(""));
        assertSame(all.data().train(), all.hessianBatch());
        Batch train = all.data().train();
        assertNotSame(train, RunContext.fixedBatch(train, 3, 1, "s", "diagnostics.examples", 10));
        String m = assertThrows(IllegalArgumentException.class, () -> RunContext.fixedBatch(train, 0, 1, "s", "diagnostics.examples", 10))
                .getMessage();
        assertEquals("run.diagnostics.examples: the batch would have 30 examples; allowed: <= 10 (set run.diagnostics.examples)", m);
    }

    @Test
    void theHessianBatchHasNoCapAndIsWholeWhereItFitsThePassBudget() {
        // 9,000 examples: above the 8,192 that a Hessian batch was capped at while a pass held it whole
        RunContext c = RunContext.of(StudyConfig.parse("name = t\nrun { width = 6, depth = 2, dtype = float32, "
                + "dataset { input_dim = 4, n_train = 9000, n_test = 5 }, hessian { examples = 9000 } }").plan().get(0));
        assertEquals(9000, c.hessianBatch().size());
        assertEquals(9000, c.hessianChunk(9000), "a small mlp's 9,000 examples fit one pass");
        assertEquals(9000, c.hessianLandscape(io.depthscope.nn.Initializers.initialize(c.network(), c.spec().init(), 1, c.dtype()), (org.nd4j.linalg.api.ndarray.INDArray) null)
                .batchSize());
        String m = assertThrows(IllegalArgumentException.class, () -> RunContext.of(StudyConfig.parse("name = t\nrun { width = 6, "
                + "depth = 2, dataset { input_dim = 4, n_train = 9000, n_test = 5 }, diagnostics { steps = [0], examples = 9000, "
                + "confusion = false, ntk = false } }").plan().get(0)).diagnosticsBatch()).getMessage();
        assertEquals("run.diagnostics.examples: the batch would have 9000 examples; allowed: <= 8192 (set run.diagnostics.examples)", m);
    }

    private static void assertBatchEquals(Batch a, Batch b) {
        assertArrayEquals(a.x().ravel().toDoubleVector(), b.x().ravel().toDoubleVector());
        assertArrayEquals(a.targets().ravel().toDoubleVector(), b.targets().ravel().toDoubleVector());
    }

    /** The training-set row of each example of {@code batch}, found by its inputs. */
    private static Set<Integer> rowsOf(Batch batch, Batch train) {
        Set<Integer> rows = new HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            double[] x = batch.x().getRow(i).toDoubleVector();
            for (int j = 0; j < train.size(); j++) {
                if (java.util.Arrays.equals(x, train.x().getRow(j).toDoubleVector())) {
                    rows.add(j);
                }
            }
        }
        return rows;
    }
}
