package io.depthscope.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@code .npy} format (numpy's NEP 1), read here and written through ND4J.
 *
 * <p>Reading is our own: ND4J 1.0.0-M2.1's readers mis-read Fortran-order arrays as C-order
 * ({@code createFromNpyFile}) and fail on 0-d arrays and on {@code savez_compressed} archives
 * ({@code createFromNpzFile}). Writing uses {@code Nd4j.writeAsNumpy} on a fresh C-order copy, because it
 * writes the underlying buffer as is, which is wrong for 'f'-order arrays and for views.
 */
public final class Npy {
    /** The dtypes we read, as numpy names them; everything else is refused by name. */
    public static final String ALLOWED_DTYPES = "float64, float32, int64, int32";

    /** The most data one array may hold: one Java array's worth. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;
    /** ND4J's limit on the number of dimensions. */
    private static final int MAX_RANK = 32;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Parses one {@code .npy} image; {@code what} names it in errors (a file, or an archive key). */
    public static INDArray read(byte[] bytes, String what) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IllegalArgumentException(what + ": not a .npy array (no \\x93NUMPY magic); allowed: arrays written by numpy.save/savez");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(buf.getShort(8));
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = buf.getInt(8);
            start = 12;
        } else {
            throw new IllegalArgumentException(what + ": .npy format version " + major + " is not supported; allowed: 1, 2, 3");
        }
        // in long: a corrupt 4-byte length near 2^31 would overflow start + headerLen
        if (headerLen < 0 || (long) start + headerLen > bytes.length) {
            throw new IllegalArgumentException(what + ": .npy header length " + Integer.toUnsignedString(headerLen) + " is not allowed; allowed: at most the "
                    + (bytes.length - start) + " bytes that follow (the file is truncated or corrupt)");
        }
        String header = new String(bytes, start, headerLen, StandardCharsets.UTF_8);
        String descr = group(DESCR, header, what, "descr");
        boolean fortran = "True".equals(group(FORTRAN, header, what, "fortran_order"));
        long[] shape = parseShape(group(SHAPE, header, what, "shape"), what);

        char byteOrder = descr.isEmpty() ? '?' : descr.charAt(0);
        String kind = "<>|=".indexOf(byteOrder) >= 0 ? descr.substring(1) : descr;
        DataType dtype = switch (kind) {
            case "f8" -> DataType.DOUBLE;
            case "f4" -> DataType.FLOAT;
            case "i8" -> DataType.LONG;
            case "i4" -> DataType.INT;
            default -> throw new IllegalArgumentException(what + ": dtype '" + printable(descr) + "' is not supported; allowed: " + ALLOWED_DTYPES);
        };
        int width = dtype.width();
        long count = count(shape, width, descr, what);
        int dataStart = start + headerLen;
        if ((long) dataStart + count * width != bytes.length) {
            throw new IllegalArgumentException(what + ": shape " + Arrays.toString(shape) + " of " + printable(descr) + " needs "
                    + count * width + " bytes of data but the entry holds " + (bytes.length - dataStart) + "; allowed: exactly the bytes the header declares");
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) count * width).slice()
                .order(byteOrder == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        return create(data, dtype, (int) count, shape, fortran ? 'f' : 'c');
    }

    private static INDArray create(ByteBuffer data, DataType dtype, int count, long[] shape, char order) {
        if (count == 0) {
            return Nd4j.create(dtype, shape);
        }
        INDArray flat = switch (dtype) {
            case DOUBLE -> {
                double[] v = new double[count];
                data.asDoubleBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            case FLOAT -> {
                float[] v = new float[count];
                data.asFloatBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            case LONG -> {
                long[] v = new long[count];
                data.asLongBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            default -> {
                int[] v = new int[count];
                data.asIntBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
        };
        if (shape.length == 0) {
            return flat.reshape(new long[0]);
        }
        // a Fortran-order image is the transpose's C-order image; hand out C order either way
        return shape.length == 1 ? flat : flat.reshape(order, shape).dup('c');
    }

    /**
     * The element count of {@code shape}, checked before anything is allocated: a corrupt or hostile header can
     * declare negative dimensions, more dimensions than ND4J holds, or a product that overflows a long (it
     * used to throw ArithmeticException) or exceeds what one Java array can hold.
     */
    private static long count(long[] shape, int width, String descr, String what) {
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException(what + ": .npy shape has " + shape.length + " dimensions; allowed: at most " + MAX_RANK);
        }
        long nonZero = 1; // the product of the non-zero dimensions: ND4J's strides must fit even when a dimension is 0
        boolean empty = false;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(what + ": .npy shape " + Arrays.toString(shape) + " has the negative dimension " + d
                        + "; allowed: dimensions >= 0");
            }
            if (d == 0) {
                empty = true;
            } else if (nonZero > MAX_BYTES / width / d) {
                throw new IllegalArgumentException(what + ": .npy shape " + Arrays.toString(shape) + " of " + printable(descr)
                        + " declares more than " + MAX_BYTES + " bytes of data; allowed: arrays of at most " + MAX_BYTES + " bytes");
            } else {
                nonZero *= d;
            }
        }
        return empty ? 0 : nonZero;
    }

    private static String printable(String s) {
        return io.depthscope.util.Names.printable(s);
    }

    private static String group(Pattern p, String header, String what, String field) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(what + ": .npy header has no '" + field + "': " + printable(header.strip())
                    + "; allowed: a header as numpy.save writes it");
        }
        return m.group(1);
    }

    private static long[] parseShape(String s, String what) {
        String[] parts = s.replace(" ", "").split(",");
        return Arrays.stream(parts).filter(p -> !p.isEmpty()).mapToLong(p -> {
            try {
                return Long.parseLong(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": .npy shape (" + printable(s) + ") is not allowed; allowed: a tuple of integers >= 0");
            }
        }).toArray();
    }

    /** The {@code .npy} image of {@code array} (any order, view or not), as numpy.save would write it. */
    public static byte[] write(INDArray array) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Nd4j.writeAsNumpy(array.dup('c'), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
