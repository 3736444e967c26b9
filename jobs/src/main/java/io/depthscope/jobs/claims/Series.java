package io.depthscope.jobs.claims;

import java.util.List;

/** One line of a figure: a mean with its 95% interval across seeds at each x (a depth, a step). */
public record Series(String name, List<Point> points) {
    public record Point(double x, Interval y) {}

    public double[] xs() {
        return points.stream().mapToDouble(Point::x).toArray();
    }

    public double[] means() {
        return points.stream().mapToDouble(p -> p.y().mean()).toArray();
    }
}
