package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.data.BatchNpz;
import io.depthscope.io.Npz;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** State dicts and data batches: the loaders between .npz files and the network. */
class StateDictTest {
    private final NetworkSpec spec = Fixtures.spec("mlp", "tanh", "mse", true, 2);
    private final Network net = Network.of(spec);
    private final INDArray theta = Fixtures.theta(net, 3, DataType.DOUBLE);

    @TempDir
    Path dir;

    @Test
    void thetaToFileAndBackIsExactAndInStateDictOrder() {
        Map<String, INDArray> dict = StateDict.fromTheta(net, theta);
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                "layers.2.weight", "layers.2.bias"), List.copyOf(dict.keySet()));
        assertArrayEquals(new long[] {5, 4}, dict.get("layers.0.weight").shape());
        // row-major [out, in]: entry (1, 0) of W0 is flat index 4
        assertEquals(theta.getDouble(4), dict.get("layers.0.weight").getDouble(1, 0));
        Path file = dir.resolve("w.npz");
        Npz.write(file, dict);
        INDArray back = StateDict.toTheta(net, Npz.read(file, "weights"), DataType.DOUBLE, "weights");
        assertEquals(theta, back);
    }

    @Test
    void float32WeightsLoadIntoEitherDtype() {
        Map<String, INDArray> dict = new LinkedHashMap<>();
        StateDict.fromTheta(net, theta).forEach((k, v) -> dict.put(k, v.castTo(DataType.FLOAT)));
        INDArray t32 = StateDict.toTheta(net, dict, DataType.FLOAT, "weights");
        INDArray t64 = StateDict.toTheta(net, dict, DataType.DOUBLE, "weights");
        assertEquals(DataType.FLOAT, t32.dataType());
        assertEquals(theta.castTo(DataType.FLOAT), t32);
        assertEquals(theta.castTo(DataType.FLOAT).castTo(DataType.DOUBLE), t64);
    }

    private String error(Map<String, INDArray> dict) {
        return assertThrows(IllegalArgumentException.class, () -> StateDict.toTheta(net, dict, DataType.DOUBLE, "weights"))
                .getMessage();
    }

    @Test
    void everyMismatchIsNamed() {
        Map<String, INDArray> dict = StateDict.fromTheta(net, theta);
        dict.remove("layers.1.bias");
        String missing = error(dict);
        assertTrue(missing.contains("'layers.1.bias' is missing; allowed: an array of shape [5]"), missing);

        dict = StateDict.fromTheta(net, theta);
        dict.put("layers.1.weight", Nd4j.zeros(DataType.DOUBLE, 5, 4));
        String shape = error(dict);
        assertTrue(shape.contains("'layers.1.weight': shape [5, 4] is not allowed; allowed: shape [5, 5]"), shape);

        dict = StateDict.fromTheta(net, theta);
        dict.put("layers.3.weight", Nd4j.zeros(DataType.DOUBLE, 2, 5));
        String unknown = error(dict);
        assertTrue(unknown.contains("unknown key(s) [layers.3.weight]; allowed: [layers.0.weight,"), unknown);

        dict = StateDict.fromTheta(net, theta);
        dict.get("layers.2.weight").putScalar(new long[] {1, 3}, Double.NaN);
        String nan = error(dict);
        assertTrue(nan.contains("'layers.2.weight': value NaN at [1, 3] is not allowed"), nan);

        dict = StateDict.fromTheta(net, theta);
        dict.put("layers.0.bias", Nd4j.zeros(DataType.LONG, 5));
        String dtype = error(dict);
        assertTrue(dtype.contains("'layers.0.bias': dtype int64 is not allowed; allowed: float64, float32"), dtype);
    }

    @Test
    void biasesForABiasFreeSpecSayWhy() {
        Network noBias = Network.of(Fixtures.spec("mlp", "tanh", "mse", false, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StateDict.toTheta(noBias, StateDict.fromTheta(net, theta), DataType.DOUBLE, "weights"));
        assertTrue(e.getMessage().contains("(the spec says \"bias\": false)"), e.getMessage());
    }

    @Test
    void labelsBecomeOneHotTargets() {
        NetworkSpec ce = Fixtures.spec("mlp", "relu", "cross_entropy", true, 2);
        Map<String, INDArray> data = new LinkedHashMap<>();
        data.put("x", Nd4j.rand(DataType.DOUBLE, 3, 4));
        data.put("labels", Nd4j.createFromArray(new long[] {2, 0, 1}));
        Batch b = BatchNpz.fromArrays(data, ce, "data");
        assertEquals(Batch.oneHot(new int[] {2, 0, 1}, 3, DataType.DOUBLE), b.targets());
        assertEquals(data.get("x"), b.x());
    }

    @Test
    void badDataIsNamed() {
        Map<String, INDArray> data = new LinkedHashMap<>();
        data.put("x", Nd4j.rand(DataType.DOUBLE, 3, 5));
        data.put("y", Nd4j.rand(DataType.DOUBLE, 3, 2));
        String cols = assertThrows(IllegalArgumentException.class, () -> BatchNpz.fromArrays(data, spec, "data")).getMessage();
        assertTrue(cols.contains("'x': shape [3, 5] is not allowed; allowed: [N >= 1, 4] (input_dim = 4)"), cols);

        data.put("x", Nd4j.rand(DataType.DOUBLE, 3, 4));
        data.put("y", Nd4j.rand(DataType.DOUBLE, 2, 2));
        String rows = assertThrows(IllegalArgumentException.class, () -> BatchNpz.fromArrays(data, spec, "data")).getMessage();
        assertTrue(rows.contains("'y': shape [2, 2] is not allowed; allowed: [3, 2]"), rows);

        NetworkSpec ce = Fixtures.spec("mlp", "relu", "cross_entropy", true, 2);
        data.put("y", Nd4j.rand(DataType.DOUBLE, 3, 3));
        String key = assertThrows(IllegalArgumentException.class, () -> BatchNpz.fromArrays(data, ce, "data")).getMessage();
        assertTrue(key.contains("unknown key(s) [y] for loss cross_entropy; allowed: [x, labels]"), key);

        data.remove("y");
        data.put("labels", Nd4j.createFromArray(new long[] {0, 3, 1}));
        String range = assertThrows(IllegalArgumentException.class, () -> BatchNpz.fromArrays(data, ce, "data")).getMessage();
        assertTrue(range.contains("'labels': value 3 at [1] is not allowed; allowed: 0..2"), range);

        data.put("labels", Nd4j.createFromArray(new double[] {0, 1, 1}));
        String ints = assertThrows(IllegalArgumentException.class, () -> BatchNpz.fromArrays(data, ce, "data")).getMessage();
        assertTrue(ints.contains("'labels': dtype float64 is not allowed; allowed: int64, int32"), ints);

        data.put("labels", Nd4j.createFromArray(new long[] {0, 1, 1}));
        data.get("x").putScalar(new long[] {2, 1}, Double.POSITIVE_INFINITY);
        String inf = assertThrows(IllegalArgumentException.class, () -> BatchNpz.fromArrays(data, ce, "data")).getMessage();
        assertTrue(inf.contains("'x': value Infinity at [2, 1] is not allowed; allowed: finite numbers"), inf);
    }

    @Test
    void imagesAreReadAsNchwOrFlatAndGiveTheSameBatch() {
        NetworkSpec cnn = new NetworkSpec("cnn", 0, 2, 1, 3, "relu", true, 1.0, "cross_entropy", List.of(), false, "A")
                .withInputShape(List.of(2, 3, 4)).validate();
        INDArray images = Nd4j.rand(DataType.DOUBLE, 5, 2, 3, 4);
        long[] labels = {0, 2, 1, 1, 0};
        Map<String, INDArray> data = new LinkedHashMap<>();
        data.put("x", images);
        data.put("labels", Nd4j.createFromArray(labels));
        Batch nchw = BatchNpz.fromArrays(data, cnn, "data");
        assertArrayEquals(new long[] {5, 24}, nchw.x().shape());
        // row-major: example 3, channel 1, row 2, column 3 is feature 1*12 + 2*4 + 3
        assertEquals(images.getDouble(3, 1, 2, 3), nchw.x().getDouble(3, 12 + 8 + 3));
        data.put("x", images.reshape('c', 5, 24).dup());
        Batch flat = BatchNpz.fromArrays(data, cnn, "data");
        assertEquals(nchw.x(), flat.x());
        assertEquals(nchw.targets(), flat.targets());

        data.put("x", Nd4j.rand(DataType.DOUBLE, 5, 2, 4, 3));
        String transposed = assertThrows(IllegalArgumentException.class, () -> BatchNpz.fromArrays(data, cnn, "data")).getMessage();
        assertTrue(transposed.contains("'x': shape [5, 2, 4, 3] is not allowed; allowed: [N >= 1, 2, 3, 4] or [N >= 1, 24]"
                + " (input_shape = [2, 3, 4])"), transposed);
        data.put("x", images.dup());
        data.get("x").putScalar(new long[] {4, 1, 0, 2}, Double.NaN);
        String nan = assertThrows(IllegalArgumentException.class, () -> BatchNpz.fromArrays(data, cnn, "data")).getMessage();
        assertTrue(nan.contains("'x': value NaN at [4, 1, 0, 2] is not allowed"), nan);

        // a fully connected spec takes flat rows only, whatever their count
        Map<String, INDArray> mlpData = new LinkedHashMap<>();
        mlpData.put("x", Nd4j.rand(DataType.DOUBLE, 3, 1, 2, 2));
        mlpData.put("y", Nd4j.rand(DataType.DOUBLE, 3, 2));
        String rank4 = assertThrows(IllegalArgumentException.class, () -> BatchNpz.fromArrays(mlpData, spec, "data")).getMessage();
        assertTrue(rank4.contains("'x': shape [3, 1, 2, 2] is not allowed; allowed: [N >= 1, 4] (input_dim = 4)"), rank4);
    }

    @Test
    void aBatchNormStateDictForASpecWithoutBatchNormSaysSo() {
        NetworkSpec withBn = new NetworkSpec("cnn", 0, 2, 1, 3, "relu", true, 1.0, "mse", List.of(), true, "A").withInputShape(List.of(1, 4, 4));
        Network bn = Network.of(withBn);
        Map<String, INDArray> dict = StateDict.fromState(bn, Fixtures.theta(bn, 2, DataType.DOUBLE), bn.initialBuffers(DataType.DOUBLE));
        Network plain = Network.of(new NetworkSpec("cnn", 0, 2, 1, 3, "relu", true, 1.0, "mse", List.of(), false, "A")
                .withInputShape(List.of(1, 4, 4)));
        String e = assertThrows(IllegalArgumentException.class, () -> StateDict.toTheta(plain, dict, DataType.DOUBLE, "weights")).getMessage();
        assertTrue(e.startsWith("weights: unknown key(s) [features.0.bn.weight, features.0.bn.bias, features.0.bn.running_mean,"
                + " features.0.bn.running_var, features.0.bn.num_batches_tracked] (the spec says \"batch_norm\": false, the default); allowed:"), e);
    }
}
