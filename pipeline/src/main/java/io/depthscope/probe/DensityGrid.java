package io.depthscope.probe;

/**
 * How a spectral density is drawn from quadrature nodes: each node becomes a Gaussian of standard
 * deviation sigma = relativeSigma * (max node - min node), nodes pooled over all runs (1 when all nodes
 * coincide), evaluated on {@code points} equally spaced values from min node - padSigmas * sigma to
 * max node + padSigmas * sigma. A width relative to the spread keeps the picture comparable across depths
 * whose Hessians differ in scale by orders of magnitude; a pad of 6 sigma leaves out less than 1e-9 of any
 * Gaussian's mass, so the density integrates to 1 over the grid. The default (1001 points, 1%, 6 sigma)
 * puts about 8 grid points in each sigma, which the trapezoid rule integrates essentially exactly.
 */
public record DensityGrid(int points, double relativeSigma, double padSigmas) {
    public static final DensityGrid DEFAULT = new DensityGrid(1001, 0.01, 6.0);

    public DensityGrid {
        if (points < 2) {
            throw new IllegalArgumentException("points: value " + points + " is not allowed; allowed: >= 2");
        }
        if (!(relativeSigma > 0) || !Double.isFinite(relativeSigma)) {
            throw new IllegalArgumentException("relative_sigma: value " + relativeSigma + " is not allowed; allowed: > 0");
        }
        if (!(padSigmas >= 0) || !Double.isFinite(padSigmas)) {
            throw new IllegalArgumentException("pad_sigmas: value " + padSigmas + " is not allowed; allowed: >= 0");
        }
    }
}
