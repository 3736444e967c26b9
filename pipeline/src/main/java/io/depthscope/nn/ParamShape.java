package io.depthscope.nn;

import java.util.Arrays;

/** A named parameter tensor, e.g. {@code weight} of shape [out, in]. */
public record ParamShape(String name, long[] shape) {
    public ParamShape {
        shape = shape.clone();
    }

    public long size() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamShape p && p.name.equals(name) && Arrays.equals(p.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
