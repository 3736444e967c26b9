import io.depthscope.notebooks.*;
import org.apache.spark.sql.*;
