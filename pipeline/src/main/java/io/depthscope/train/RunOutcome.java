package io.depthscope.train;

import io.depthscope.study.RunSpec;
import java.util.List;

/** Everything one run produced: its spec, its record, its curve and its Hessian moments. */
public record RunOutcome(RunSpec spec, RunRecord run, List<TrainPoint> curve, List<HessianMomentsAt> moments) implements java.io.Serializable {}
