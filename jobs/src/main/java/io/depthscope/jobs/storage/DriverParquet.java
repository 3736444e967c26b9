package io.depthscope.jobs.storage;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.parquet.ParquetOptions;
import org.apache.spark.sql.execution.datasources.parquet.ParquetUtils;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;
import scala.Function1;

/**
 * Writes a small table, held on the driver, as one Parquet file with Spark's own Parquet writer (its
 * options, write support, schema metadata and compression, as {@code DataFrameWriter.parquet} sets them up),
 * but without a Spark job: no query planning, no code generation, no task and no job commit.
 *
 * <p>Why: a study's tables are a few thousand rows at most, and written as sixteen Spark jobs they cost the
 * driver a few seconds of planning and code generation per study (most of a small study's time, and of the
 * tests'), for a few milliseconds of encoding. The file is the one the job would have written: Spark reads it
 * back with the same schema and values ({@code DriverParquetTest} compares the two).
 */
public final class DriverParquet {
    private DriverParquet() {}

    /**
     * Writes {@code rows} (of {@code schema}) under the new directory {@code dir} as one Parquet file and an
     * empty {@code _SUCCESS}, as a one-partition Spark write would. {@code dir} must not exist.
     */
    public static void write(SparkSession spark, StructType schema, List<Row> rows, Path dir) throws IOException {
        Job job = Job.getInstance(spark.sparkContext().hadoopConfiguration());
        SQLConf conf = spark.sessionState().conf();
        ParquetOptions options = new ParquetOptions(scala.collection.immutable.Map$.MODULE$.<String, String>empty(), conf);
        OutputWriterFactory factory = ParquetUtils.prepareWrite(conf, job, schema, options);
        TaskAttemptContext context = new TaskAttemptContextImpl(job.getConfiguration(), new TaskAttemptID());
        FileSystem fs = dir.getFileSystem(job.getConfiguration());
        if (fs.exists(dir)) {
            throw new IOException(dir + " exists; a table is written into a new directory only");
        }
        if (!fs.mkdirs(dir)) {
            throw new IOException("cannot create " + dir);
        }
        Path file = new Path(dir, "part-00000-" + UUID.randomUUID() + "-c000" + factory.getFileExtension(context));
        Function1<Object, Object> toCatalyst = CatalystTypeConverters.createToCatalystConverter(schema);
        OutputWriter writer = factory.newInstance(file.toString(), schema, context);
        try {
            for (Row row : rows) {
                writer.write((InternalRow) toCatalyst.apply(row));
            }
        } finally {
            writer.close();
        }
        fs.create(new Path(dir, "_SUCCESS"), false).close();
    }
}
