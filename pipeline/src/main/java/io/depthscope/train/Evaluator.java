package io.depthscope.train;

import io.depthscope.nn.Batch;
import io.depthscope.nn.Bindings;
import io.depthscope.nn.Mode;
import io.depthscope.nn.Network;
import io.depthscope.nn.Point;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Loss, accuracy and gradient over a whole dataset in chunks of at most {@code chunk} examples, so
 * memory stays bounded (a point's buffers grow with its batch) while the numbers are those of the full
 * batch: the mean loss and its gradient are the chunk means weighted by chunk size.
 */
public final class Evaluator {
    /** Full-dataset loss and gradient norm, and accuracy (NaN for regression). */
    public record Evaluation(double loss, double accuracy, double gradientNorm) {}

    private final Network network;
    private final Batch data;
    private final int chunk;
    private final boolean classification;
    private final INDArray gradient;
    private Bindings bindings;
    private Mode mode = Mode.TRAIN;

    public Evaluator(Network network, Batch data, int chunk, boolean classification, DataType dtype) {
        this.network = network;
        this.data = data.as(dtype);
        this.chunk = Math.max(1, chunk);
        this.classification = classification;
        this.gradient = Nd4j.create(dtype, network.paramCount());
    }

    /**
     * Evaluates in eval mode with {@code buffers}, BatchNorm's running statistics, read at every evaluation (as
     * PyTorch's {@code model.eval()}): chunks of a dataset are then independent. Networks without buffers need none.
     */
    public Evaluator withRunningStatistics(INDArray buffers) {
        return using(Bindings.shared(network, buffers));
    }

    /**
     * Evaluates in points borrowed from {@code bindings} (a run's, shared with its training steps and Hessian chunks),
     * in eval mode with their buffers when there are any, as {@link #withRunningStatistics}.
     */
    public Evaluator using(Bindings bindings) {
        if (bindings.network() != network) {
            throw new IllegalArgumentException("bindings: of another network; allowed: bindings of this evaluator's network");
        }
        this.bindings = bindings;
        this.mode = bindings.buffers() == null ? Mode.TRAIN : Mode.EVAL;
        return this;
    }

    public Evaluation evaluate(INDArray theta, boolean withGradient) {
        int n = data.size();
        double loss = 0;
        long correct = 0;
        gradient.assign(0);
        for (int start = 0; start < n; start += chunk) {
            int end = Math.min(n, start + chunk);
            Batch part = rows(start, end);
            Point p = bindings().load(part, theta, mode);
            double w = (double) (end - start) / n;
            loss += w * p.loss();
            if (withGradient) {
                Nd4j.getBlasWrapper().axpy(w, p.gradient(), gradient);
            }
            if (classification) {
                correct += correct(p.outputs(), part.targets());
            }
        }
        return new Evaluation(loss, classification ? (double) correct / n : Double.NaN,
                withGradient ? gradient.norm2Number().doubleValue() : Double.NaN);
    }

    /** The mean gradient of the last {@link #evaluate} with {@code withGradient}. */
    public INDArray gradient() {
        return gradient;
    }

    private Bindings bindings() {
        if (bindings == null) {
            bindings = Bindings.shared(network, null);
        }
        return bindings;
    }

    /**
     * Rows start..end-1 as views: a new point copies its batch into arrays of its own, and {@link Point#load}
     * assigns from the views, so no chunk is copied twice per evaluation.
     */
    private Batch rows(int start, int end) {
        if (start == 0 && end == data.size()) {
            return data;
        }
        return new Batch(data.x().get(NDArrayIndex.interval(start, end), NDArrayIndex.all()),
                data.targets().get(NDArrayIndex.interval(start, end), NDArrayIndex.all()));
    }

    /** Rows whose largest output is the target's class. */
    static long correct(INDArray outputs, INDArray oneHot) {
        int[] predicted = Nd4j.argMax(outputs, 1).toIntVector();
        int[] actual = Nd4j.argMax(oneHot, 1).toIntVector();
        long c = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == actual[i]) {
                c++;
            }
        }
        return c;
    }
}
