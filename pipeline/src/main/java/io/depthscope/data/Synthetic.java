package io.depthscope.data;

import io.depthscope.nn.Batch;
import io.depthscope.nn.InitSpec;
import io.depthscope.nn.Initializers;
import io.depthscope.nn.Network;
import io.depthscope.nn.NetworkSpec;
import io.depthscope.util.RandomArrays;
import io.depthscope.util.Seeds;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The synthetic kinds. The training split draws from stream (seed, purpose), the test split from
 * (seed, purpose + "-test"): the same distribution, independent examples, and n_test never shifts the
 * training data. Teachers draw from teacher_seed only, so one teacher can label many data seeds.
 */
public final class Synthetic {
    private Synthetic() {}

    static Split generate(DatasetSpec s, boolean test) {
        int n = test ? s.nTest() : s.nTrain();
        int d = s.inputDim();
        String suffix = test ? "-test" : "";
        return switch (s.kind()) {
            case "sphere" -> {
                // the training split is exactly SphereData.randomSigns(n, d, seed): same stream, same order of draws
                SplittableRandom rng = Seeds.stream(s.seed(), "sphere" + suffix);
                double[] x = SphereData.points(rng, n, d);
                yield Split.regression(x, n, d, RandomArrays.rademacher(rng, n), 1);
            }
            case "sphere_labels" -> {
                SplittableRandom rng = Seeds.stream(s.seed(), "sphere-labels" + suffix);
                double[] x = SphereData.points(rng, n, d);
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = rng.nextInt(s.classes());
                }
                yield Split.classification(x, n, d, labels, s.classes());
            }
            case "teacher", "linear_teacher" -> {
                double[] x = RandomArrays.gaussian(Seeds.stream(s.seed(), "teacher-inputs" + suffix), n * d, 1.0);
                double[] y = "teacher".equals(s.kind()) ? teacherOutputs(s, x, n) : linearOutputs(s, x, n);
                SplittableRandom noise = Seeds.stream(s.seed(), "target-noise" + suffix);
                for (int i = 0; i < y.length && s.targetNoise() > 0; i++) {
                    y[i] += s.targetNoise() * noise.nextGaussian();
                }
                yield Split.regression(x, n, d, y, s.outputDim());
            }
            default -> throw new IllegalArgumentException("kind: value '" + s.kind() + "' is not synthetic; allowed: "
                    + String.join(", ", DatasetSpec.SYNTHETIC));
        };
    }

    /** The teacher: an mlp of teacher_depth hidden layers of teacher_width, no biases, mse head. */
    public static Network teacherNetwork(DatasetSpec s) {
        return Network.of(new NetworkSpec("mlp", s.inputDim(), s.teacherWidth(), s.teacherDepth(), s.outputDim(),
                s.teacherActivation(), false, 0.0, "mse"));
    }

    /**
     * The teacher's weights, N(0, teacher_sigma2 / fan_in), float64. The seed passed to the initialiser is
     * derived from (teacher_seed, "teacher"): with teacher_seed equal to a student's seed, a student of the
     * same shape would otherwise start exactly at the teacher.
     */
    public static INDArray teacherTheta(DatasetSpec s, Network teacher) {
        return Initializers.initialize(teacher, InitSpec.gaussian(s.teacherSigma2()), Seeds.derive(s.teacherSeed(), "teacher"), DataType.DOUBLE);
    }

    /** M [output_dim, input_dim], row-major, entries N(0, 1/input_dim), from stream (teacher_seed, "linear-teacher"). */
    public static double[] linearMap(DatasetSpec s) {
        return RandomArrays.gaussian(Seeds.stream(s.teacherSeed(), "linear-teacher"), s.outputDim() * s.inputDim(),
                Math.sqrt(1.0 / s.inputDim()));
    }

    private static double[] teacherOutputs(DatasetSpec s, double[] x, int n) {
        Network teacher = teacherNetwork(s);
        INDArray xs = Split.matrix(x, n, s.inputDim(), DataType.DOUBLE);
        Batch inputs = new Batch(xs, Nd4j.zeros(DataType.DOUBLE, n, s.outputDim())); // targets unused: only the outputs are read
        INDArray out = teacher.at(inputs, teacherTheta(s, teacher)).outputs();
        return out.dup('c').reshape(out.length()).toDoubleVector();
    }

    private static double[] linearOutputs(DatasetSpec s, double[] x, int n) {
        int d = s.inputDim();
        int k = s.outputDim();
        double[] m = linearMap(s);
        double[] y = new double[n * k];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < k; o++) {
                double acc = 0;
                for (int j = 0; j < d; j++) {
                    acc += m[o * d + j] * x[i * d + j];
                }
                y[i * k + o] = acc;
            }
        }
        return y;
    }
}
