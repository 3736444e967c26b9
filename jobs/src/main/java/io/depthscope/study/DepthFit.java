package io.depthscope.study;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.spark.ml.linalg.SQLDataTypes;
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
    private static final StructType XY = DataTypes.createStructType(List.of(
            DataTypes.createStructField("features", SQLDataTypes.VectorType(), false),
            DataTypes.createStructField("y", DataTypes.DoubleType, false)));

    /**
     * The points travel as a local DataFrame: they are a handful, and filtering them out of the study's
     * tables for each of MLlib's passes (fit, dispersion, deviances) took twice as long per fit.
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
        // r2 = 1 - RSS/TSS: for the gaussian family the deviance is the residual sum of squares and the
        // null deviance (intercept only) the total one; 0/0 (constant y) is NaN.
        double r2 = 1 - s.deviance() / s.nullDeviance();
        double[] se;
        double p;
        try {
            se = s.coefficientStandardErrors();
            p = s.pValues()[0];
        } catch (UnsupportedOperationException e) {
            // MLlib solves without a covariance when y has no variance (it returns slope 0 and the mean),
            // so there is no standard error to report.
            return new DepthFit(slope, Double.NaN, Double.NaN, Double.NaN, model.intercept(), Double.NaN, Double.NaN, r2);
        }
        // Intercept last in MLlib's arrays. At least 3 distinct x, so at least 1 residual degree of freedom.
        double t = new TDistribution(null, s.residualDegreeOfFreedom()).inverseCumulativeProbability(0.975);
        return new DepthFit(slope, se[0], slope - t * se[0], slope + t * se[0], model.intercept(), se[1], p, r2);
    }
}
