package io.depthscope.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.jobs.spark.SharedSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table written on the driver is the file Spark's own one-partition write gives: same Parquet schema, metadata and values. */
class DriverParquetTest {
    @TempDir
    Path dir;

    /** Every column type the study tables use, nullable, with nulls, NaN, infinities, empty and null arrays. */
    static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("run_id", DataTypes.StringType, true),
            DataTypes.createStructField("depth", DataTypes.IntegerType, true),
            DataTypes.createStructField("param_count", DataTypes.LongType, true),
            DataTypes.createStructField("loss", DataTypes.DoubleType, true),
            DataTypes.createStructField("diverged", DataTypes.BooleanType, true),
            DataTypes.createStructField("steps", DataTypes.createArrayType(DataTypes.IntegerType), true),
            DataTypes.createStructField("not_null", DataTypes.DoubleType, false)));

    static List<Row> rows(int n) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double loss = switch (i % 5) {
                case 0 -> Double.NaN;
                case 1 -> Double.POSITIVE_INFINITY;
                case 2 -> -0.0;
                default -> Math.exp(-i) * 1e-300;
            };
            rows.add(RowFactory.create(i % 7 == 0 ? null : "run-" + i + "-ü", i % 3 == 0 ? null : i, (long) i << 40, i % 11 == 0 ? null : loss,
                    i % 2 == 0, i % 4 == 0 ? null : (i % 4 == 1 ? List.of() : List.of(i, -i, 0)), i / 3.0));
        }
        return rows;
    }

    @Test
    void theDriversFileIsTheOneSparksWriteGives() throws IOException {
        SparkSession spark = SharedSpark.session();
        for (int n : new int[] {0, 1, 257}) {
            List<Row> rows = rows(n);
            Path ours = dir.resolve("ours-" + n);
            Path spark1 = dir.resolve("spark-" + n);
            DriverParquet.write(spark, SCHEMA, rows, new org.apache.hadoop.fs.Path(ours.toUri()));
            spark.createDataFrame(rows, SCHEMA).coalesce(1).write().parquet(spark1.toString());

            assertTrue(Files.exists(ours.resolve("_SUCCESS")));
            FileMetaData a = footer(ours);
            FileMetaData b = footer(spark1);
            assertEquals(b.getSchema(), a.getSchema(), "Parquet schema, n = " + n);
            Map<String, String> meta = a.getKeyValueMetaData();
            assertEquals(b.getKeyValueMetaData(), meta, "Spark's schema and version in the footer, n = " + n);

            List<Row> read = spark.read().parquet(ours.toString()).collectAsList();
            List<Row> expected = spark.read().parquet(spark1.toString()).collectAsList();
            assertEquals(spark.read().parquet(spark1.toString()).schema(), spark.read().parquet(ours.toString()).schema());
            assertEquals(expected.size(), read.size());
            for (int i = 0; i < read.size(); i++) {
                assertEquals(expected.get(i), read.get(i), "row " + i);
                assertEquals(rows.get(i), asWritten(read.get(i)), "row " + i + " as written");
            }
        }
    }

    /** -0.0 and NaN survive bit for bit (Row.equals would call -0.0 equal to 0.0). */
    @Test
    void doublesRoundTripBitForBit() throws IOException {
        SparkSession spark = SharedSpark.session();
        List<Row> rows = rows(20);
        Path ours = dir.resolve("bits");
        DriverParquet.write(spark, SCHEMA, rows, new org.apache.hadoop.fs.Path(ours.toUri()));
        List<Row> read = spark.read().parquet(ours.toString()).collectAsList();
        for (int i = 0; i < rows.size(); i++) {
            Double w = (Double) rows.get(i).get(3);
            Double r = (Double) read.get(i).get(3);
            assertEquals(w == null ? null : Double.doubleToRawLongBits(w), r == null ? null : Double.doubleToRawLongBits(r), "row " + i);
        }
    }

    @Test
    void anExistingDirectoryIsNotWrittenInto() throws IOException {
        Path existing = Files.createDirectories(dir.resolve("there"));
        Files.writeString(existing.resolve("part-00000-old.parquet"), "old");
        // mkdirs of an existing directory succeeds, so the writer must not rely on it: it refuses
        assertThrows(IOException.class,
                () -> DriverParquet.write(SharedSpark.session(), SCHEMA, rows(3), new org.apache.hadoop.fs.Path(existing.toUri())));
        try (Stream<Path> files = Files.list(existing)) {
            assertEquals(List.of(existing.resolve("part-00000-old.parquet")), files.toList());
        }
    }

    private static Row asWritten(Row r) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            Object v = r.get(i);
            values.add(v instanceof scala.collection.Seq<?> s ? scala.jdk.javaapi.CollectionConverters.asJava(s) : v);
        }
        return RowFactory.create(values.toArray());
    }

    private static FileMetaData footer(Path table) throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(table)) {
            file = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()),
                new Configuration()))) {
            return reader.getFooter().getFileMetaData();
        }
    }
}
