package io.depthscope.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depthscope.io.ArrayEdit;
import io.depthscope.io.BadInput;
import io.depthscope.io.Mutation;
import io.depthscope.io.Npz;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Generated bad state dicts (the probe's {@code --weights}): corrupted archives and edited arrays of a valid one. */
class StateDictPropertiesTest {
    private static final Network NET = Network.of(new NetworkSpec("resmlp", 3, 4, 2, 2, "tanh", true, 0.5, "mse"));
    private static final Map<String, INDArray> VALID = StateDict.fromTheta(NET, Fixtures.theta(NET, 5, DataType.DOUBLE));
    private static Path file;

    @BeforeContainer
    static void tempFile() throws IOException {
        file = Files.createTempFile("weights", ".npz");
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        Files.deleteIfExists(file);
    }

    @Property(tries = 400, seed = Mutation.SEED)
    void corruptedArchivesAreReadUnchangedOrRejectedByName(@ForAll("mutations") Mutation[] mutations) throws IOException {
        Files.write(file, Mutation.applyAll(bytes(VALID), mutations));
        INDArray theta = BadInput.acceptOrReject(StateDictPropertiesTest::toTheta, "weights");
        if (theta != null) { // the CRCs leave a corruption two outcomes: detected, or somewhere no number is read from
            assertEquals(StateDict.toTheta(NET, VALID, DataType.DOUBLE, "valid"), theta, "the numbers as written");
        }
    }

    @Property(tries = 400, seed = Mutation.SEED)
    void editedArraysAreRejectedByNameUnlessHarmless(@ForAll("edits") ArrayEdit edit) throws IOException {
        Files.write(file, bytes(edit.apply(VALID)));
        if (edit.certainlyBad(VALID)) {
            BadInput.rejected(StateDictPropertiesTest::toTheta, "weights");
        } else {
            read();
        }
    }

    private static void read() {
        INDArray theta = BadInput.acceptOrReject(StateDictPropertiesTest::toTheta, "weights");
        if (theta != null) {
            assertEquals(NET.layout().size(), theta.length(), "one value per parameter");
        }
    }

    private static INDArray toTheta() {
        return StateDict.toTheta(NET, Npz.read(file, "weights"), DataType.DOUBLE, "weights");
    }

    private static byte[] bytes(Map<String, INDArray> arrays) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npz.write(out, arrays);
        return out.toByteArray();
    }

    @Provide
    Arbitrary<Mutation[]> mutations() {
        return Mutation.some();
    }

    @Provide
    Arbitrary<ArrayEdit> edits() {
        return ArrayEdit.any();
    }
}
