package io.depthscope.io;


/** A stored file that cannot be what its format wrote: truncated, corrupted, or someone else's content under its name. */
public final class UnreadableFileException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public UnreadableFileException(String message) {
        super(message);
    }
}
