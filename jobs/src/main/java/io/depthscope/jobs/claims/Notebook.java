package io.depthscope.jobs.claims;

import io.depthscope.jobs.spark.SparkSessions;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.apache.spark.sql.SparkSession;

/** What a notebook's first cell needs: its study dir parameter and a local Spark that keeps quiet. */
public final class Notebook {
    /** Overrides a notebook's study dir (the test suite points it at a study it has just run). */
    public static final String STUDY_DIR_ENV = "DEPTHSCOPE_STUDY_DIR";
    private static boolean listening;

    private Notebook() {}

    /** The study dir: {@value #STUDY_DIR_ENV} when set, else {@code fallback}. */
    public static String studyDir(String fallback) {
        String dir = System.getenv(STUDY_DIR_ENV);
        return dir == null || dir.isBlank() ? fallback : dir;
    }

    public static SparkSession spark() {
        quietLogging();
        return SparkSessions.create(null, "depthscope notebook");
    }

    /**
     * The Java kernel sets java.util.logging's root level to FINEST, and Spark's code generator (Janino)
     * then fails under the flood; the kernel also reconfigures logging after its init script, hence the
     * listener that puts INFO back each time.
     */
    public static synchronized void quietLogging() {
        Logger.getLogger("").setLevel(Level.INFO);
        if (!listening) {
            LogManager.getLogManager().addConfigurationListener(() -> Logger.getLogger("").setLevel(Level.INFO));
            listening = true;
        }
    }
}
