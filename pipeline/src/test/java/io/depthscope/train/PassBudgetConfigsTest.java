package io.depthscope.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.PassBudget;
import io.depthscope.study.RunSpec;
import io.depthscope.study.StudyConfig;
import java.io.File;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The chunks a pass budget picks for the committed configs: every run that could be computed before the budget keeps
 * the chunks it had (evaluation in chunks of {@link Trainer#EVAL_CHUNK}, the Hessian batch whole), so its numbers
 * are the same to the last bit; only the CIFAR-10 ResNets, whose evaluation pass of 2,048 examples would have needed
 * tens of gigabytes, get smaller chunks.
 */
class PassBudgetConfigsTest {
    /** The files' sizes, for n_train = 0 (all). */
    private static int trainSize(RunSpec s) {
        int n = s.dataset().nTrain();
        return n > 0 ? n : "cifar10".equals(s.dataset().kind()) ? 50_000 : 60_000;
    }

    private static Network network(RunSpec s) {
        int[] dims = s.expectedDims();
        int f = s.dataset().downsample();
        int[] shape = !"image".equals(s.dataset().layout()) ? new int[] {dims[0]}
                : "cifar10".equals(s.dataset().kind()) ? new int[] {3, 32 / f, 32 / f} : new int[] {1, 28 / f, 28 / f};
        return Network.of(s.network(shape, dims[1]));
    }

    @Test
    void committedRunsKeepTheirChunks() {
        File[] configs = new File("../conf/studies").listFiles((d, name) -> name.endsWith(".conf"));
        assertTrue(configs != null && configs.length >= 10, "conf/studies: " + Arrays.toString(configs));
        int runs = 0;
        for (File f : configs) {
            if (f.getName().equals("ghorbani2019-cnn-paper.conf")) {
                continue;
            }
            for (RunSpec s : StudyConfig.load(f).plan()) {
                Network net = network(s);
                String what = f.getName() + " " + s.arch() + " depth " + s.depth() + " width " + s.width();
                int eval = PassBudget.examples(net, Trainer.EVAL_CHUNK);
                assertTrue(eval == Trainer.EVAL_CHUNK || eval >= trainSize(s), what + ": evaluation chunk " + eval);
                boolean ownChunks = s.hessian().chunk() > 0 || net.couplesExamples(Mode.of(s.hessian().mode()));
                if (!s.hessian().stepsFor(s.steps()).isEmpty() && !ownChunks) {
                    int n = s.hessian().examples() > 0 ? Math.min(s.hessian().examples(), trainSize(s)) : trainSize(s);
                    assertEquals(n, PassBudget.examples(net, n), what + ": the Hessian batch of " + n + " is no longer whole");
                }
                runs++;
            }
        }
        assertTrue(runs > 500, runs + " runs");
    }

    @Test
    void aCifarResnetEvaluatesInChunksThatFitInMemory() {
        RunSpec s = StudyConfig.load(new File("../conf/studies/ghorbani2019-cnn-paper.conf")).plan().stream()
                .filter(r -> r.arch().equals("resnet") && r.depth() == 20).findFirst().orElseThrow();
        Network net = network(s);
        // 3.8 million activation values per example (about 24 MB of buffers in float32): 141 examples a pass
        assertEquals(3_790_932, net.activationValuesPerExample());
        assertEquals(141, PassBudget.examples(net, Trainer.EVAL_CHUNK));
    }
}
