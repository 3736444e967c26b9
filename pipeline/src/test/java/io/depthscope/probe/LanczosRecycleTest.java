package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs that borrow the thread's previous basis give exactly what runs on a fresh basis give, whatever ran before. */
class LanczosRecycleTest {
    private static SymmetricOperator randomSymmetric(int n, long seed) {
        INDArray g = RandomArrays.matrix(RandomArrays.gaussian(Seeds.stream(seed, "test-recycle"), n * n, 1.0), n, n, DataType.DOUBLE);
        return SymmetricOperator.dense(g.add(g.transpose()));
    }

    @Test
    void borrowedBasisGivesTheFreshBasisNumbers() {
        SymmetricOperator a = randomSymmetric(40, 1);
        SymmetricOperator b = randomSymmetric(33, 2);
        // sizes up and down, and another operator's size between, so a borrowed basis holds stale rows of every shape
        int[][] runs = {{40, 12}, {40, 5}, {33, 9}, {40, 20}, {40, 7}, {33, 33}, {40, 12}};
        for (int[] r : runs) {
            SymmetricOperator op = r[0] == 40 ? a : b;
            LanczosResult fresh = Lanczos.run(op, r[1], 77, true);
            LanczosResult borrowed = Lanczos.run(op, r[1], 77, false);
            assertArrayEquals(fresh.alpha(), borrowed.alpha(), 0.0, "n " + r[0] + ", m " + r[1]);
            assertArrayEquals(fresh.beta(), borrowed.beta(), 0.0, "n " + r[0] + ", m " + r[1]);
        }
    }
}
