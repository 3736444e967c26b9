package io.depthscope.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.jobs.spark.SharedSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The driver-side distinct values say exactly what Spark's distinct().orderBy() said, on the awkward values too. */
@Tag("spark")
@ExtendWith(SharedSpark.class)
class RowValuesTest {
    static final StructType SCHEMA = new StructType().add("s", DataTypes.StringType).add("i", DataTypes.IntegerType)
            .add("l", DataTypes.LongType).add("d", DataTypes.DoubleType).add("f", DataTypes.FloatType).add("b", DataTypes.BooleanType);

    @Test
    void distinctValuesInSparksOrderAndSpelling(SparkSession spark) {
        List<Row> rows = new ArrayList<>();
        // nulls, NaN, signed zeros, infinities, repeats, strings that UTF-16 and UTF-8 order differently
        Object[][] values = {
                {"relu", 3, 10L, 0.5, 0.5f, true},
                {null, null, null, null, null, null},
                {"Relu", -1, -7L, -0.0, -0.0f, false},
                {"\uFB01", 3, 10L, 0.0, 0.0f, true},
                {"\uD83D\uDE00", 0, Long.MAX_VALUE, Double.NaN, Float.NaN, false},
                {"a b", 12, 10L, Double.NEGATIVE_INFINITY, 1e-30f, true},
                {"relu", 2, 2L, 1e300, Float.POSITIVE_INFINITY, true},
                {"", 3, 10L, 0.1 + 0.2, 0.3f, true},
                {"tanh", 3, 10L, Double.NaN, 2f, null}};
        for (Object[] v : values) {
            rows.add(RowFactory.create(v));
        }
        Dataset<Row> table = spark.createDataFrame(rows, SCHEMA);
        List<Row> collected = table.collectAsList();
        for (String column : SCHEMA.fieldNames()) {
            assertEquals(StudyTables.distinct(table, column), RowValues.distinct(collected, column), column);
        }
    }
}
