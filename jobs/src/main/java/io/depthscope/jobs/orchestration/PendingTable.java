package io.depthscope.jobs.orchestration;

import io.depthscope.jobs.storage.DriverParquet;
import io.depthscope.jobs.storage.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** A study table built on the driver and not yet written: its name under the output, its schema and its rows. */
record PendingTable(String name, StructType schema, List<Row> rows) {
    static PendingTable of(String name, List<Row> rows, StructType schema) {
        return new PendingTable(name, schema, rows);
    }

    /**
     * Writes the tables in order, each atomically: a reader that finds the last table's {@code _SUCCESS} finds
     * every table of the study written ({@code StudyTables.under} relies on it).
     */
    static void writeAll(SparkSession spark, List<PendingTable> tables, String out) {
        tables.forEach(t -> t.write(spark, out));
    }

    /**
     * Writes the table beside its final place ({@link DriverParquet}: one file, no Spark job) and moves it
     * there, so a reader never finds a half-written table: it finds the old one, none, or the new one.
     */
    void write(SparkSession spark, String out) {
        try {
            Path target = new Path(out, name);
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            Path tmp = new Path(out, "._" + name + ".writing");
            fs.delete(tmp, true); // a killed write's leftovers
            DriverParquet.write(spark, schema, rows, tmp);
            HadoopFiles.moveInto(fs, tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
