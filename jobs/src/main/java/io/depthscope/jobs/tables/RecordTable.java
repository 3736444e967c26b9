package io.depthscope.jobs.tables;

import io.depthscope.util.Names;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Parquet table whose rows are one record type: one column per record component, named in
 * snake_case ({@code weightGradientNorm} is weight_gradient_norm) and typed by the component, so a row
 * type and its table cannot drift apart.
 */
public final class RecordTable {
    private RecordTable() {}

    public static StructType schema(Class<? extends Record> type) {
        List<StructField> fields = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            fields.add(DataTypes.createStructField(Names.snake(c.getName()), sparkType(c.getGenericType(), type, c.getName()), true));
        }
        return DataTypes.createStructType(fields);
    }

    public static Row row(Record r) {
        RecordComponent[] components = r.getClass().getRecordComponents();
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            try {
                values[i] = components[i].getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return RowFactory.create(values);
    }

    public static <R extends Record> List<Row> rows(List<R> records) {
        List<Row> out = new ArrayList<>(records.size());
        records.forEach(r -> out.add(row(r)));
        return out;
    }

    private static DataType sparkType(Type t, Class<?> owner, String name) {
        if (t == String.class) {
            return DataTypes.StringType;
        }
        if (t == int.class) {
            return DataTypes.IntegerType;
        }
        if (t == long.class) {
            return DataTypes.LongType;
        }
        if (t == double.class) {
            return DataTypes.DoubleType;
        }
        if (t == boolean.class) {
            return DataTypes.BooleanType;
        }
        if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
            return DataTypes.createArrayType(sparkType(p.getActualTypeArguments()[0], owner, name));
        }
        if (t == Double.class) {
            return DataTypes.DoubleType;
        }
        if (t == Integer.class) {
            return DataTypes.IntegerType;
        }
        throw new IllegalArgumentException(owner.getSimpleName() + "." + name + ": type " + t + " has no Parquet column type");
    }
}
