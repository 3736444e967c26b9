package io.depthscope.train;

/** Told at every evaluated step of a run; {@code train} prints it, Spark tasks do not. */
public interface Progress {
    void evaluated(TrainPoint point, int steps);

    Progress NONE = (point, steps) -> { };
}
