package io.depthscope.jobs.spark;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One local Spark session for every test class of the JVM that asks for it ({@code @ExtendWith(SharedSpark.class)}
 * and a {@link SparkSession} parameter, usually of a {@code @BeforeAll} method), stopped when the test run ends.
 * Starting Spark takes seconds; nine classes each started their own. Settings: {@code local[2]} (the machine's two
 * cores), UI off, WARN logging, two shuffle partitions (the tests' tables are tiny).
 *
 * <p>A command under test may stop the session (the CLI closes the one it gets); the next test that asks gets a
 * new one. A test that needs a static setting of its own (another master) calls {@link #stop()} first, since
 * {@code getOrCreate} would hand it this session and ignore the setting.
 */
public final class SharedSpark implements ParameterResolver {
    public static final String MASTER = "local[2]";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedSpark.class);
    private static SparkSession session;

    /** The shared session, started (again) when there is none or it was stopped. */
    public static synchronized SparkSession session() {
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSessions.create(MASTER, "depthscope tests", Map.of("spark.sql.shuffle.partitions", "2"));
            session.sparkContext().setLogLevel("WARN");
        }
        return session;
    }

    /** Stops the shared session, for a test that must start Spark with settings of its own. */
    public static synchronized void stop() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SparkSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // the root context's store closes its resources when the whole run ends, after the last test class
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(StopAtEnd.class, k -> new StopAtEnd(), StopAtEnd.class);
        return session();
    }

    private static final class StopAtEnd implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            SharedSpark.stop();
        }
    }
}
