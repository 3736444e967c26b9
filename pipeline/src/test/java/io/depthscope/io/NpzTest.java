package io.depthscope.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.util.Required;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NpzTest {
    private static final Path NUMPY = Path.of("src/test/resources/npy");
    private static final double[][] M = {{0, .25, .5}, {.75, 1, 1.25}};

    @TempDir
    Path dir;

    private static Map<String, INDArray> sample() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("layers.0.weight", Nd4j.createFromArray(M));
        m.put("f32", Nd4j.createFromArray(new float[] {1.5f, -2.25f, 3e-8f}));
        m.put("labels", Nd4j.createFromArray(new long[] {0, 2, 1, Long.MAX_VALUE}));
        m.put("i32", Nd4j.createFromArray(new int[] {7, -8}));
        // a view and an 'f'-order array: ND4J's writer alone would write their raw buffers
        m.put("column", Nd4j.createFromArray(M).getColumn(1));
        m.put("fortran", Nd4j.createFromArray(M).dup('f'));
        return m;
    }

    @Test
    void roundTripKeepsKeysOrderDtypesShapesAndValues() {
        Path file = dir.resolve("a.npz");
        Map<String, INDArray> written = sample();
        Npz.write(file, written);
        Map<String, INDArray> read = Npz.read(file, "test");
        assertEquals(List.copyOf(written.keySet()), List.copyOf(read.keySet()));
        for (String k : written.keySet()) {
            INDArray w = written.get(k);
            INDArray r = read.get(k);
            assertEquals(w.dataType(), r.dataType(), k);
            assertArrayEquals(w.shape(), r.shape(), k);
            assertEquals(w, r, k);
        }
        assertArrayEquals(new long[] {0, 2, 1, Long.MAX_VALUE}, read.get("labels").toLongVector());
        assertArrayEquals(new double[] {.25, 1}, read.get("column").toDoubleVector());
        assertEquals(1.25, read.get("fortran").getDouble(1, 2));
    }

    @Test
    void npyFileRoundTrip() {
        Path file = dir.resolve("v.npy");
        INDArray v = Nd4j.createFromArray(new double[] {1, -2, Math.PI});
        Npz.writeNpy(file, v);
        assertEquals(v, Npz.readNpy(file, "vector"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"layouts.npz", "layouts_compressed.npz"})
    void readsWhatNumpyWritesInEveryLayout(String name) {
        Map<String, INDArray> a = Npz.read(NUMPY.resolve(name), "test");
        INDArray m = Nd4j.createFromArray(M);
        assertEquals(m, a.get("fortran"));
        assertEquals(m, a.get("big_endian"));
        assertEquals(m.castTo(DataType.FLOAT), a.get("f32"));
        assertEquals(0, a.get("scalar").rank());
        assertEquals(2.5, a.get("scalar").getDouble(0));
        assertEquals(DataType.INT, a.get("i32").dataType());
        assertArrayEquals(new long[] {3, -1, 7}, a.get("i32").toLongVector());
        assertEquals(DataType.LONG, a.get("i64").dataType());
        assertEquals(4, a.get("i64").getLong(1, 1));
        assertEquals(Nd4j.createFromArray(M), Npz.readNpy(NUMPY.resolve("fortran.npy"), "test"));
    }

    @Test
    void errorsNameTheFileKeyAndWhatIsAllowed() {
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                () -> Npz.read(NUMPY.resolve("bool.npz"), "data"));
        assertTrue(dtype.getMessage().contains("'mask'") && dtype.getMessage().contains("|b1")
                && dtype.getMessage().contains("allowed: float64"), dtype.getMessage());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Npz.read(dir.resolve("absent.npz"), "weights"));
        assertTrue(missing.getMessage().startsWith("weights: file"), missing.getMessage());
    }

    @Test
    void notAZipIsBadInput() throws IOException {
        Path file = dir.resolve("text.npz");
        Files.writeString(file, "not a zip");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npz.read(file, "weights"));
        assertTrue(e.getMessage().contains("not an .npz archive"), e.getMessage());
    }

    /** numpy itself reads what we write: skipped without Debian's python3-numpy, failed under CI (.ci/run installs it). */
    @Test
    void numpyReadsWhatWeWrite() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Required.file(python, "python3", "apt-get install python3-numpy");
        Path file = dir.resolve("w.npz");
        Npz.write(file, sample());
        String script = "import numpy as np, sys\n"
                + "a = np.load(sys.argv[1])\n"
                + "for k in a.files: print(k, a[k].dtype, a[k].shape, a[k].ravel().tolist())\n";
        Process p = new ProcessBuilder(python.toString(), "-c", script, file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Required.present(!out.contains("No module named 'numpy'"), "numpy is missing from " + python + "; install it: apt-get install python3-numpy");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("layers.0.weight float64 (2, 3) [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]"), out);
        assertTrue(out.contains("f32 float32 (3,) [1.5, -2.25, 2.99999989"), out);
        assertTrue(out.contains("labels int64 (4,) [0, 2, 1, 9223372036854775807]"), out);
        assertTrue(out.contains("i32 int32 (2,) [7, -8]"), out);
        assertTrue(out.contains("column float64 (2,) [0.25, 1.0]"), out);
        assertTrue(out.contains("fortran float64 (2, 3) [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]"), out);
    }
}
