package io.depthscope.util;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The backend names the native binary in use, in one of the documented forms. */
class ProvenanceTest {
    @Test
    void backendNamesTheNativeBinary() {
        String backend = Provenance.current().backend();
        assertTrue(backend.matches("cpu(-onednn)?(-avx2|-avx512)?|cuda"), backend);
    }
}
