package io.depthscope.jobs.claims;


/** A claim as measured, with the figure that shows the measurement. */
public record Finding(Claim claim, Figure figure) {}
