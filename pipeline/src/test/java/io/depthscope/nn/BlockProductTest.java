package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** H V for a block of directions equals H v for each of them, through every fully connected module. */
class BlockProductTest {
    @ParameterizedTest(name = "{0} {1} {2} bias={3} alpha={4}")
    @CsvSource({
        "mlp, tanh, mse, true, 1.0",
        "mlp, relu, cross_entropy, false, 1.0",
        "resmlp, softplus, cross_entropy, true, 1.0",
        "resmlp, tanh, mse, true, 0.3",
        "resmlp, sigmoid, mse, false, 0.3",
    })
    void blockEqualsSingleDirections(String arch, String act, String loss, boolean bias, double alpha) {
        NetworkSpec spec = new NetworkSpec(arch, 5, 6, 3, 3, act, bias, alpha, loss);
        Network net = Network.of(spec);
        INDArray theta = Fixtures.theta(net, 41, DataType.DOUBLE);
        Batch batch = Fixtures.batch(spec, 7, 42, DataType.DOUBLE);
        ModuleChecks.blockMatchesSingleDirections(net, batch, theta, null, Mode.TRAIN, 43, 4, 1e-13);
        ModuleChecks.blockMatchesSingleDirections(net, batch, theta, null, Mode.TRAIN, 44, 1, 0.0);
    }

    /**
     * The stacked layout a block travels in: each direction's view of each tensor is its row's values, a tensor of all
     * k directions is one matrix (a linear map's batched products), unstacking gives the rows back, and views that are
     * not stacked (the rows' own) give no matrix, so the module goes direction by direction.
     */
    @Test
    void stackedLayoutHoldsEachRowAndStacksEachTensor() {
        Network net = Network.of(new NetworkSpec("mlp", 3, 4, 2, 2, "tanh", true, 1.0, "mse"));
        ParamLayout layout = net.layout();
        int k = 3;
        int p = (int) net.paramCount();
        INDArray rows = Nd4j.create(DataType.DOUBLE, k, p).assign(Nd4j.linspace(DataType.DOUBLE, 1, k * p, 1).reshape(k, p));
        INDArray stacked = Nd4j.create(DataType.DOUBLE, (long) k * p);
        layout.stack(rows, stacked);
        INDArray[][][] views = layout.stackedViews(stacked, k);
        INDArray[][][] rowViews = layout.blockViews(rows);
        for (int l = 0; l < views.length; l++) {
            for (int j = 0; j < k; j++) {
                for (int t = 0; t < views[l][j].length; t++) {
                    assertArrayEquals(rowViews[l][j][t].dup('c').reshape(-1).toDoubleVector(), views[l][j][t].dup('c').reshape(-1).toDoubleVector());
                }
            }
            if (views[l][0].length > 0) {
                INDArray weights = Blocks.stacked(views[l], 0);
                assertNotNull(weights);
                long out = views[l][0][0].size(0);
                assertEquals(k * out, weights.rows());
                assertArrayEquals(rowViews[l][2][0].getRow(1).toDoubleVector(), weights.getRow(2 * out + 1).toDoubleVector());
                assertNull(Blocks.stacked(rowViews[l], 0), "the rows' own views are not stacked");
            }
        }
        INDArray back = Nd4j.create(DataType.DOUBLE, k, p);
        layout.unstack(stacked, back);
        assertEquals(rows, back);
    }
}
