package io.depthscope.util.archfixture;

import io.depthscope.nn.archfixture.HighFixture;

/** Made to break the floors: a class on the util floor that uses one on the nn floor (see ArchitectureTest). */
public final class LowFixture {
    public HighFixture up() {
        return new HighFixture();
    }
}
