package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DatasetSpecTest {
    private static String error(DatasetSpec s) {
        return assertThrows(IllegalArgumentException.class, s::validate).getMessage();
    }

    @Test
    void defaultsAreValidForKindsThatNeedNoPath() {
        for (String kind : new String[] {"sphere", "sphere_labels", "teacher", "linear_teacher", "fashion_mnist"}) {
            DatasetSpec s = DatasetSpec.of(kind).validate();
            assertEquals(s.synthetic() ? 256 : 0, s.nTrain(), kind);
        }
        DatasetSpec t = DatasetSpec.of("TEACHER");
        assertEquals("teacher", t.kind());
        assertEquals(2, t.teacherDepth());
        assertEquals(32, t.teacherWidth());
        assertEquals(2.0, t.teacherSigma2());
        assertEquals(2, DatasetSpec.of("sphere_labels").classes());
        assertEquals("flat", t.layout());
    }

    @Test
    void errorsNameTheFieldTheValueAndWhatIsAllowed() {
        assertEquals("kind: unknown value 'mnist'; allowed: sphere, sphere_labels, teacher, linear_teacher, fashion_mnist, cifar10, npz",
                error(DatasetSpec.of("mnist")));
        assertEquals("path: value '/x' is not allowed for kind sphere; allowed: none (synthetic data is generated, not read)",
                error(DatasetSpec.of("sphere").withPath("/x")));
        assertEquals("n_train: value 0 is not allowed; allowed: an integer >= 1", error(DatasetSpec.of("sphere").withSizes(0, 5)));
        assertEquals("n_train: value -1 is not allowed; allowed: an integer >= 0, or 0 for all",
                error(DatasetSpec.of("fashion_mnist").withSizes(-1, 0)));
        assertTrue(error(DatasetSpec.of("npz")).startsWith("path: missing for kind npz; allowed: an .npz file"));
        assertEquals("n_test: value 5 is not allowed without test_path; allowed: 0",
                error(DatasetSpec.of("npz").withPath("a.npz").withSizes(0, 5)));
        assertEquals("test_path: value 't.npz' is not allowed for kind cifar10; allowed: none (only kind npz reads a separate test file)",
                error(DatasetSpec.of("cifar10").withPath("d").withTestPath("t.npz")));
        assertEquals("classes: value 7 is not allowed for fashion_mnist; allowed: 10, or 0 to take it from the data",
                error(DatasetSpec.of("fashion_mnist").withDims(0, 1, 7)));
        assertEquals("classes: value 1 is not allowed; allowed: an integer >= 2", error(DatasetSpec.of("sphere_labels").withDims(4, 1, 1)));
        assertEquals("output_dim: value 3 is not allowed for kind sphere; allowed: 1 (sphere targets are +-1 scalars)",
                error(DatasetSpec.of("sphere").withDims(4, 3, 0)));
        assertEquals("layout: unknown value 'grid'; allowed: flat, image", error(DatasetSpec.of("cifar10").withPath("d").withLayout("grid")));
        assertTrue(error(DatasetSpec.of("teacher").withLayout("image")).startsWith("layout: value 'image' is not allowed for kind teacher"));
        assertEquals("teacher_activation: unknown value 'gelu'; allowed: relu, tanh, sigmoid, softplus, hardtanh, linear",
                error(DatasetSpec.of("teacher").withTeacher(2, 4, "gelu", 1, 0, 0)));
        assertEquals("teacher_sigma2: value 0.0 is not allowed; allowed: a finite number > 0",
                error(DatasetSpec.of("teacher").withTeacher(2, 4, "relu", 0, 0, 0)));
        assertEquals("teacher_depth: value 0 is not allowed; allowed: an integer >= 1",
                error(DatasetSpec.of("teacher").withTeacher(0, 4, "relu", 1, 0, 0)));
        assertEquals("target_noise: value -0.5 is not allowed; allowed: a finite standard deviation >= 0",
                error(DatasetSpec.of("linear_teacher").withTeacher(2, 4, "relu", 1, 0, -0.5)));
        assertEquals("label_noise: value 2.0 is not allowed; allowed: a fraction in [0, 1]",
                error(DatasetSpec.of("fashion_mnist").withLabelNoise(2)));
    }
}
