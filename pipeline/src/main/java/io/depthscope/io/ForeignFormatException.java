package io.depthscope.io;


/** A stored file this build must not read: another format, or a newer version. Redoing the work would not repair it. */
public final class ForeignFormatException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ForeignFormatException(String message) {
        super(message);
    }
}
