package io.depthscope.probe;

/**
 * One row of the hessian_spectrum table: measures of a run's Hessian spectrum at a step that do not grow with the
 * parameter count P by construction, derived from that step's other Hessian rows by {@link SpectrumShape} (docs/tables.md
 * gives each definition and its parameters). Moments are tr(H^k)/P, so the kurtosis of a Hessian of rank r much below P is
 * about P tr(H^4)/(tr H^2)^2 and grows with P alone; these columns count and size the outliers instead, or remove the null
 * mass before taking the kurtosis.
 *
 * @param topK the k of {@code topKShare} and {@code gradientOverlap}: the largest Ritz values the Lanczos run kept (0 without one)
 * @param lambdaMax the largest eigenvalue: Lanczos's rank-1 Ritz value, else the largest quadrature node (NaN without either)
 * @param spectrumStd s = sqrt(m2 - m1^2) from the moments (hessian_moments, else the quadrature's)
 * @param bulkEdge the upper edge of the bulk of the quadrature density (NaN without a density)
 * @param outliers Lanczos's largest Ritz values above the bulk (beyond {@link SpectrumShape#bulkCut}): at most {@code topK}, so {@code topK} means "at least";
 *     -1 when not measured (no density or no Lanczos run)
 * @param topKShare sum of the k largest Ritz values squared over tr(H^2): the probes' P m2 less the top Ritz vectors' control variate ({@link SpectrumShape#topKShare})
 * @param nullMass the quadrature's weight at 0: the fraction of the P eigenvalues taken as null
 * @param nonnullKurtosis the kurtosis of the spectrum with the null mass removed (moments m_k / (1 - nullMass))
 * @param gradientOverlap ||P_k g||^2 / ||g||^2: the share of the loss gradient in the span of the top-k Ritz vectors
 */
public record HessianSpectrumAt(String runId, int step, int examples, long paramCount, int topK, double lambdaMax, double spectrumStd,
        double lambdaMaxOverStd, double bulkEdge, double lambdaMaxOverBulkEdge, int outliers, double topKShare, double nullMass,
        double nonnullKurtosis, double gradientOverlap) implements java.io.Serializable {}
