package io.depthscope.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.nn.Point;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One cost model for the Hessian work: what a task is planned to spend ({@link HessianWork.Task#products}),
 * what a measurement costs in the plan command ({@link HessianSpec#hessianVectorProducts}) and what the
 * algorithms report they spent are one number.
 */
class HessianCostTest {
    private static long spent(HessianWork.Piece piece) {
        if (piece instanceof HessianWork.ProbeBlock b) {
            return 2L * b.probes().length; // Hv and H(Hv) per probe
        }
        if (piece instanceof HessianWork.ExactEigenvalues e) {
            return e.eigenvalues().length; // one Hv per column
        }
        if (piece instanceof HessianWork.ExtremeEigenvalues e) {
            return e.top().operatorProducts() + 2L * (e.largest().size() + e.smallest().size()); // Hv and Gv per split vector
        }
        return ((HessianWork.Quadrature) piece).run().operatorProducts();
    }

    private static void assertOneNumber(HessianSpec h, Point point) {
        long p = point.paramCount();
        long planned = 0;
        for (HessianWork.Task t : HessianWork.plan("r", h, 3, p)) {
            long products = t.products(h, p);
            assertEquals(spent(HessianWork.compute(h, 5, point, t)), products, t.name());
            planned += products;
        }
        assertEquals(planned, h.hessianVectorProducts(p), "the plan command's number is the tasks' sum");
    }

    @Test
    void plannedProductsAreSpentProductsForEveryKind() {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        assertOneNumber(new HessianSpec("hutchinson", 5, "rademacher", 0, 2, List.of(), 3, 8, 2, 6).validate(), point);
        assertOneNumber(new HessianSpec("exact", 2, "rademacher", 0, 2, List.of(), 0, 8, 1, 4).validate(), point);
    }

    @Test
    void lanczosWithMoreRitzVectorsThanStepsOrParametersCountsWhatItSplits() {
        Point point = LanczosTest.point(LanczosTest.MSE, DataType.DOUBLE);
        int p = (int) point.paramCount();
        // k > m / 2: the two ends share vectors, each split once per end
        assertOneNumber(new HessianSpec("none", 2, "rademacher", 0, 2, List.of(), 3, 4, 0, 4).validate(), point);
        // k > P: Lanczos stops at P steps and splits P vectors at each end
        HessianSpec big = new HessianSpec("none", 2, "rademacher", 0, 2, List.of(), p + 3, p + 10, 0, 4).validate();
        assertOneNumber(big, point);
        assertEquals(p + 4L * p, big.hessianVectorProducts(p));
    }
}
