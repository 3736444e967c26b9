package io.depthscope.jobs.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** How depthscope starts Spark: the same settings for the CLI, spark-submit and tests. */
public final class SparkSessions {
    private SparkSessions() {}

    /** The tunable that makes glibc's malloc ask for transparent huge pages, added to {@code tunables} unless they set it. */
    static String withHugePages(String tunables) {
        if (tunables == null || tunables.isBlank()) {
            return HUGE_PAGES;
        }
        return tunables.contains("glibc.malloc.hugetlb=") ? tunables : tunables + ":" + HUGE_PAGES;
    }

    static final String HUGE_PAGES = "glibc.malloc.hugetlb=1";

    /** The given master, else the one spark-submit set, else local[*] (with the UI off). */
    public static SparkSession create(String master, String appName) {
        return create(master, appName, Map.of());
    }

    /** As {@link #create(String, String)}, with {@code settings} overriding any Spark setting of the same key. */
    public static SparkSession create(String master, String appName, Map<String, String> settings) {
        SparkConf conf = new SparkConf().setAppName(appName);
        settings.forEach(conf::set);
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        // Executors need this too: OpenMP threads that spin starve OpenBLAS's (4-5x slower products).
        conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        // and huge pages for ND4J's buffers, as bin/depthscope asks for them (fresh 4 KB pages fault one by one)
        conf.setIfMissing("spark.executorEnv.GLIBC_TUNABLES", withHugePages(System.getenv("GLIBC_TUNABLES")));
        conf.setIfMissing("spark.sql.shuffle.partitions", "8");
        conf.setIfMissing("spark.sql.debug.maxToStringFields", "200");
        // file:// without a forked chmod per file created (see LocalFiles), on the driver and the executors
        conf.setIfMissing("spark.hadoop." + LocalFiles.IMPL, LocalFiles.class.getName());
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
