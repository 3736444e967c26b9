package io.depthscope.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The versioned JSON format: every double bit for bit, sealed records by kind, strict reading. */
class JsonFormatTest {
    sealed interface Shape permits Circle, Polygon {}

    record Circle(double radius) implements Shape {}

    record Polygon(double[][] corners, List<Double> angles) implements Shape {}

    record Doc(double x, double[] xs, List<Shape> shapes, String note, long n) {}

    private static final JsonFormat<Doc> FORMAT = new JsonFormat<>("test-doc", 2, Doc.class);

    private static long bits(double x) {
        return Double.doubleToRawLongBits(x);
    }

    @Test
    void everyDoubleComesBackBitForBitIncludingNanPayloadsAndSignedZero() {
        Random random = new Random(7);
        double[] xs = new double[4000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Double.longBitsToDouble(random.nextLong()); // every kind: subnormal, huge, NaN with payloads
        }
        double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MAX_VALUE,
            Double.longBitsToDouble(0x7ff0000000000001L), Double.longBitsToDouble(0xfff8000000000000L), 0.1 + 0.2, 1e23};
        System.arraycopy(special, 0, xs, 0, special.length);
        Doc doc = new Doc(-0.0, xs, List.of(), null, Long.MIN_VALUE);
        Doc back = FORMAT.read(FORMAT.write(doc), "doc");
        for (int i = 0; i < xs.length; i++) {
            assertEquals(bits(xs[i]), bits(back.xs()[i]), "xs[" + i + "] = " + xs[i]);
        }
        assertEquals(bits(-0.0), bits(back.x()));
        assertEquals(Long.MIN_VALUE, back.n());
    }

    @Test
    void aSealedInterfaceIsStoredByKindAndReadBackAsItsRecord() {
        Doc doc = new Doc(1, new double[0], List.of(new Circle(2.5), new Polygon(new double[][] {{0, 1}, {1, Double.NaN}}, List.of(90.0))),
                "a \"quoted\"\nnote", 3);
        String text = new String(FORMAT.write(doc), StandardCharsets.UTF_8);
        assertTrue(text.contains("{\"kind\":\"Circle\",\"radius\":2.5}"), text);
        Doc back = FORMAT.read(text.getBytes(StandardCharsets.UTF_8), "doc");
        assertEquals(new Circle(2.5), back.shapes().get(0));
        assertTrue(Double.isNaN(((Polygon) back.shapes().get(1)).corners()[1][1]));
        assertEquals(doc.note(), back.note());

        // a file cannot name a class: the kind is looked up among the interface's permitted records only
        String unknown = text.replace("\"kind\":\"Circle\"", "\"kind\":\"java.lang.ProcessBuilder\"");
        assertThrows(UnreadableFileException.class, () -> FORMAT.read(unknown.getBytes(StandardCharsets.UTF_8), "d"), "the digest");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecordJson.decode(Json.mapper().readTree(unknown).get("value"), Doc.class, "value"));
        assertEquals("value.shapes[0].kind: value 'java.lang.ProcessBuilder' is not allowed; allowed: one of [Circle, Polygon]", e.getMessage());
    }

    @Test
    void readingIsStrictAndErrorsNameTheFileAndThePlace() {
        String text = new String(FORMAT.write(new Doc(1, new double[] {2}, List.of(), "n", 3)), StandardCharsets.UTF_8);
        assertThrows(ForeignFormatException.class, () -> FORMAT.read(text.replace("\"version\":2", "\"version\":3").getBytes(StandardCharsets.UTF_8), "f"));
        // an older version of the same format is read
        assertEquals(3, FORMAT.read(text.replace("\"version\":2", "\"version\":1").getBytes(StandardCharsets.UTF_8), "f").n());
        UnreadableFileException trailing = assertThrows(UnreadableFileException.class,
                () -> FORMAT.read((text + "{}").getBytes(StandardCharsets.UTF_8), "dir/f.doc"));
        assertTrue(trailing.getMessage().startsWith("dir/f.doc: not a complete JSON document"), trailing.getMessage());
        UnreadableFileException empty = assertThrows(UnreadableFileException.class, () -> FORMAT.read(new byte[0], "dir/f.doc"));
        assertTrue(empty.getMessage().startsWith("dir/f.doc: "), empty.getMessage());
    }
}
