package io.depthscope.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Batch;
import io.depthscope.nn.InitSpec;
import io.depthscope.nn.Initializers;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.util.Seeds;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SyntheticTest {
    private static Dataset load(DatasetSpec s) {
        return Datasets.load(s, DataType.DOUBLE);
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void sphereTrainingSplitIsSphereDataAndTestSplitIsHeldOut() {
        DatasetSpec s = DatasetSpec.of("sphere").withSizes(40, 30).withDims(7, 1, 0).withSeed(5);
        Dataset d = load(s);
        Batch direct = SphereData.randomSigns(40, 7, 5, DataType.DOUBLE);
        assertEquals(direct.x(), d.train().x());
        assertEquals(direct.targets(), d.train().targets());
        assertEquals(0, d.classes());
        assertArrayEquals(new long[] {30, 7}, d.test().x().shape());
        INDArray norms = d.test().x().norm2(1);
        assertEquals(0.0, maxAbsDiff(norms, Nd4j.ones(DataType.DOUBLE, 30)), 1e-12);
        assertNotEquals(d.train().x().getRow(0), d.test().x().getRow(0));
    }

    @Test
    void sphereLabelsAreUniformClassesOnTheSphere() {
        Dataset d = load(DatasetSpec.of("sphere_labels").withSizes(600, 50).withDims(5, 1, 3).withSeed(2));
        assertEquals(3, d.classes());
        assertArrayEquals(new long[] {600, 3}, d.train().targets().shape());
        assertEquals(0.0, maxAbsDiff(d.train().x().norm2(1), Nd4j.ones(DataType.DOUBLE, 600)), 1e-12);
        int[] counts = new int[3];
        for (int l : Dataset.labels(d.train())) {
            counts[l]++;
        }
        for (int c : counts) {
            assertTrue(Math.abs(c - 200) < 50, "class counts " + java.util.Arrays.toString(counts)); // ~4.2 sigma
        }
        assertEquals(600.0, d.train().targets().sumNumber().doubleValue(), "one-hot rows");
    }

    @Test
    void sameSpecSameData() {
        DatasetSpec s = DatasetSpec.of("teacher").withSizes(20, 10).withDims(4, 2, 0).withTeacher(2, 8, "tanh", 1.5, 3, 0.1);
        Dataset a = load(s);
        Dataset b = load(s);
        assertEquals(a.train().x(), b.train().x());
        assertEquals(a.train().targets(), b.train().targets());
        assertEquals(a.test().targets(), b.test().targets());
        assertEquals(a.description(), b.description());
        assertNotEquals(a.train().x(), load(s.withSeed(1)).train().x());
    }

    @Test
    void teacherTargetsAreTheTeacherNetworksOutputs() {
        DatasetSpec s = DatasetSpec.of("teacher").withSizes(50, 20).withDims(6, 3, 0).withTeacher(3, 10, "tanh", 1.7, 11, 0).withSeed(4);
        Dataset d = load(s);
        // the teacher rebuilt here from its documented definition, not taken from the loader
        Network teacher = Network.of(new NetworkSpec("mlp", 6, 10, 3, 3, "tanh", false, 0.0, "mse"));
        INDArray theta = Initializers.initialize(teacher, InitSpec.gaussian(1.7), Seeds.derive(11, "teacher"), DataType.DOUBLE);
        for (Batch b : new Batch[] {d.train(), d.test()}) {
            INDArray expected = teacher.at(new Batch(b.x(), Nd4j.zeros(DataType.DOUBLE, b.size(), 3)), theta).outputs();
            assertEquals(0.0, maxAbsDiff(expected, b.targets()), 1e-12);
            assertTrue(b.targets().std(0).minNumber().doubleValue() > 0.01, "the teacher's outputs vary");
        }
        // a student of the same shape initialised with seed teacher_seed does not start at the teacher
        assertNotEquals(Initializers.initialize(teacher, InitSpec.gaussian(1.7), 11, DataType.DOUBLE), theta);
        // the teacher depends on teacher_seed, not on the data seed
        Dataset otherData = load(s.withSeed(5));
        INDArray again = teacher.at(new Batch(otherData.train().x(), Nd4j.zeros(DataType.DOUBLE, 50, 3)), theta).outputs();
        assertEquals(0.0, maxAbsDiff(again, otherData.train().targets()), 1e-12);
    }

    @Test
    void teacherInputsAreStandardGaussianAndTargetNoiseHasItsStd() {
        DatasetSpec clean = DatasetSpec.of("teacher").withSizes(4000, 10).withDims(5, 1, 0).withTeacher(2, 16, "relu", 2.0, 0, 0);
        Dataset a = load(clean);
        Dataset b = load(clean.withTeacher(2, 16, "relu", 2.0, 0, 0.5));
        INDArray x = a.train().x();
        assertEquals(0.0, x.meanNumber().doubleValue(), 0.02); // 20,000 draws: sd of the mean 0.007
        assertEquals(1.0, x.stdNumber().doubleValue(), 0.02);
        assertEquals(x, b.train().x());
        INDArray residual = b.train().targets().sub(a.train().targets());
        assertEquals(0.0, residual.meanNumber().doubleValue(), 0.03); // 4,000 draws of std 0.5: sd 0.008
        assertEquals(0.5, residual.stdNumber().doubleValue(), 0.02);
    }

    @Test
    void linearTeacherIsYEqualsMx() {
        DatasetSpec s = DatasetSpec.of("linear_teacher").withSizes(30, 12).withDims(50, 40, 0).withTeacher(2, 32, "relu", 2.0, 8, 0);
        Dataset d = load(s);
        INDArray m = Nd4j.createFromArray(Synthetic.linearMap(s)).reshape('c', 40, 50);
        for (Batch b : new Batch[] {d.train(), d.test()}) {
            assertEquals(0.0, maxAbsDiff(b.x().mmul(m.transpose()), b.targets()), 1e-12);
        }
        // M ~ N(0, 1/d_in): 2,000 entries
        assertEquals(0.0, m.meanNumber().doubleValue(), 0.015);
        assertEquals(1.0 / 50, m.varNumber().doubleValue(), 0.002);
        // M comes from teacher_seed alone
        assertEquals(m, Nd4j.createFromArray(Synthetic.linearMap(s.withSeed(99))).reshape('c', 40, 50));
        assertNotEquals(m, Nd4j.createFromArray(Synthetic.linearMap(s.withTeacher(2, 32, "relu", 2.0, 9, 0))).reshape('c', 40, 50));
    }

    @Test
    void float32IsTheFloat64DataRounded() {
        DatasetSpec s = DatasetSpec.of("linear_teacher").withSizes(10, 5).withDims(3, 2, 0);
        Dataset f64 = load(s);
        Dataset f32 = Datasets.load(s, DataType.FLOAT);
        assertEquals(DataType.FLOAT, f32.train().targets().dataType());
        assertEquals(f64.train().targets().castTo(DataType.FLOAT), f32.train().targets());
    }
}
