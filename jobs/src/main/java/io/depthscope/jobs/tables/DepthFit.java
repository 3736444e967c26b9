package io.depthscope.jobs.tables;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.GeneralizedLinearRegression;
import org.apache.spark.ml.regression.GeneralizedLinearRegressionModel;
import org.apache.spark.ml.regression.GeneralizedLinearRegressionTrainingSummary;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The least-squares line y = intercept + slope x through a few points, fitted by MLlib's
 * GeneralizedLinearRegression (gaussian family, identity link: ordinary least squares), with the 95%
 * interval for the slope from Student's t on the residual degrees of freedom.
 */
record DepthFit(double slope, double slopeStderr, double slopeCiLow, double slopeCiHigh, double intercept, double interceptStderr,
        double pValue, double r2) {
    // The feature count in the column's metadata spares MLlib a job to find it.
    private static final StructType XY = DataTypes.createStructType(List.of(new AttributeGroup("features", 1).toStructField(),
            DataTypes.createStructField("y", DataTypes.DoubleType, false)));

    /**
     * The points travel as a local DataFrame: they are a handful, and filtering them out of the study's
     * tables for each of MLlib's passes (fit, count, dispersion) took twice as long per fit.
     */
    static DepthFit of(SparkSession spark, double[] x, double[] y) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            rows.add(RowFactory.create(Vectors.dense(x[i]), y[i]));
        }
        GeneralizedLinearRegressionModel model = new GeneralizedLinearRegression().setFamily("gaussian").setLink("identity")
                .setLabelCol("y").fit(spark.createDataFrame(rows, XY));
        GeneralizedLinearRegressionTrainingSummary s = model.summary();
        double slope = model.coefficients().apply(0);
        double[] se;
        try {
            se = s.coefficientStandardErrors();
        } catch (UnsupportedOperationException e) {
            // MLlib solves without a covariance when y has no variance (it returns slope 0 and the mean),
            // so there is no standard error to report.
            return new DepthFit(slope, Double.NaN, Double.NaN, Double.NaN, model.intercept(), Double.NaN, Double.NaN, Double.NaN);
        }
        // r2 = 1 - RSS/TSS, RSS = dispersion x residual degrees of freedom for the gaussian family (MLlib's
        // deviances would cost three more jobs).
        double mean = Arrays.stream(y).average().orElse(Double.NaN);
        double tss = Arrays.stream(y).map(v -> (v - mean) * (v - mean)).sum();
        double r2 = 1 - s.dispersion() * s.residualDegreeOfFreedom() / tss;
        // Intercept last in MLlib's arrays. At least 3 distinct x, so at least 1 residual degree of freedom.
        double t = new TDistribution(null, s.residualDegreeOfFreedom()).inverseCumulativeProbability(0.975);
        return new DepthFit(slope, se[0], slope - t * se[0], slope + t * se[0], model.intercept(), se[1], s.pValues()[0], r2);
    }
}
