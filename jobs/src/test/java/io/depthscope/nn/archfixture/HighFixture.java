package io.depthscope.nn.archfixture;

import io.depthscope.util.archfixture.LowFixture;
import org.apache.spark.sql.SparkSession;

/** Made to break the rules: closes a cycle with {@link LowFixture} and imports Spark on a pipeline floor. */
public final class HighFixture {
    public LowFixture down() {
        return new LowFixture();
    }

    public SparkSession spark() {
        return SparkSession.active();
    }
}
