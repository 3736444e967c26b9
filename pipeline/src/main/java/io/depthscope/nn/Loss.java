package io.depthscope.nn;

import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss on the network's outputs f [batch, k], averaged over the batch. It knows its value, its
 * gradient dLoss/df and its R-gradient R{dLoss/df} = (d^2 Loss/df^2) R{f}, which is all the
 * R-operator needs at the top of the network.
 */
public interface Loss {
    List<String> NAMES = List.of("mse", "cross_entropy");

    String name();

    /** Binds the loss to a batch's targets: [batch, k] values (mse) or one-hot rows (cross_entropy). */
    LossPass bind(INDArray targets);

    static Loss of(String name) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return switch (key) {
            case "mse" -> new MeanSquaredError();
            case "cross_entropy" -> new CrossEntropy();
            default -> throw new IllegalArgumentException(
                    "loss: unknown value '" + name + "'; allowed: " + String.join(", ", NAMES));
        };
    }

    /** A loss bound to the targets of one batch, with its own buffers. */
    interface LossPass {
        /** The loss at outputs f; caches what {@link #gradient} and {@link #rGradient} need. */
        double forward(INDArray f);

        /** dLoss/df at the last {@link #forward}, [batch, k]. */
        INDArray gradient();

        /** (d^2 Loss / df^2) rf at the last {@link #forward}, [batch, k]. */
        INDArray rGradient(INDArray rf);

        /**
         * The R-gradient of each of {@code k} directions of a block, stacked [k batch, outputs] or side by side [batch,
         * k outputs] ({@link ModulePass}), written into {@code into} of r's shape: direction by direction, unless a loss
         * whose R-gradient is elementwise does all at once.
         */
        default void rGradientBlock(INDArray r, int k, boolean sideBySide, INDArray into) {
            long n = sideBySide ? r.size(0) : r.size(0) / k;
            for (int j = 0; j < k; j++) {
                INDArray rj = sideBySide ? Blocks.columns(r, j, k) : Blocks.rows(r, j, n);
                INDArray intoJ = sideBySide ? Blocks.columns(into, j, k) : Blocks.rows(into, j, n);
                intoJ.assign(rGradient(rj));
            }
        }
    }
}
