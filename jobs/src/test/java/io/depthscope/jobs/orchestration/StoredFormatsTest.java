package io.depthscope.jobs.orchestration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.io.ForeignFormatException;
import io.depthscope.io.RecordJson;
import io.depthscope.jobs.storage.CommitStore;
import io.depthscope.jobs.storage.ParameterStore;
import io.depthscope.probe.HessianWork;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import io.depthscope.train.CheckpointSink;
import io.depthscope.train.Progress;
import io.depthscope.train.RunOutcome;
import io.depthscope.train.RunRecord;
import io.depthscope.train.Trainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The files a study commits (docs/storage.md): a realistic outcome and every kind of Hessian piece come
 * back bit for bit; a foreign format, a newer version, and a cut-short or corrupted file are refused or
 * set aside, with messages naming the file.
 */
class StoredFormatsTest {
    private static final String CONF = """
            name = stored
            run { width = 5, depth = 2, dataset { input_dim = 3, n_train = 16, n_test = 8 }, steps = 6, eval_every = 3,
                  hessian { probes = 4, probes_per_block = 3, top_k = 2, lanczos_steps = 8, density_runs = 2, density_steps = 6 },
                  diagnostics { steps = [0, 6], examples = 8, minibatches = 2, minibatch_size = 4, jacobian_inputs = 2 } }
            grid { hessian.method = [hutchinson, exact] }
            """;

    @TempDir
    static Path dir;
    static List<RunSpec> plan;
    static List<RunOutcome> trained = new ArrayList<>();
    static ParameterStore parameters;

    @BeforeAll
    static void train() {
        plan = StudyConfig.parse(CONF).plan();
        parameters = new ParameterStore(dir.resolve("out").toString());
        for (RunSpec s : plan) {
            trained.add(Trainer.run(s, CheckpointSink.NONE, Progress.NONE, parameters));
        }
    }

