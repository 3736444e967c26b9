package io.depthscope.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.Npz;
import io.depthscope.jobs.orchestration.StudyJob;
import io.depthscope.jobs.spark.SharedSpark;
import io.depthscope.nn.Initializers;
import io.depthscope.nn.Network;
import io.depthscope.nn.SpecJson;
import io.depthscope.nn.StateDict;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.Trainer;
import io.depthscope.util.Seeds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TrainCommandTest {
    static final String CONF = """
            name = one-run
            run {
              depth = 2, width = 10, activation = tanh, loss = cross_entropy
              dataset { kind = sphere_labels, classes = 3, n_train = 40, n_test = 20, input_dim = 6 }
              optimizer { kind = sgd, lr = 0.1, batch_size = 16 }
              steps = 30, eval_every = 10, checkpoints = [0, 30], hessian { probes = 4, examples = 24 }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void trainsOneRunWithProgressAndWritesTheTablesAndCheckpointsAStudyWould() throws Exception {
        Path conf = dir.resolve("one.conf");
        Files.writeString(conf, CONF);
        Path out = dir.resolve("out");
        RunSpec spec = StudyConfig.load(conf.toFile()).plan().get(0);
        // an earlier attempt killed while writing a checkpoint left this; the run sweeps it
        Path leftOver = out.resolve("checkpoints").resolve(spec.runId()).resolve(".spec.json." + java.util.UUID.randomUUID() + ".tmp");
        Files.createDirectories(leftOver.getParent());
        Files.writeString(leftOver, "cut off");
        Captured train = Captured.run("train", "--config", conf.toString(), "--out", out.toString());
        String printed = train.out();
        assertEquals(0, train.code(), printed + train.err());
        assertTrue(printed.contains("step 0/30") && printed.contains("step 30/30") && printed.contains("ETA"), printed);
        assertFalse(Files.exists(leftOver), "a killed attempt's temporary file is swept");

        RunOutcome direct = Trainer.run(spec);
        SparkSession spark = SharedSpark.session();
        List<Row> runs = StudyJob.read(spark, out.toString(), "runs").collectAsList();
        assertEquals(1, runs.size());
        assertEquals(spec.runId(), runs.get(0).getAs("run_id"));
        assertEquals(direct.run().finalLoss(), runs.get(0).<Double>getAs("final_loss"), 0.0, "the same run gives the same numbers");
        assertEquals(4, StudyJob.read(spark, out.toString(), "train_curve").count());
        assertEquals(24, StudyJob.read(spark, out.toString(), "hessian_moments").first().<Integer>getAs("examples"));

        // the checkpoint at step 0 is the initialisation, in the layout probe reads, with its spec beside it
        Path run = out.resolve("checkpoints").resolve(spec.runId());
        Network network = Network.of(SpecJson.read(run.resolve("spec.json")));
        INDArray init = Initializers.initialize(network, spec.init(), Seeds.derive(spec.seed(), "init"), DataType.DOUBLE);
        INDArray saved = StateDict.toTheta(network, Npz.read(run.resolve("step-00000000.npz"), "checkpoint"), DataType.DOUBLE, "checkpoint");
        assertArrayEquals(init.toDoubleVector(), saved.toDoubleVector(), 0.0);
        assertTrue(Files.exists(run.resolve("step-00000030.npz")));
        String provenance = Files.readString(run.resolve("step-00000030.json"));
        assertTrue(provenance.contains("\"run_id\" : \"" + spec.runId() + "\"") && provenance.contains("code_version"), provenance);
    }

    @Test
    void aMissingDataFileIsABadInputBeforeTrainingStarts() throws Exception {
        Path conf = dir.resolve("fm.conf");
        Files.writeString(conf, "name = fm\nrun { loss = cross_entropy, dataset { kind = fashion_mnist, path = \""
                + dir.resolve("nowhere") + "\" } }\n");
        Path out = dir.resolve("fm-out");
        Captured train = Captured.run("train", "--config", conf.toString(), "--out", out.toString());
        assertEquals(2, train.code(), train.err());
        assertTrue(train.err().contains("nowhere"), train.err());
        assertTrue(!train.out().contains("step 0/"), "no training started: " + train.out());
        assertTrue(!Files.exists(out.resolve("runs")), "no table is written");
    }

    @Test
    void aConfigWithManyRunsNeedsAnIndex() throws Exception {
        Path conf = dir.resolve("grid.conf");
        Files.writeString(conf, "name = g\ngrid { seed = [0, 1] }\n");
        Captured train = Captured.run("train", "--config", conf.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, train.code(), train.err());
        assertTrue(train.err().contains("--index") && train.err().contains("2 runs"), train.err());
    }
}
