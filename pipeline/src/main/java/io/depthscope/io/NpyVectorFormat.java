package io.depthscope.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A vector of doubles as a {@code .npy} file (numpy's format 1.0, {@code '<f8'}, shape (n,)), which
 * numpy.load reads as it is. The reader accepts only that: another dtype or shape is someone else's
 * array, and a file whose length does not match its header was cut short or padded.
 */
public final class NpyVectorFormat implements FileFormat<double[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
        return "npy float64 vector";
    }

    @Override
    public byte[] write(double[] value) {
        return Npy.write(Nd4j.createFromArray(value));
    }

    @Override
    public double[] read(byte[] bytes, String what) {
        INDArray a;
        try {
            a = Npy.read(bytes, what);
        } catch (IllegalArgumentException e) {
            throw new UnreadableFileException(e.getMessage());
        }
        if (a.dataType() != DataType.DOUBLE || a.rank() != 1) {
            throw new UnreadableFileException(what + ": a " + a.dataType() + " array of shape " + java.util.Arrays.toString(a.shape())
                    + "; allowed: a float64 vector");
        }
        return a.toDoubleVector();
    }
}