    @Test
    void anOutcomeWithDiagnosticsNanAndAFailedRunComesBackBitForBit() throws Exception {
        CommitStore<RunOutcome> store = StudyJob.outcomeStore(dir.resolve("outcomes").toString());
        RunOutcome real = trained.get(0);
        assertFalse(real.diagnostics().layerGradients().isEmpty() || real.diagnostics().jacobians().isEmpty() || real.curve().isEmpty());
        RunRecord r = real.run();
        RunOutcome odd = new RunOutcome(real.spec(), new RunRecord(r.runId(), "diverged", "loss went to \"NaN\"\nat step 3", r.paramCount(),
                r.dataset(), -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE,
                -1, 3, 3, 1e-300, r.provenance()), real.curve(), real.diagnostics(), real.hessian(), real.hessianPending());
        RunOutcome failed = RunOutcome.failed(plan.get(1), RunRecord.failed(plan.get(1).runId(), "java.lang.OutOfMemoryError: Java heap space", 2.5));
        for (RunOutcome o : List.of(real, odd, failed)) {
            String key = o.run().runId() + (o == odd ? "-odd" : "");
            assertTrue(store.save(key, o));
            RunOutcome back = store.load(key);
            assertEquals(o, back);
            assertEquals(RecordJson.encode(o, RunOutcome.class), RecordJson.encode(back, RunOutcome.class), "every double bit for bit");
        }
        RunOutcome back = store.load(r.runId() + "-odd");
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.run().initialLoss()));
        assertTrue(Double.isNaN(back.run().finalLoss()));
        assertEquals(Double.MIN_VALUE, back.run().finalTestLoss());
        String text = Files.readString(dir.resolve("outcomes/_outcomes/" + r.runId() + ".outcome"));
        assertTrue(text.startsWith("{\"format\":\"depthscope-outcome\",\"version\":5,\"sha256\":\""), text.substring(0, 80));
    }

    @Test
    void everyKindOfHessianPieceComesBackBitForBit() {
        CommitStore<HessianPhase.PieceOutcome> store = HessianPhase.pieceStore(dir.resolve("pieces").toString());
        Set<HessianWork.Kind> kinds = EnumSet.noneOf(HessianWork.Kind.class);
        for (RunOutcome o : trained) {
            for (int step : o.hessianPending()) {
                for (HessianWork.Task t : HessianWork.plan(o.run().runId(), o.spec().hessian(), step, o.run().paramCount())) {
                    HessianPhase.PieceOutcome p = HessianPhase.runTask(new HessianPhase.Work(o.spec(), t), parameters, 1, 1);
                    assertNull(p.error());
                    String key = HessianPhase.key(t);
                    store.save(key, p);
                    HessianPhase.PieceOutcome back = store.load(key);
                    assertEquals(RecordJson.encode(p, HessianPhase.PieceOutcome.class), RecordJson.encode(back, HessianPhase.PieceOutcome.class));
                    assertEquals(p.piece().getClass(), back.piece().getClass());
                    if (p.piece() instanceof HessianWork.ExactEigenvalues e) {
                        assertArrayEquals(e.eigenvalues(), ((HessianWork.ExactEigenvalues) back.piece()).eigenvalues(), 0.0);
                    }
                    kinds.add(t.kind());
                }
            }
        }
        assertEquals(EnumSet.allOf(HessianWork.Kind.class), kinds, "every kind of piece was stored");
        HessianPhase.PieceOutcome error = new HessianPhase.PieceOutcome(new HessianWork.Task("r", 6, HessianWork.Kind.SLQ, 1, 0, 0), null, 0,
                "java.lang.OutOfMemoryError (attempt 4 of 4)", Double.NaN);
        store.save("error", error);
        assertEquals(error, store.load("error"));
    }

    /**
     * A study begun before version 2 resumes: its version-1 outcomes (no batch_norm, shortcut, hessian mode or chunk, dataset
     * channel_standardize, augment or downsample) read as they meant.
     */
    @Test
    void aVersionOneOutcomeReadsWithTheDefaultsOfTheFieldsAddedSince() throws Exception {
        RunOutcome real = trained.get(0);
        var format = new io.depthscope.io.JsonFormat<>("depthscope-outcome", 5, RunOutcome.class, StudyJob::upgradeOutcome);
        var mapper = new org.nd4j.shade.jackson.databind.ObjectMapper();
        var file = (org.nd4j.shade.jackson.databind.node.ObjectNode) mapper.readTree(format.write(real));
        var value = (org.nd4j.shade.jackson.databind.node.ObjectNode) file.get("value");
        var spec = (org.nd4j.shade.jackson.databind.node.ObjectNode) value.get("spec");
        asVersion3(value);
        real = version3(real);
        assertEquals(List.of(false, "A"), List.of(spec.remove("batchNorm").booleanValue(), spec.remove("shortcut").textValue()));
        var hessian = (org.nd4j.shade.jackson.databind.node.ObjectNode) spec.get("hessian");
        assertEquals(List.of("train", 0), List.of(hessian.remove("mode").textValue(), hessian.remove("chunk").intValue()));
        var dataset = (org.nd4j.shade.jackson.databind.node.ObjectNode) spec.get("dataset");
        assertEquals(List.of(false, "none", 1), List.of(dataset.remove("channelStandardize").booleanValue(), dataset.remove("augment").textValue(),
                dataset.remove("downsample").intValue()));
        file.put("version", 1);
        file.put("sha256", io.depthscope.io.JsonFormat.digest(value));
        byte[] v1 = mapper.writeValueAsBytes(file);
        assertEquals(real, format.read(v1, "v1"));
        Path old = dir.resolve("v1/_outcomes/" + real.run().runId() + ".outcome");
        Files.createDirectories(old.getParent());
        Files.write(old, v1);
        assertEquals(real, StudyJob.outcomeStore(dir.resolve("v1").toString()).load(real.run().runId()), "the study's own store reads it");
        var strict = new io.depthscope.io.JsonFormat<>("depthscope-outcome", 1, RunOutcome.class);
        assertThrows(io.depthscope.io.UnreadableFileException.class, () -> strict.read(v1, "v1 as v1 of today's records"),
                "without the upgrade the old shape does not bind to today's records");
    }

    /** A study begun before version 3 resumes: its version-2 outcomes (no dataset downsample) read as they meant. */
    @Test
    void aVersionTwoOutcomeReadsWithTheDefaultOfDownsample() throws Exception {
        RunOutcome real = trained.get(0);
        var mapper = new org.nd4j.shade.jackson.databind.ObjectMapper();
        var format = new io.depthscope.io.JsonFormat<>("depthscope-outcome", 5, RunOutcome.class, StudyJob::upgradeOutcome);
        var file = (org.nd4j.shade.jackson.databind.node.ObjectNode) mapper.readTree(format.write(real));
        var value = (org.nd4j.shade.jackson.databind.node.ObjectNode) file.get("value");
        var dataset = (org.nd4j.shade.jackson.databind.node.ObjectNode) value.get("spec").get("dataset");
        asVersion3(value);
        real = version3(real);
        assertEquals(1, dataset.remove("downsample").intValue());
        file.put("version", 2);
        file.put("sha256", io.depthscope.io.JsonFormat.digest(value));
        byte[] v2 = mapper.writeValueAsBytes(file);
        assertEquals(real, format.read(v2, "v2"));
        Path old = dir.resolve("v2/_outcomes/" + real.run().runId() + ".outcome");
        Files.createDirectories(old.getParent());
        Files.write(old, v2);
        assertEquals(real, StudyJob.outcomeStore(dir.resolve("v2").toString()).load(real.run().runId()), "the study's own store reads it");
        var strict = new io.depthscope.io.JsonFormat<>("depthscope-outcome", 2, RunOutcome.class);
        assertThrows(io.depthscope.io.UnreadableFileException.class, () -> strict.read(v2, "v2 as v2 of today's records"),
                "without the upgrade the old shape does not bind to today's records");
    }

    /**
     * A study begun before version 4 resumes: its version-3 outcomes (Hessian eigenvalue rows without gradient_overlap) read with
     * NaN there, which is what they measured.
     */
    @Test
    void aVersionThreeOutcomeReadsItsEigenvalueRowsWithoutAGradientOverlap() throws Exception {
        RunOutcome real = trained.get(0);
        var row = new io.depthscope.probe.HessianEigenvalueAt(real.run().runId(), 6, 16, 8, "largest", 1, 2.5, 1e-9, 2.0, 0.5, 0.1, 0.25, 1.5);
        RunOutcome withRow = real.withHessian(new io.depthscope.probe.HessianResults(List.of(), List.of(), List.of(row), List.of()), real.run());
        var mapper = new org.nd4j.shade.jackson.databind.ObjectMapper();
        var format = new io.depthscope.io.JsonFormat<>("depthscope-outcome", 5, RunOutcome.class, StudyJob::upgradeOutcome);
        var file = (org.nd4j.shade.jackson.databind.node.ObjectNode) mapper.readTree(format.write(withRow));
        var value = (org.nd4j.shade.jackson.databind.node.ObjectNode) file.get("value");
        var stored = (org.nd4j.shade.jackson.databind.node.ObjectNode) value.get("hessian").get("eigenvalues").get(0);
        assertEquals(0.25, stored.get("gradientOverlap").doubleValue(), "today's row measured it");
        asVersion3(value);
        assertFalse(stored.has("gradientOverlap"));
        file.put("version", 3);
        file.put("sha256", io.depthscope.io.JsonFormat.digest(value));
        assertEquals(version3(withRow), format.read(mapper.writeValueAsBytes(file), "v3"));
    }

    /** A version-1 Lanczos piece (no gradient overlap along its Ritz vectors) reads with NaN overlaps and every other value as it was. */
    @Test
    void aVersionOneLanczosPieceReadsWithoutGradientOverlaps() throws Exception {
        RunOutcome o = trained.get(0);
        int step = o.hessianPending().get(0);
        HessianWork.Task t = HessianWork.plan(o.run().runId(), o.spec().hessian(), step, o.run().paramCount()).stream()
                .filter(x -> x.kind() == HessianWork.Kind.LANCZOS).findFirst().orElseThrow();
        HessianPhase.PieceOutcome p = HessianPhase.runTask(new HessianPhase.Work(o.spec(), t), parameters, 1, 1);
        var format = new io.depthscope.io.JsonFormat<>("depthscope-hessian-piece", 3, HessianPhase.PieceOutcome.class, HessianPhase::upgradePiece);
        var mapper = new org.nd4j.shade.jackson.databind.ObjectMapper();
        var file = (org.nd4j.shade.jackson.databind.node.ObjectNode) mapper.readTree(format.write(p));
        var value = (org.nd4j.shade.jackson.databind.node.ObjectNode) file.get("value");
        for (String side : List.of("largest", "smallest")) {
            value.get("piece").get(side).forEach(c -> ((org.nd4j.shade.jackson.databind.node.ObjectNode) c).remove(List.of("gradientOverlap",
                    "probeOverlap")));
        }
        file.put("version", 1);
        file.put("sha256", io.depthscope.io.JsonFormat.digest(value));
        var back = (HessianWork.ExtremeEigenvalues) format.read(mapper.writeValueAsBytes(file), "v1").piece();
        var was = (HessianWork.ExtremeEigenvalues) p.piece();
        assertEquals(was.largest().size(), back.largest().size());
        for (int i = 0; i < was.largest().size(); i++) {
            assertTrue(Double.isFinite(was.largest().get(i).gradientOverlap()), "today's piece measures it");
            assertTrue(Double.isNaN(back.largest().get(i).gradientOverlap()));
            assertTrue(Double.isNaN(back.largest().get(i).probeOverlap()));
            assertEquals(was.largest().get(i).ritzValue(), back.largest().get(i).ritzValue());
        }
    }

    /** A version-2 Lanczos piece (no probe overlaps) reads with NaN there and its gradient overlaps as they were. */
    @Test
    void aVersionTwoLanczosPieceReadsWithoutProbeOverlaps() throws Exception {
        RunOutcome o = trained.get(0);
        int step = o.hessianPending().get(0);
        HessianWork.Task t = HessianWork.plan(o.run().runId(), o.spec().hessian(), step, o.run().paramCount()).stream()
                .filter(x -> x.kind() == HessianWork.Kind.LANCZOS).findFirst().orElseThrow();
        HessianPhase.PieceOutcome p = HessianPhase.runTask(new HessianPhase.Work(o.spec(), t), parameters, 1, 1);
        var format = new io.depthscope.io.JsonFormat<>("depthscope-hessian-piece", 3, HessianPhase.PieceOutcome.class, HessianPhase::upgradePiece);
        var mapper = new org.nd4j.shade.jackson.databind.ObjectMapper();
        var file = (org.nd4j.shade.jackson.databind.node.ObjectNode) mapper.readTree(format.write(p));
        var value = (org.nd4j.shade.jackson.databind.node.ObjectNode) file.get("value");
        for (String side : List.of("largest", "smallest")) {
            value.get("piece").get(side).forEach(c -> ((org.nd4j.shade.jackson.databind.node.ObjectNode) c).remove("probeOverlap"));
        }
        file.put("version", 2);
        file.put("sha256", io.depthscope.io.JsonFormat.digest(value));
        var back = (HessianWork.ExtremeEigenvalues) format.read(mapper.writeValueAsBytes(file), "v2").piece();
        var was = (HessianWork.ExtremeEigenvalues) p.piece();
        for (int i = 0; i < was.largest().size(); i++) {
            assertTrue(Double.isFinite(was.largest().get(i).probeOverlap()), "today's piece measures it (the study's Hessian is Hutchinson's)");
            assertTrue(Double.isNaN(back.largest().get(i).probeOverlap()));
            assertEquals(was.largest().get(i).gradientOverlap(), back.largest().get(i).gradientOverlap());
        }
    }

    /** A study begun before version 5 resumes: its version-4 outcomes' eigenvalue rows read without a probe overlap, all else as it was. */
    @Test
    void aVersionFourOutcomeReadsItsEigenvalueRowsWithoutAProbeOverlap() throws Exception {
        RunOutcome real = trained.get(0);
        var row = new io.depthscope.probe.HessianEigenvalueAt(real.run().runId(), 6, 16, 8, "largest", 1, 2.5, 1e-9, 2.0, 0.5, 0.1, 0.25, 1.5);
        RunOutcome withRow = real.withHessian(new io.depthscope.probe.HessianResults(List.of(), List.of(), List.of(row), List.of()), real.run());
        var mapper = new org.nd4j.shade.jackson.databind.ObjectMapper();
        var format = new io.depthscope.io.JsonFormat<>("depthscope-outcome", 5, RunOutcome.class, StudyJob::upgradeOutcome);
        var file = (org.nd4j.shade.jackson.databind.node.ObjectNode) mapper.readTree(format.write(withRow));
        var value = (org.nd4j.shade.jackson.databind.node.ObjectNode) file.get("value");
        asVersion4(value);
        file.put("version", 4);
        file.put("sha256", io.depthscope.io.JsonFormat.digest(value));
        RunOutcome back = format.read(mapper.writeValueAsBytes(file), "v4");
        var e = back.hessian().eigenvalues().get(0);
        assertTrue(Double.isNaN(e.probeOverlap()));
        assertEquals(new io.depthscope.probe.HessianEigenvalueAt(row.runId(), 6, 16, 8, "largest", 1, 2.5, 1e-9, 2.0, 0.5, 0.1, 0.25, Double.NaN), e);
        assertEquals(withRow.run(), back.run());
    }

    @Test
    void parametersAreANumpyVectorThatComesBackBitForBit() throws Exception {
        RunOutcome o = trained.get(0);
        int step = o.hessianPending().get(0);
        Path file = dir.resolve("out/_parameters/" + ParameterStore.key(o.run().runId(), step) + ".npy");
        byte[] bytes = Files.readAllBytes(file);
        assertEquals("\u0093NUMPY", new String(bytes, 0, 6, StandardCharsets.ISO_8859_1));
        assertTrue(new String(bytes, 10, 60, StandardCharsets.ISO_8859_1).contains("'descr': '<f8'"));
        io.depthscope.nn.Network network = io.depthscope.train.RunContext.of(o.spec()).network();
        ParameterStore.State state = parameters.load(o.run().runId(), step, network, DataType.DOUBLE);
        assertEquals(o.run().paramCount(), state.theta().length());
        assertEquals(null, state.buffers(), "a network without BatchNorm stores no buffers");
    }

    @Test
    void aForeignFormatOrANewerVersionIsRefusedByName() throws Exception {
        Path d = dir.resolve("refused/_outcomes");
        CommitStore<RunOutcome> store = StudyJob.outcomeStore(d.getParent().toString());
        store.save("x", trained.get(0));
        String good = Files.readString(d.resolve("x.outcome"));
        Files.writeString(d.resolve("x.outcome"), good.replace("\"version\":5", "\"version\":6"));
        ForeignFormatException newer = assertThrows(ForeignFormatException.class, () -> store.load("x"));
        assertEquals("_outcomes/x.outcome: format 'depthscope-outcome' version 6 is newer than this build reads (<= 5)", newer.getMessage());
        Files.writeString(d.resolve("x.outcome"), good.replace("depthscope-outcome", "depthscope-hessian-piece"));
        assertEquals("_outcomes/x.outcome: format 'depthscope-hessian-piece' is not 'depthscope-outcome'",
                assertThrows(ForeignFormatException.class, () -> store.load("x")).getMessage());
        // an outcome written by a build that used Java serialisation
        Files.write(d.resolve("x.outcome"), new byte[] {(byte) 0xac, (byte) 0xed, 0, 5, 0x73, 0x72});
        assertTrue(assertThrows(ForeignFormatException.class, () -> store.load("x")).getMessage()
                .startsWith("_outcomes/x.outcome: Java-serialised by an older build"));
        assertTrue(Files.exists(d.resolve("x.outcome")), "a refused file is left where it is");
    }

    @Test
    void aCutShortOrCorruptedFileIsSetAsideAndReportedByName() throws Exception {
        Path d = dir.resolve("damaged/_outcomes");
        CommitStore<RunOutcome> store = StudyJob.outcomeStore(d.getParent().toString());
        store.save("x", trained.get(0));
        String good = Files.readString(d.resolve("x.outcome"));
        // one digit of the final loss changed: still valid JSON, and the same record type
        int at = good.indexOf("\"finalLoss\":") + "\"finalLoss\":".length() + 3;
        assertTrue(Character.isDigit(good.charAt(at)), good.substring(at - 15, at + 5));
        String digit = good.substring(0, at) + (char) ('0' + (good.charAt(at) - '0' + 1) % 10) + good.substring(at + 1);
        List<String> damaged = List.of(good.substring(0, good.length() / 2), good.substring(0, good.lastIndexOf('}')), "",
                good.replace("\"finalLoss\":", "\"finalLos\":"), digit);
        for (String bad : damaged) {
            assertTrue(!bad.equals(good));
            Files.writeString(d.resolve("x.outcome"), bad);
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream saved = System.err;
            System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                assertNull(store.load("x"), "an unreadable commit counts as not done");
            } finally {
                System.setErr(saved);
            }
            String line = err.toString(StandardCharsets.UTF_8);
            assertTrue(line.startsWith("warning: _outcomes/x.outcome: "), line);
            assertTrue(line.contains("set aside as"), line);
            assertFalse(Files.exists(d.resolve("x.outcome")));
            assertFalse(store.finished().contains("x"));
            assertTrue(store.save("x", trained.get(0)), "the redone work commits");
            assertNotNull(store.load("x"));
        }
        try (var aside = Files.list(d.resolve(".unreadable"))) {
            assertEquals(damaged.size(), aside.count(), "every damaged file kept for a look");
        }
    }

    /** A study begun before version 4 resumes: its version-3 outcomes (fixed learning rate, no weight changes) read as they meant. */
    @Test
    void aVersionThreeOutcomeReadsWithItsLearningRateAndNoWeightChanges() throws Exception {
        RunOutcome real = trained.get(0);
        assertFalse(real.diagnostics().weightChanges().isEmpty(), "the run took weight changes with its layer gradients");
        var mapper = new org.nd4j.shade.jackson.databind.ObjectMapper();
        var format = new io.depthscope.io.JsonFormat<>("depthscope-outcome", 5, RunOutcome.class, StudyJob::upgradeOutcome);
        var file = (org.nd4j.shade.jackson.databind.node.ObjectNode) mapper.readTree(format.write(real));
        var value = (org.nd4j.shade.jackson.databind.node.ObjectNode) file.get("value");
        asVersion3(value);
        file.put("version", 3);
        file.put("sha256", io.depthscope.io.JsonFormat.digest(value));
        byte[] v3 = mapper.writeValueAsBytes(file);
        RunOutcome back = format.read(v3, "v3");
        assertEquals(version3(real), back);
        assertEquals(real.spec().optimizer().lr(), back.run().learningRate(), "a version-3 run trained at its spec's lr");
        var strict = new io.depthscope.io.JsonFormat<>("depthscope-outcome", 3, RunOutcome.class);
        assertThrows(io.depthscope.io.UnreadableFileException.class, () -> strict.read(v3, "v3 as v3 of today's records"));
    }

    /** Removes from an encoded outcome what versions 4 and 5 added. */
    private static void asVersion3(org.nd4j.shade.jackson.databind.node.ObjectNode value) {
        var optimizer = (org.nd4j.shade.jackson.databind.node.ObjectNode) value.get("spec").get("optimizer");
        assertEquals("NaN", optimizer.remove("curvatureLr").asText());
        var run = (org.nd4j.shade.jackson.databind.node.ObjectNode) value.get("run");
        run.remove(List.of("lrLambdaMax", "learningRate"));
        ((org.nd4j.shade.jackson.databind.node.ObjectNode) value.get("diagnostics")).remove("weightChanges");
        value.get("hessian").get("eigenvalues").forEach(row -> ((org.nd4j.shade.jackson.databind.node.ObjectNode) row).remove("gradientOverlap"));
        asVersion4(value);
    }

    /** Removes from an encoded outcome what version 5 added. */
    private static void asVersion4(org.nd4j.shade.jackson.databind.node.ObjectNode value) {
        value.get("hessian").get("eigenvalues").forEach(row -> ((org.nd4j.shade.jackson.databind.node.ObjectNode) row).remove("probeOverlap"));
    }

    /** The outcome as a version-3 file meant it: no weight changes taken, the spec's lr, no lambda_max, no gradient overlap. */
    private static RunOutcome version3(RunOutcome o) {
        RunRecord r = o.run();
        var d = o.diagnostics();
        var h = o.hessian();
        var eigenvalues = h.eigenvalues().stream().map(e -> new io.depthscope.probe.HessianEigenvalueAt(e.runId(), e.step(), e.examples(),
                e.lanczosSteps(), e.side(), e.rank(), e.eigenvalue(), e.residualBound(), e.gaussNewton(), e.remainder(),
                e.negativeToPositiveRatio(), Double.NaN, Double.NaN)).toList();
        return new RunOutcome(o.spec(), new RunRecord(r.runId(), r.status(), r.error(), r.paramCount(), r.dataset(), r.initialLoss(),
                r.finalLoss(), r.finalGradientNorm(), r.finalTrainAccuracy(), r.finalTestLoss(), r.finalTestAccuracy(), r.stepsToTarget(),
                r.stepsCompleted(), r.divergedAtStep(), r.wallSeconds(), r.provenance(), Double.NaN, o.spec().optimizer().lr()), o.curve(),
                new io.depthscope.train.RunDiagnostics(d.layerGradients(), d.confusion(), d.ntk(), d.jacobians(), d.ranks()),
                new io.depthscope.probe.HessianResults(h.moments(), h.probes(), eigenvalues, h.densities()), o.hessianPending());
    }

    /** The shape of a stored type: each record's components by name and type (expanded once), sealed records, lists, arrays. */
    static String shape(java.lang.reflect.Type t, Set<Class<?>> seen) {
        if (t instanceof java.lang.reflect.ParameterizedType p) {
            return ((Class<?>) p.getRawType()).getSimpleName() + "<" + shape(p.getActualTypeArguments()[0], seen) + ">";
        }
        Class<?> c = (Class<?>) t;
        if (c.isArray()) {
            return shape(c.getComponentType(), seen) + "[]";
        }
        if (c.isEnum()) {
            return c.getSimpleName() + java.util.Arrays.toString(c.getEnumConstants());
        }
        if (!seen.add(c) || !(c.isRecord() || c.isSealed())) {
            return c.getSimpleName();
        }
        if (c.isSealed()) {
            return c.getSimpleName() + "=" + java.util.Arrays.stream(c.getPermittedSubclasses()).map(x -> shape(x, seen)).toList();
        }
        return c.getSimpleName() + java.util.Arrays.stream(c.getRecordComponents()).map(x -> x.getName() + ":" + shape(x.getGenericType(), seen))
                .toList();
    }

    private static String digest(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
                .substring(0, 16);
    }

    @Test
    void theStoredRecordsHaveTheShapeOfTheirFormatVersion() throws Exception {
        String outcome = shape(RunOutcome.class, new java.util.HashSet<>());
        String piece = shape(HessianPhase.PieceOutcome.class, new java.util.HashSet<>());
        String advice = ": a stored record changed; raise the format's version (StudyJob.outcomeStore, HessianPhase.pieceStore), "
                + "describe the change in docs/storage.md, then pin the new digest. Shape: ";
        assertEquals("c09d7f5accc035a2", digest(outcome), "depthscope-outcome version 5" + advice + outcome);
        assertEquals("b2924c43abf16aad", digest(piece), "depthscope-hessian-piece version 3" + advice + piece);
    }
}
