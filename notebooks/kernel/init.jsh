import io.depthscope.jobs.claims.*;
import org.apache.spark.sql.*;
